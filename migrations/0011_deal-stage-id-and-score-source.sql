ALTER TABLE `deals` ADD `stage_id` text;--> statement-breakpoint
CREATE INDEX `deals_stage_id_idx` ON `deals` (`stage_id`) WHERE "deleted_at" IS NULL;--> statement-breakpoint
ALTER TABLE `leads` ADD `score_source` text;--> statement-breakpoint
-- Backfill: existing deals point at the live stage their name names (stage names are unique among live stages).
UPDATE `deals` SET `stage_id` = (SELECT `id` FROM `stages` WHERE `stages`.`name` = `deals`.`stage` AND `stages`.`deleted_at` IS NULL LIMIT 1) WHERE `stage_id` IS NULL;--> statement-breakpoint
-- Existing scores were computed by the rules unless a LeadScore row says a person set them.
UPDATE `leads` SET `score_source` = CASE WHEN (SELECT `reason` FROM `lead_scores` WHERE `lead_scores`.`lead` = `leads`.`id` ORDER BY `created_at` DESC, `id` DESC LIMIT 1) = 'manual' THEN 'manual' ELSE 'rules' END WHERE `score` IS NOT NULL;
