/**
 * A restore's second phase: what the restored log folds to. The tenant's schema and settings at the
 * restore point, then every entity as the `after` of its last event (no `after`: it is gone), into
 * its table, the search index and the analytics counters. Events are read only as events
 * (`selectEvents` + `toEventRecord`: upcast, and unsealed where sealed), never as their raw columns.
 */
import { and, asc, gt, inArray, sql } from 'drizzle-orm'
import { contributions, type Contribution } from '../domain/analytics/contributions'
import { AppError } from '../domain/errors'
import { readSchemaDoc, type NounBody, type SchemaDoc } from '../domain/schema/doc'
import { readSettings, TenantSettings } from '../domain/settings'
import { applyDelta } from './analytics'
import type { Db } from './db'
import type { EntityStore } from './entity-store'
import { selectEvents, toEventRecord } from './event-log'
import { events } from './schema'
import { settingsConflicts } from './schema-ops'
import { tenantRegistry } from './tenant-nouns'

/** The tenant's configuration at the restore point. */
export interface PointInTime {
  schema: SchemaDoc
  schemaVersion: number
  settings: TenantSettings
  /** Settings sections reset to their defaults: as the backup held them they name what the schema at the point lacks. */
  settingsReset: string[]
}

/** The source tenant's row as the backup holds it (settings and schema as their JSON text). */
export interface SourceTenant {
  settings: unknown
  schema: unknown
  schemaVersion: number
}

const CONFIG_EVENTS = ['schema.changed', 'manifest.applied', 'settings.updated']
const UNKNOWN = Symbol('unknown')
const json = (text: unknown) => (typeof text === 'string' ? JSON.parse(text) : text)

/**
 * The schema document at the point: the backup's own when no schema change came after the point
 * (the version folded from the log is the stored one); otherwise folded from the log's
 * `schema.changed` (and `manifest.applied`) events, which carry each noun's body. Settings: each
 * section as its last `settings.updated` at or before the point set it, the others as the backup
 * holds them (configuration, not history), reset where they name what that schema lacks.
 */
export function pointInTime(db: Db, source: SourceTenant): PointInTime {
  let nouns: Record<string, NounBody> = {}
  let version = 0
  let complete = true
  const sections = new Map<string, unknown>()
  for (let after = 0; ; ) {
    const rows = selectEvents(db).where(and(inArray(events.type, CONFIG_EVENTS), gt(events.seq, after))).orderBy(asc(events.seq)).limit(200).all()
    if (rows.length === 0) break
    for (const row of rows) {
      const event = toEventRecord(db, row)
      after = event.seq
      const data = (event.data ?? {}) as Record<string, unknown>
      if (event.type === 'schema.changed' && typeof data.noun === 'string') {
        nouns = { ...nouns }
        if (data.after && typeof data.after === 'object') nouns[data.noun] = data.after as NounBody
        else delete nouns[data.noun]
        if (typeof data.version === 'number') version = data.version
      } else if (event.type === 'manifest.applied') {
        if (typeof data.schemaVersion === 'number') {
          version = data.schemaVersion
          const doc = data.schema as SchemaDoc | undefined
          if (doc?.nouns) nouns = { ...doc.nouns }
          // A manifest applied before its event carried the schema: the document it made is not in the log.
          else complete = false
        }
        for (const change of Array.isArray(data.changes) ? (data.changes as { path?: unknown }[]) : [])
          if (typeof change.path === 'string' && change.path.startsWith('settings.')) sections.set(change.path.split('.')[1]!, UNKNOWN)
      } else if (event.type === 'settings.updated') for (const [section, value] of Object.entries(data)) sections.set(section, value)
    }
  }
  let schema: SchemaDoc
  if (version === source.schemaVersion) schema = readSchemaDoc(json(source.schema))
  else if (complete) schema = readSchemaDoc({ nouns })
  else throw new AppError('validation_failed', 'the schema at this point is not in the log (a manifest applied before it was recorded changed it): restore to a later point', [{ path: 'restoreFrom.untilSeq', message: 'is before a schema change the log does not describe' }])

  const defaults = readSettings({})
  let settings = readSettings(json(source.settings))
  for (const [section, value] of sections) {
    if (value === UNKNOWN || !Object.hasOwn(defaults, section)) continue
    // A value this version no longer reads keeps the backup's.
    const next = TenantSettings.safeParse({ ...settings, [section]: value })
    if (next.success) settings = next.data
  }
  const registry = tenantRegistry(schema)
  const settingsReset: string[] = []
  for (let conflicts = settingsConflicts(settings, registry); conflicts.length > 0; conflicts = settingsConflicts(settings, registry)) {
    const section = conflicts[0]!.path.split('.')[1] as keyof TenantSettings
    if (!Object.hasOwn(defaults, section) || settingsReset.includes(section)) throw new AppError('validation_failed', `the settings do not fit the schema at this point: ${conflicts[0]!.path} ${conflicts[0]!.message}`, [{ path: 'restoreFrom', message: 'settings and schema disagree at this point' }])
    settingsReset.push(section)
    settings = { ...settings, [section]: defaults[section] }
  }
  return { schema, schemaVersion: version, settings, settingsReset }
}

/** The last event of each entity's stream (its `version` is the stream's newest; events_stream_uniq serves the walk and the lookup). */
const LAST_IN_STREAM = sql`"events"."version" = (SELECT max(p."version") FROM "events" p WHERE p."entity_id" = "events"."entity_id")`

/**
 * Folds the entities whose ids come after `after`, up to `limit` streams (inside the caller's
 * transaction): each row written as its last event's `after`, indexed for search, counted in the
 * analytics counters. Answers the cursor for the next page (none at the end) and how many it wrote.
 */
export function foldPage(store: EntityStore, db: Db, after: string, limit: number): { next: string | undefined; entities: number } {
  const rows = selectEvents(db).where(and(gt(events.entityId, after), LAST_IN_STREAM)).orderBy(asc(events.entityId)).limit(limit).all()
  const delta: Contribution = new Map()
  let entities = 0
  for (const row of rows) {
    const event = toEventRecord(db, row)
    // No `after`: the entity is gone (a dropped noun's rows), or the stream is an audit entry's.
    if (!event.after) continue
    const noun = store.nouns.byName(event.entityType)
    if (!noun) throw new AppError('validation_failed', `the log holds ${event.entityType} ${event.entityId}, a noun the schema at this point does not have`, [{ path: 'restoreFrom.backup', message: 'does not fold to a tenant' }])
    store.insert(noun, event.after)
    for (const [key, c] of contributions(event.after)) {
      const total = delta.get(key) ?? { n: 0, sum: 0, extra: 0 }
      delta.set(key, { n: total.n + c.n, sum: total.sum + c.sum, extra: total.extra + c.extra })
    }
    entities++
  }
  applyDelta(store.sql, delta)
  return { next: rows.length === limit ? rows.at(-1)!.entityId : undefined, entities }
}
