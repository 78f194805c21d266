DROP INDEX `leads_status_score_idx`;--> statement-breakpoint
DROP INDEX `leads_source_score_idx`;--> statement-breakpoint
CREATE INDEX `leads_status_score_id_idx` ON `leads` (`status`,`score`,`id`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `leads_source_score_id_idx` ON `leads` (`source`,`score`,`id`) WHERE "deleted_at" IS NULL;