-- One money unit (issue 14): every amount is in the major unit of its currency. Plan prices,
-- proposal totals and line items, contract values and the tenant's tier prices were cents: divide
-- them by 100. SQLite keeps a fraction in an INTEGER-affinity column as a REAL without loss, so the
-- columns keep their declared type instead of rebuilding three tables.
CREATE TABLE `event_upcasts` (
	`name` text PRIMARY KEY NOT NULL,
	`through_seq` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `contracts` ADD `currency` text;--> statement-breakpoint
UPDATE `plans` SET `price` = `price` / 100.0 WHERE `price` IS NOT NULL;--> statement-breakpoint
UPDATE `proposals` SET `total` = `total` / 100.0 WHERE `total` IS NOT NULL;--> statement-breakpoint
UPDATE `proposals` SET `line_items` = (
	SELECT json_group_array(json_set(`item`.`value`, '$.unitPrice', json_extract(`item`.`value`, '$.unitPrice') / 100.0)) FROM json_each(`proposals`.`line_items`) AS `item`
) WHERE json_type(`line_items`) = 'array';--> statement-breakpoint
UPDATE `contracts` SET `value` = `value` / 100.0 WHERE `value` IS NOT NULL;--> statement-breakpoint
UPDATE `contracts` SET `currency` = coalesce(
	(SELECT `currency` FROM `proposals` WHERE `proposals`.`id` = `contracts`.`proposal`),
	(SELECT `currency` FROM `deals` WHERE `deals`.`id` = `contracts`.`deal`),
	'USD'
);--> statement-breakpoint
UPDATE `tenant` SET `settings` = json_set(`settings`, '$.tiers', json((
	SELECT json_group_array(json_set(`tier`.`value`, '$.lineItems', json((
		SELECT json_group_array(json_set(`item`.`value`, '$.unitPrice', json_extract(`item`.`value`, '$.unitPrice') / 100.0)) FROM json_each(`tier`.`value`, '$.lineItems') AS `item`
	)))) FROM json_each(`tenant`.`settings`, '$.tiers') AS `tier`
))) WHERE json_type(`settings`, '$.tiers') = 'array';--> statement-breakpoint
-- The log keeps what was written: events up to here are read through the upcaster (src/durable/upcast.ts).
INSERT INTO `event_upcasts` (`name`, `through_seq`) VALUES ('money-in-major-units', (SELECT coalesce(max(`seq`), 0) FROM `events`));
