/** The append-only event log: append inside a verb's transaction, read by type, entity, actor, position. */
import { and, asc, eq, getTableColumns, gt, gte, lt, lte, desc, or, sql, type SQL } from 'drizzle-orm'
import { GENESIS, hashHex } from '../domain/event-chain'
import { cachedHead, linkHash, rememberHead, type ChainHead } from './chain-head'
import { afterWithMeta, afterWithoutMeta, dataAsKeys, dataFromKeys, type DataEntry, type EventColumns } from './event-data'
import { eventTypes } from '../domain/event-filter'
import type { EventRecord, NewEvent } from '../domain/engine/types'
import { lastRowid, type Db } from './db'
import { eventChain, events } from './schema'
import { upcast } from './upcast'
import { holdsPersonalValue, personalFields, withoutPersonalData } from '../domain/personal-data'
import { NOUNS } from '../domain/nouns'
import { restore, seal, takePersonal, unseal, type Sealed } from './sealing'
import { subjectKeysOf } from './subject-keys'

type EventRow = typeof events.$inferSelect & {
  /** The previous version's `sealed`, when `before` is read from its `after` (see readBefore). */
  beforeSealed: string | null
  /** The previous version's instant and actor (`[at, actor]` as JSON), when `before` is read from its `after`. */
  beforeMeta: string | null
  prevHash: ArrayBufferLike | Uint8Array | null
  hash: ArrayBufferLike | Uint8Array | null
}

type Json = Record<string, unknown>

const hex = (bytes: ArrayBufferLike | Uint8Array | null) => (bytes ? hashHex(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)) : undefined)

/** A stored row as the event it records, in today's shape (old events go through their upcasters). */
export function toEventRecord(db: Db, row: EventRow): EventRecord {
  const { sealed, beforeSealed, beforeMeta, prevHash, hash, ...columns } = row
  // A create's after, and a before read from it, stored without their `$` fields (src/durable/event-data.ts).
  const stored = { ...columns, after: afterWithMeta(columns.after as Json | null, columns), before: beforeMeta ? afterWithMeta(columns.before as Json | null, priorColumns(columns, beforeMeta)) : columns.before }
  const read = withPersonalData(db.$client.sql, stored as unknown as EventRecord, sealed, beforeSealed)
  // A create's data stored as the list of its keys in `after` (src/durable/event-data.ts).
  const event = Array.isArray(read.data) ? { ...read, data: dataFromKeys(read.data as DataEntry[], read.after) } : read
  return { ...upcast(db, event), prevHash: hex(prevHash), hash: hex(hash) }
}

const plainIn = (value: Record<string, unknown> | null, fields: readonly string[]) =>
  !!value && fields.some((name) => holdsPersonalValue(value[name]))
const holdsPlainPersonalData = (event: EventRecord, fields: readonly string[]) =>
  fields.length > 0 && (plainIn(event.data, fields) || plainIn(event.before, fields) || plainIn(event.after, fields))

/**
 * The event's personal values put back from its sealed column while the record's key exists
 * (src/durable/sealing.ts); a forgotten record's stay null. Events written before sealing existed
 * hold theirs in plain text: for a forgotten record they are hidden here, on every read (they are
 * built-in nouns' fields: the log of that time knew no others).
 */
