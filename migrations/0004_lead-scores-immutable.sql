-- Score history is immutable like the event log (seed 003: "an immutable record in lead_scores").
CREATE TRIGGER `lead_scores_no_update` BEFORE UPDATE ON `lead_scores` BEGIN SELECT RAISE(ABORT, 'lead scores are immutable'); END;
--> statement-breakpoint
CREATE TRIGGER `lead_scores_no_delete` BEFORE DELETE ON `lead_scores` BEGIN SELECT RAISE(ABORT, 'lead scores are immutable'); END;
