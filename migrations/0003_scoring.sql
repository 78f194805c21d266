CREATE TABLE `lead_scores` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`created_by` text NOT NULL,
	`deleted_at` text,
	`lead` text,
	`score` real,
	`band` text,
	`previous_score` real,
	`factors` text,
	`facts` text,
	`ruleset_version` integer,
	`reason` text
);
--> statement-breakpoint
CREATE INDEX `lead_scores_created_idx` ON `lead_scores` (`created_at`,`id`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `lead_scores_lead_idx` ON `lead_scores` (`lead`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
ALTER TABLE `leads` ADD `band` text;--> statement-breakpoint
ALTER TABLE `leads` ADD `agency_experience` integer;--> statement-breakpoint
CREATE INDEX `leads_status_idx` ON `leads` (`status`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `contacts_stage_idx` ON `contacts` (`stage`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `deals_stage_entered_at_idx` ON `deals` (`stage_entered_at`) WHERE "deleted_at" IS NULL;