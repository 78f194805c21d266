CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text NOT NULL,
	`deleted_at` text,
	`to` text,
	`subject` text,
	`body` text,
	`kind` text,
	`status` text,
	`provider` text,
	`provider_id` text,
	`error` text,
	`sent_at` text,
	`cause` text,
	`contact` text,
	`deal` text,
	`lead` text,
	`activity` text
);
--> statement-breakpoint
CREATE INDEX `messages_created_idx` ON `messages` (`created_at`,`id`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `messages_kind_idx` ON `messages` (`kind`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `messages_cause_idx` ON `messages` (`cause`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `messages_contact_idx` ON `messages` (`contact`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `messages_deal_idx` ON `messages` (`deal`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `messages_lead_idx` ON `messages` (`lead`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `messages_activity_idx` ON `messages` (`activity`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text NOT NULL,
	`deleted_at` text,
	`recipient` text,
	`title` text,
	`body` text,
	`kind` text,
	`link` text,
	`status` text,
	`read_at` text,
	`cause` text,
	`deal` text,
	`lead` text,
	`activity` text
);
--> statement-breakpoint
CREATE INDEX `notifications_created_idx` ON `notifications` (`created_at`,`id`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `notifications_recipient_idx` ON `notifications` (`recipient`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `notifications_kind_idx` ON `notifications` (`kind`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `notifications_cause_idx` ON `notifications` (`cause`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `notifications_deal_idx` ON `notifications` (`deal`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `notifications_lead_idx` ON `notifications` (`lead`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `notifications_activity_idx` ON `notifications` (`activity`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE TABLE `dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`body` text NOT NULL,
	`attempts` integer NOT NULL,
	`received_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dead_letters_received_idx` ON `dead_letters` (`received_at`);--> statement-breakpoint
CREATE TABLE `job_effects` (
	`key` text PRIMARY KEY NOT NULL,
	`done_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `job_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`started_at` text NOT NULL,
	`finished_at` text,
	`items` integer DEFAULT 0 NOT NULL,
	`changed` integer DEFAULT 0 NOT NULL,
	`outcome` text NOT NULL,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `job_runs_started_idx` ON `job_runs` (`started_at`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`subscription` text NOT NULL,
	`event_id` text NOT NULL,
	`event_type` text NOT NULL,
	`url` text NOT NULL,
	`attempt` integer NOT NULL,
	`status` text NOT NULL,
	`response_status` integer,
	`error` text,
	`webhook_id` text NOT NULL,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_at_idx` ON `webhook_deliveries` (`at`);--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_deliveries_attempt_uniq` ON `webhook_deliveries` (`webhook_id`,`attempt`);