function withPersonalData(sql: SqlStorage, event: EventRecord, sealed: string | null, beforeSealed: string | null): EventRecord {
  if (!sealed && !beforeSealed) {
    const noun = Object.hasOwn(NOUNS, event.entityType) ? NOUNS[event.entityType as keyof typeof NOUNS].schema : undefined
    // Since sealing, a personal value is never stored in the clear: only an older event can hold one,
    // and only then is the record's key worth a lookup.
    if (!noun || !holdsPlainPersonalData(event, personalFields(noun)) || subjectKeysOf(sql).lookup(event.entityId) !== 'forgotten') return event
    return { ...event, data: event.data && withoutPersonalData(event.data, noun), before: event.before && withoutPersonalData(event.before, noun), after: event.after && withoutPersonalData(event.after, noun) }
  }
  const key = subjectKeysOf(sql).lookup(event.entityId)
  if (!(key instanceof Uint8Array)) return event
  const own: Sealed = (sealed && unseal(key, sealed)) || {}
  const previous: Sealed = (beforeSealed && unseal(key, beforeSealed)) || {}
  return { ...event, data: restore(event.data, own.d), before: restore(event.before, own.b ?? previous.a), after: restore(event.after, own.a) }
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

const readBeforeSealed = sql<
  string | null
>`CASE WHEN "events"."before" IS NULL THEN (SELECT p."sealed" FROM "events" p WHERE p."entity_id" = "events"."entity_id" AND p."version" = "events"."version" - 1) END`

const readBeforeMeta = sql<
  string | null
>`CASE WHEN "events"."before" IS NULL THEN (SELECT json_array(p."at", p."actor") FROM "events" p WHERE p."entity_id" = "events"."entity_id" AND p."version" = "events"."version" - 1) END`

const priorColumns = (event: EventColumns, meta: string): EventColumns => {
  const [at, actor] = JSON.parse(meta) as [string, string]
  return { entityId: event.entityId, entityType: event.entityType, version: event.version - 1, at, actor }
}

/** SELECT of whole events, `before` included (see readBefore), with their links in the chain. */
export const selectEvents = (db: Db) =>
  db
    .select({ ...getTableColumns(events), before: readBefore, beforeSealed: readBeforeSealed, beforeMeta: readBeforeMeta, prevHash: sql.raw(linkPrevHash('"event_chain"')).mapWith(eventChain.prevHash), hash: eventChain.hash })
    .from(events)
    .leftJoin(eventChain, eq(eventChain.seq, events.seq))

const storesBefore = (event: NewEvent) => !(event.before && event.before.$id === event.entityId && event.before.$version === event.version - 1)

// No RETURNING: the seq is read with lastRowid (./db: cheaper; events have no insert trigger).
const APPEND = `INSERT INTO events (id, type, entity_type, entity_id, verb, version, actor, actor_role, via, request_id, at, data, before, after, cause, sealed)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value))

/** The newest event's seq, 0 for an empty log: where a live listener that wants only what comes next starts. */
export function logHead(sql: SqlStorage): number {
  return sql.exec<{ seq: number }>('SELECT seq FROM events ORDER BY seq DESC LIMIT 1').toArray()[0]?.seq ?? 0
}

/**
 * A link's `prev_hash` is always the hash of the link before it, so a new link stores it empty
 * (32 bytes less per event) and every read takes it from that link: `linkPrevHash('c')` is the SQL
 * for the link aliased `c` (GENESIS, 32 zero bytes, for the first; NULL when there is no link).
 * Links written before keep theirs in full, and it is read as stored. Backups write it in full.
 * Verification compares it with the hash it recomputes, so an event removed behind the API still
 * shows as a link that does not follow.
 */
export const linkPrevHash = (alias: string) =>
  `CASE WHEN length(${alias}."prev_hash") = 0 THEN coalesce((SELECT p."hash" FROM "event_chain" p WHERE p."seq" < ${alias}."seq" ORDER BY p."seq" DESC LIMIT 1), zeroblob(32)) ELSE ${alias}."prev_hash" END`

const LINK = 'INSERT INTO event_chain (seq, prev_hash, hash) VALUES (?, ?, ?)'
const IMPLIED = new ArrayBuffer(0)

/**
 * Writes the link of the event at `seq`, whose hash covers the previous link's (see linkPrevHash):
 * the one way links are written (an append, linking an older log, a restore after its check).
 */
export function appendLink(sql: SqlStorage, seq: number, hash: Uint8Array): void {
  sql.exec(LINK, seq, IMPLIED, bufferOf(hash))
}

/** SQLite binds an ArrayBuffer as a blob; a hash owns its buffer, GENESIS is copied. */
const bufferOf = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer

/** The chain's newest link (none for an empty log): where the next event links, and the head an auditor notes. */
export function newestLink(sql: SqlStorage): { seq: number; hash: Uint8Array } | undefined {
  const row = sql.exec<{ seq: number; hash: ArrayBuffer }>('SELECT seq, hash FROM event_chain ORDER BY seq DESC LIMIT 1').toArray()[0]
  return row ? { seq: row.seq, hash: new Uint8Array(row.hash) } : undefined
}

/**
 * The event as stored: personal values (`personal`: the noun's personal fields) sealed with the
 * record's key, made on its first personal write (src/durable/sealing.ts).
 */
function sealPersonal(sql: SqlStorage, event: NewEvent, personal: readonly string[]) {
  const keepsBefore = storesBefore(event)
  const keys = event.verb === 'create' ? dataAsKeys(event.data, event.after, personal) : undefined
  const [data, d] = keys ? [keys, undefined] : takePersonal(event.data, personal)
  const [before, b] = keepsBefore ? takePersonal(event.before, personal) : [null, undefined]
  const [full, a] = takePersonal(event.after, personal)
  const after = (event.verb === 'create' && afterWithoutMeta(full, event)) || full
  // A create's event (version 1, nothing before) is its record's first write: no key to look up.
  const created = event.version === 1 && event.before === null
  const sealed = d || b || a ? seal(subjectKeysOf(sql).keyFor(event.entityId, event.at, created), { d, b, a }) : null
  return { data: json(data), before: keepsBefore ? json(before) : null, after: json(after), sealed }
}

/**
 * One prepared INSERT per event and one for its link in the chain (this runs inside every verb's
 * transaction, so an event and its hash are written together or not at all).
 */
export function appendEvent(sql: SqlStorage, event: NewEvent, personal: readonly string[] = []): EventRecord {
  const { data, before, after, sealed } = sealPersonal(sql, event, personal)
  const stored = {
    id: event.id,
    type: event.type,
    entity_type: event.entityType,
    entity_id: event.entityId,
    verb: event.verb,
    version: event.version,
    actor: event.actor,
    actor_role: event.actorRole,
    via: event.via,
    request_id: event.requestId,
    at: event.at,
    data,
    before,
    after,
    cause: event.cause,
    sealed,
  }
  const { id, type, entity_type, entity_id, verb, version, actor, actor_role, via, request_id, at, cause } = stored
  sql.exec(APPEND, id, type, entity_type, entity_id, verb, version, actor, actor_role, via, request_id, at, data, before, after, cause, sealed)
  const seq = lastRowid(sql)
  let head = cachedHead(sql)
  // A remembered head at or past the new seq is not this log's (never expected; read it again).
  if (!head || head.seq >= seq) head = readHead(sql)
  const hash = linkHash(head.hash, { seq, ...stored })
  appendLink(sql, seq, hash)
  const link = { seq, hash, hex: hashHex(hash) }
  rememberHead(sql, link)
  return { ...event, seq, prevHash: head.hex, hash: link.hex }
}

function readHead(sql: SqlStorage): ChainHead {
  const link = newestLink(sql)
  const hash = link?.hash ?? GENESIS
  return { seq: link?.seq ?? 0, hash, hex: hashHex(hash) }
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
