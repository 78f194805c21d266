/** The tenant object's drizzle database over its SQLite storage: every table of ./schema. */
import type { DrizzleSqliteDODatabase } from 'drizzle-orm/durable-sqlite'
import type * as schema from './schema'

/** `$client`: the object's storage, for the raw statements beside drizzle's (event sealing reads keys). */
export type Db = DrizzleSqliteDODatabase<typeof schema> & { $client: DurableObjectStorage }

/**
 * The rowid the connection's last INSERT made, read right after it in the same synchronous run. In
 * the object's SQLite an `INSERT … RETURNING` costs two to four times a plain INSERT and this read
 * (measured), so hot inserts (events, search documents) take their rowid this way.
 */
export const lastRowid = (sql: SqlStorage): number => sql.exec('SELECT last_insert_rowid()').raw().next().value![0] as number
