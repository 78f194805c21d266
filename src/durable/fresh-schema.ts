/**
 * Bringing an object's schema up to date. A new object (no migration ever ran) gets the end state
 * of every migration in one script (migrations/fresh/schema.sql, generated from migrations/ by
 * scripts/schema-snapshot.mjs) instead of the migrations replayed one by one: replaying them
 * (about 240 statements with table rebuilds, renames and backfills on empty tables) was most of
 * provisioning a tenant. The script is recorded in drizzle's journal as the newest migration it
 * contains, so the migrations written after it apply as usual. An object that already has a
 * schema is migrated step by step, as always.
 */
import { migrate } from 'drizzle-orm/durable-sqlite/migrator'
import migrations from '../../migrations/migrations.js'
import snapshot from '../../migrations/fresh/schema.sql'
import type { Db } from './db'

const newest = migrations.journal.entries.at(-1)!
/** The snapshot's own statement of the migration it reaches (its second line). */
const reaches = /^-- through: (\S+) (\d+)$/m.exec(snapshot)

/** True when the snapshot was made from exactly today's migrations (a stale file is never used). */
export const snapshotIsCurrent = reaches?.[1] === newest.tag && Number(reaches[2]) === newest.when

const isNew = (db: Db) => db.$client.sql.exec(`SELECT 1 FROM sqlite_master WHERE name = '__drizzle_migrations'`).toArray().length === 0

/** Applies the schema: the snapshot to a new object (when current), then any migration it lacks. */
export async function migrateSchema(db: Db): Promise<void> {
  if (snapshotIsCurrent && isNew(db)) {
    await migrate(db, { journal: { entries: [{ idx: 0, when: newest.when, tag: newest.tag, breakpoints: true }] }, migrations: { m0000: snapshot } })
  }
  await migrate(db, migrations)
}
