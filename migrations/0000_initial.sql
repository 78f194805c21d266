CREATE TABLE `contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text NOT NULL,
	`deleted_at` text,
	`name` text,
	`first_name` text,
	`last_name` text,
	`email` text,
	`phone` text,
	`mobile` text,
	`avatar` text,
	`title` text,
	`department` text,
	`organization` text,
	`role` text,
	`stage` text,
	`status` text,
	`source` text,
	`lead_score` real,
	`preferred_channel` text,
	`timezone` text,
	`language` text,
	`manager` text,
	`linkedin_url` text,
	`twitter_handle` text,
	`marketing_consent` text,
	`last_engagement` text,
	`owner` text
);
--> statement-breakpoint
CREATE INDEX `contacts_created_idx` ON `contacts` (`created_at`,`id`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_email_uniq` ON `contacts` (`email`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `contacts_organization_idx` ON `contacts` (`organization`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `contacts_source_idx` ON `contacts` (`source`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `contacts_manager_idx` ON `contacts` (`manager`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `contacts_owner_idx` ON `contacts` (`owner`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE TABLE `organizations` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text NOT NULL,
	`deleted_at` text,
	`name` text,
	`legal_name` text,
	`domain` text,
	`website` text,
	`description` text,
	`industry` text,
	`type` text,
	`status` text,
	`tier` text,
	`employee_count` integer,
	`annual_revenue` real,
	`founded_year` integer,
	`phone` text,
	`email` text,
	`address` text,
	`city` text,
	`region` text,
	`country` text,
	`postal_code` text,
	`timezone` text,
	`linkedin_url` text,
	`twitter_handle` text,
	`tags` text,
	`source` text,
	`parent` text
);
--> statement-breakpoint
CREATE INDEX `organizations_created_idx` ON `organizations` (`created_at`,`id`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `organizations_domain_uniq` ON `organizations` (`domain`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `organizations_industry_idx` ON `organizations` (`industry`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `organizations_parent_idx` ON `organizations` (`parent`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`hash` text NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`last_used_at` text,
	`revoked_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_uniq` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE TABLE `events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`type` text NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`verb` text NOT NULL,
	`version` integer NOT NULL,
	`actor` text NOT NULL,
	`actor_role` text NOT NULL,
	`request_id` text NOT NULL,
	`at` text NOT NULL,
	`data` text,
	`before` text,
	`after` text,
	`cause` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_id_uniq` ON `events` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `events_stream_uniq` ON `events` (`entity_id`,`version`);--> statement-breakpoint
CREATE INDEX `events_type_idx` ON `events` (`type`,`seq`);--> statement-breakpoint
CREATE INDEX `events_actor_idx` ON `events` (`actor`,`seq`);--> statement-breakpoint
CREATE INDEX `events_at_idx` ON `events` (`at`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`topic` text NOT NULL,
	`payload` text NOT NULL,
	`cause` text,
	`created_at` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`sent_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_id_uniq` ON `outbox` (`id`);--> statement-breakpoint
CREATE INDEX `outbox_pending_idx` ON `outbox` (`sent_at`,`seq`);--> statement-breakpoint
CREATE TABLE `tenant` (
	`id` integer PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`status` text NOT NULL,
	`created_at` text NOT NULL,
	`settings` text DEFAULT '{}' NOT NULL
);
