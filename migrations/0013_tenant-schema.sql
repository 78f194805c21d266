ALTER TABLE `activities` ADD `custom` text;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `custom` text;--> statement-breakpoint
ALTER TABLE `contacts` ADD `custom` text;--> statement-breakpoint
ALTER TABLE `contracts` ADD `custom` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `custom` text;--> statement-breakpoint
ALTER TABLE `deals` ADD `custom` text;--> statement-breakpoint
ALTER TABLE `lead_scores` ADD `custom` text;--> statement-breakpoint
ALTER TABLE `leads` ADD `custom` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `custom` text;--> statement-breakpoint
ALTER TABLE `notifications` ADD `custom` text;--> statement-breakpoint
ALTER TABLE `organizations` ADD `custom` text;--> statement-breakpoint
ALTER TABLE `plans` ADD `custom` text;--> statement-breakpoint
ALTER TABLE `proposals` ADD `custom` text;--> statement-breakpoint
ALTER TABLE `stages` ADD `custom` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `custom` text;--> statement-breakpoint
ALTER TABLE `tracked_events` ADD `custom` text;--> statement-breakpoint
ALTER TABLE `tenant` ADD `schema` text DEFAULT '{"nouns":{}}' NOT NULL;--> statement-breakpoint
ALTER TABLE `tenant` ADD `schema_version` integer DEFAULT 0 NOT NULL;