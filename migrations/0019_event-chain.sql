CREATE TABLE `event_chain` (
	`seq` integer PRIMARY KEY NOT NULL,
	`prev_hash` blob NOT NULL,
	`hash` blob NOT NULL
);
--> statement-breakpoint
CREATE TABLE `subject_keys` (
	`subject` text PRIMARY KEY NOT NULL,
	`key` blob NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `events` ADD `sealed` text;--> statement-breakpoint
ALTER TABLE `job_runs` ADD `chain_seq` integer;--> statement-breakpoint
ALTER TABLE `job_runs` ADD `chain_head` text;--> statement-breakpoint
-- The chain is as immutable as the log it hashes; events written before this migration are linked by
-- the tenant object at its next start (src/durable/event-chain.ts), SQLite having no SHA-256.
CREATE TRIGGER `event_chain_no_update` BEFORE UPDATE ON `event_chain` BEGIN SELECT RAISE(ABORT, 'the event chain is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `event_chain_no_delete` BEFORE DELETE ON `event_chain` BEGIN SELECT RAISE(ABORT, 'the event chain is append-only'); END;
