/** The tenant object's drizzle database over its SQLite storage: every table of ./schema. */
import type { DrizzleSqliteDODatabase } from 'drizzle-orm/durable-sqlite'
import type * as schema from './schema'

/** `$client`: the object's storage, for the raw statements beside drizzle's (event sealing reads keys). */
export type Db = DrizzleSqliteDODatabase<typeof schema> & { $client: DurableObjectStorage }
