CREATE TABLE `aggregates` (
	`key` text PRIMARY KEY NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	`sum` real DEFAULT 0 NOT NULL,
	`extra` real DEFAULT 0 NOT NULL
);
