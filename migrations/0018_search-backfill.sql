-- Records of a tenant's own nouns and the tenant's own text fields of built-in nouns, written before
-- the search index existed, were not in migration 0017's backfill (their fields are in the tenant's
-- schema document, which SQL cannot read). This marker asks the tenant object to index them once at
-- its next start (src/durable/search-backfill.ts), which then deletes it.
CREATE TABLE `search_backfill_pending` (`pending` integer PRIMARY KEY NOT NULL);
--> statement-breakpoint
INSERT INTO `search_backfill_pending` (`pending`) VALUES (1);
