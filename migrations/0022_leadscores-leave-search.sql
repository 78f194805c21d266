-- A LeadScore's only text is its reason, a machine value ('created', 'rescored', 'updated: budget'):
-- it is no longer searched (src/domain/search.ts), so its entries leave the index. A score is found
-- through its lead.
DELETE FROM `search_fts` WHERE rowid IN (SELECT `rowid` FROM `search_docs` WHERE `entity_type` = 'LeadScore');--> statement-breakpoint
DELETE FROM `search_docs` WHERE `entity_type` = 'LeadScore';
