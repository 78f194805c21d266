/** The append-only event log: append inside a verb's transaction, read by type, entity, actor, position. */
import { and, asc, eq, getTableColumns, gt, gte, lt, lte, desc, or, sql, type SQL } from 'drizzle-orm'
import { eventTypes } from '../domain/event-filter'
import type { EventRecord, NewEvent } from '../domain/engine/types'
import type { Db } from './db'
import { events } from './schema'
import { upcast } from './upcast'

type EventRow = typeof events.$inferSelect

/** A stored row as the event it records, in today's shape (old events go through their upcasters). */
export function toEventRecord(db: Db, row: EventRow): EventRecord {
  return upcast(db, row as unknown as EventRecord)
}

/**
 * An event's `before` is the `after` of the previous event in the entity's stream whenever it is
 * the entity's previous version (every verb's update): it is not stored twice, saving the JSON and
 * the bytes on every update; reads take it back from the stream through its (entity_id, version)
 * index. Other events (creates, audit entries) store theirs (often null).
 */
// Written out in full: drizzle leaves columns unqualified in a one-table SELECT, and inside the
// subquery an unqualified `entity_id` would name p's own column.
const readBefore = sql`coalesce("events"."before", (SELECT p."after" FROM "events" p WHERE p."entity_id" = "events"."entity_id" AND p."version" = "events"."version" - 1))`.mapWith(events.before)

/** SELECT of whole events, `before` included (see readBefore). */
export const selectEvents = (db: Db) => db.select({ ...getTableColumns(events), before: readBefore }).from(events)

const storesBefore = (event: NewEvent) => !(event.before && event.before.$id === event.entityId && event.before.$version === event.version - 1)

const APPEND = `INSERT INTO events (id, type, entity_type, entity_id, verb, version, actor, actor_role, via, request_id, at, data, before, after, cause)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`
const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value))

/** The newest event's seq, 0 for an empty log: where a live listener that wants only what comes next starts. */
export function logHead(sql: SqlStorage): number {
  return sql.exec<{ seq: number }>('SELECT seq FROM events ORDER BY seq DESC LIMIT 1').toArray()[0]?.seq ?? 0
}

/** One prepared INSERT per event (this runs inside every verb's transaction). */
export function appendEvent(sql: SqlStorage, event: NewEvent): EventRecord {
  const row = sql
    .exec<{ seq: number }>(
      APPEND,
      event.id,
      event.type,
      event.entityType,
      event.entityId,
      event.verb,
      event.version,
      event.actor,
      event.actorRole,
      event.via,
      event.requestId,
      event.at,
      json(event.data),
      storesBefore(event) ? json(event.before) : null,
      json(event.after),
      event.cause,
    )
    .one()
  return { ...event, seq: row.seq }
}

export interface EventQuery {
  type?: string
  entity?: string
  actor?: string
  after?: number
  limit: number
}

/** `type` may end in `.*` (`deal.*`) to match every verb of a noun, and may list several, comma-separated. */
export function listEvents(db: Db, query: EventQuery): { data: EventRecord[]; next: string | null } {
  const conditions: SQL[] = []
  if (query.type) {
    const types = eventTypes(query.type).map((type): SQL => {
      if (!type.endsWith('.*')) return eq(events.type, type)
      // Range on the index instead of LIKE: 'deal.' ≤ type < 'deal/' ('/' sorts right after '.').
      const prefix = type.slice(0, -1)
      return and(gte(events.type, prefix), lt(events.type, `${prefix.slice(0, -1)}/`))!
    })
    conditions.push(types.length === 1 ? types[0]! : or(...types)!)
  }
  if (query.entity) conditions.push(eq(events.entityId, query.entity))
  if (query.actor) conditions.push(eq(events.actor, query.actor))
  if (query.after !== undefined) conditions.push(gt(events.seq, query.after))
  const rows = selectEvents(db)
    .where(and(...conditions))
    .orderBy(asc(events.seq))
    .limit(query.limit + 1)
    .all()
  const page = rows.slice(0, query.limit).map((row) => toEventRecord(db, row))
  return { data: page, next: rows.length > query.limit ? String(page.at(-1)!.seq) : null }
}

export function entityEvents(db: Db, entityId: string): EventRecord[] {
  return selectEvents(db).where(eq(events.entityId, entityId)).orderBy(asc(events.seq)).all().map((row) => toEventRecord(db, row))
}

/** The last event of an entity at or before an instant: its `after` is the entity as it was then. */
export function eventAsOf(db: Db, entityId: string, asOf: string): EventRecord | undefined {
  const row = selectEvents(db)
    .where(and(eq(events.entityId, entityId), lte(events.at, asOf)))
    .orderBy(desc(events.seq))
    .limit(1)
    .get()
  return row ? toEventRecord(db, row) : undefined
}
