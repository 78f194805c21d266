/** The tenant object's drizzle database over its SQLite storage: every table of ./schema. */
import type { DrizzleSqliteDODatabase } from 'drizzle-orm/durable-sqlite'
import type * as schema from './schema'

export type Db = DrizzleSqliteDODatabase<typeof schema>
