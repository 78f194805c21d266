CREATE TABLE `idempotency_keys` (
	`key` text PRIMARY KEY NOT NULL,
	`request_hash` text NOT NULL,
	`response` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `idempotency_keys_created_idx` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE TABLE `sources` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`secret` text NOT NULL,
	`mapping` text NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`last_received_at` text,
	`revoked_at` text
);
--> statement-breakpoint
CREATE TABLE `webhook_receipts` (
	`source_id` text NOT NULL,
	`webhook_id` text NOT NULL,
	`received_at` text NOT NULL,
	`result` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_receipts_uniq` ON `webhook_receipts` (`source_id`,`webhook_id`);--> statement-breakpoint
CREATE INDEX `webhook_receipts_at_idx` ON `webhook_receipts` (`received_at`);