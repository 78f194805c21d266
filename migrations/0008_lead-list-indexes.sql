DROP INDEX `leads_status_idx`;--> statement-breakpoint
DROP INDEX `leads_source_idx`;--> statement-breakpoint
CREATE INDEX `leads_status_score_idx` ON `leads` (`status`,`score`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `leads_source_score_idx` ON `leads` (`source`,`score`) WHERE "deleted_at" IS NULL;