CREATE TABLE `activities` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text NOT NULL,
	`deleted_at` text,
	`subject` text,
	`type` text,
	`contact` text,
	`lead` text,
	`deal` text,
	`owner` text,
	`status` text,
	`priority` text,
	`due_at` text,
	`completed_at` text,
	`body` text
);
--> statement-breakpoint
CREATE INDEX `activities_created_idx` ON `activities` (`created_at`,`id`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `activities_contact_idx` ON `activities` (`contact`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `activities_lead_idx` ON `activities` (`lead`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `activities_deal_idx` ON `activities` (`deal`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `activities_owner_idx` ON `activities` (`owner`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `activities_due_at_idx` ON `activities` (`due_at`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE TABLE `campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text NOT NULL,
	`deleted_at` text,
	`name` text,
	`type` text,
	`status` text,
	`segment` text,
	`channel` text,
	`budget` real,
	`start_at` text,
	`end_at` text,
	`utm_source` text,
	`utm_medium` text,
	`utm_campaign` text
);
--> statement-breakpoint
CREATE INDEX `campaigns_created_idx` ON `campaigns` (`created_at`,`id`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `campaigns_utm_campaign_idx` ON `campaigns` (`utm_campaign`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
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
	`owner` text,
	`merged_into` text
);
--> statement-breakpoint
CREATE INDEX `contacts_created_idx` ON `contacts` (`created_at`,`id`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_email_uniq` ON `contacts` (`email`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `contacts_organization_idx` ON `contacts` (`organization`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `contacts_source_idx` ON `contacts` (`source`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `contacts_manager_idx` ON `contacts` (`manager`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `contacts_owner_idx` ON `contacts` (`owner`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `contacts_merged_into_idx` ON `contacts` (`merged_into`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE TABLE `contracts` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text NOT NULL,
	`deleted_at` text,
	`title` text,
	`proposal` text,
	`deal` text,
	`status` text,
	`value` integer,
	`terms` text,
	`sent_at` text,
	`signed_at` text,
	`signed_by` text
);
--> statement-breakpoint
CREATE INDEX `contracts_created_idx` ON `contracts` (`created_at`,`id`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `contracts_proposal_idx` ON `contracts` (`proposal`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `contracts_deal_idx` ON `contracts` (`deal`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE TABLE `customers` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text NOT NULL,
	`deleted_at` text,
	`name` text,
	`contact` text,
	`organization` text,
	`email` text,
	`external_id` text,
	`currency` text,
	`deal` text
);
--> statement-breakpoint
CREATE INDEX `customers_created_idx` ON `customers` (`created_at`,`id`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `customers_contact_idx` ON `customers` (`contact`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `customers_organization_idx` ON `customers` (`organization`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `customers_external_id_uniq` ON `customers` (`external_id`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `customers_deal_idx` ON `customers` (`deal`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE TABLE `deals` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text NOT NULL,
	`deleted_at` text,
	`name` text,
	`value` real,
	`currency` text,
	`contact` text,
	`organization` text,
	`owner` text,
	`stage` text,
	`probability` real,
	`plan` text,
	`source` text,
	`campaign` text,
	`expected_close_at` text,
	`stage_entered_at` text,
	`won_at` text,
	`lost_at` text,
	`lost_reason` text,
	`description` text,
	`next_step` text
);
--> statement-breakpoint
CREATE INDEX `deals_created_idx` ON `deals` (`created_at`,`id`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `deals_contact_idx` ON `deals` (`contact`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `deals_organization_idx` ON `deals` (`organization`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `deals_owner_idx` ON `deals` (`owner`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `deals_stage_idx` ON `deals` (`stage`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `deals_plan_idx` ON `deals` (`plan`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `deals_source_idx` ON `deals` (`source`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `deals_campaign_idx` ON `deals` (`campaign`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE TABLE `leads` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text NOT NULL,
	`deleted_at` text,
	`name` text,
	`contact` text,
	`organization` text,
	`owner` text,
	`status` text,
	`source` text,
	`source_detail` text,
	`campaign` text,
	`score` real,
	`budget` real,
	`authority` text,
	`need` text,
	`timeline` text,
	`deal` text,
	`converted_at` text,
	`lost_reason` text,
	`lost_at` text,
	`first_touch_at` text,
	`last_activity_at` text
);
--> statement-breakpoint
CREATE INDEX `leads_created_idx` ON `leads` (`created_at`,`id`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `leads_contact_idx` ON `leads` (`contact`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `leads_organization_idx` ON `leads` (`organization`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `leads_owner_idx` ON `leads` (`owner`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `leads_source_idx` ON `leads` (`source`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `leads_campaign_idx` ON `leads` (`campaign`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `leads_score_idx` ON `leads` (`score`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `leads_deal_idx` ON `leads` (`deal`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
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
CREATE TABLE `plans` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text NOT NULL,
	`deleted_at` text,
	`name` text,
	`price` integer,
	`currency` text,
	`interval` text,
	`trial_days` integer,
	`description` text,
	`features` text,
	`status` text
);
--> statement-breakpoint
CREATE INDEX `plans_created_idx` ON `plans` (`created_at`,`id`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE TABLE `proposals` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text NOT NULL,
	`deleted_at` text,
	`title` text,
	`deal` text,
	`tier` text,
	`line_items` text,
	`total` integer,
	`currency` text,
	`status` text,
	`sent_at` text,
	`accepted_at` text,
	`rejected_at` text,
	`rejection_reason` text,
	`valid_until` text,
	`notes` text
);
--> statement-breakpoint
CREATE INDEX `proposals_created_idx` ON `proposals` (`created_at`,`id`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `proposals_deal_idx` ON `proposals` (`deal`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE TABLE `stages` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text NOT NULL,
	`deleted_at` text,
	`name` text,
	`order` integer,
	`probability` real,
	`colour` text,
	`auto_nurture` integer,
	`sla_days` integer,
	`kind` text,
	`status` text
);
--> statement-breakpoint
CREATE INDEX `stages_created_idx` ON `stages` (`created_at`,`id`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `stages_name_uniq` ON `stages` (`name`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `stages_order_idx` ON `stages` (`order`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text NOT NULL,
	`deleted_at` text,
	`customer` text,
	`plan` text,
	`status` text,
	`quantity` integer,
	`trial_start_at` text,
	`trial_end_at` text,
	`current_period_start_at` text,
	`current_period_end_at` text,
	`activated_at` text,
	`paused_at` text,
	`cancelled_at` text,
	`cancel_reason` text,
	`deal` text
);
--> statement-breakpoint
CREATE INDEX `subscriptions_created_idx` ON `subscriptions` (`created_at`,`id`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `subscriptions_customer_idx` ON `subscriptions` (`customer`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `subscriptions_plan_idx` ON `subscriptions` (`plan`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `subscriptions_deal_idx` ON `subscriptions` (`deal`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE TABLE `tracked_events` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text NOT NULL,
	`deleted_at` text,
	`name` text,
	`properties` text,
	`contact` text,
	`lead` text,
	`deal` text,
	`value` real
);
--> statement-breakpoint
CREATE INDEX `tracked_events_created_idx` ON `tracked_events` (`created_at`,`id`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `tracked_events_name_idx` ON `tracked_events` (`name`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `tracked_events_contact_idx` ON `tracked_events` (`contact`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `tracked_events_lead_idx` ON `tracked_events` (`lead`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `tracked_events_deal_idx` ON `tracked_events` (`deal`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
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
