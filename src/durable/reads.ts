/** Reads: filtered keyset lists, gets with includes, and history / asOf answered from the event log. */
import { and } from 'drizzle-orm'
import type { EntityRecord, EventRecord } from '../domain/engine/types'
import { AppError, notFound } from '../domain/errors'
import type { NounSchema } from '../domain/noun/noun'
import { own } from '../domain/own'
import type { ListQuery, SortKey } from '../domain/query/list-query'
import type { NounRegistry } from '../domain/noun/registry'
import type { EntityStore } from './entity-store'
import { entityEvents, eventAsOf } from './event-log'
import { afterRow, compileCondition, pointsTo } from './query/compile'

export interface Page<T> {
  data: T[]
  total: number
  next: string | null
}

/** Reverse lists are capped: a contact with thousands of leads is paged through `GET /leads?contact=`. */
export const MAX_REVERSE_INCLUDE = 100


export function list(store: EntityStore, noun: NounSchema, query: ListQuery, options: { count?: boolean } = {}): Page<EntityRecord> {
  const target = { table: store.table(noun), noun }
  const where = compileCondition(target, query.where, store.resolve)
  const total = options.count === false ? -1 : store.countLive(noun, where)

  const keyset = query.cursor ? decodeCursor(query.cursor, query.sort) : undefined
  const pageWhere = keyset ? and(where, afterRow(target, query.sort, keyset.values, keyset.id))! : where
  const rows = store.selectPage(noun, pageWhere, query.sort, { limit: query.limit + 1, offset: query.page ? (query.page - 1) * query.limit : undefined })
  const data = rows.slice(0, query.limit)
  const last = data.at(-1)
  const next = rows.length > query.limit && last ? encodeCursor(query.sort, last) : null
  return { data, total, next }
}

// Cursors are opaque to clients: base64url JSON of the sort signature, the last row's sort values and id.
function encodeCursor(sort: SortKey[], last: EntityRecord): string {
  const payload = [signature(sort), sort.map((k) => last[k.field] ?? null), last.$id]
  const bytes = new TextEncoder().encode(JSON.stringify(payload))
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function decodeCursor(cursor: string, sort: SortKey[]): { values: unknown[]; id: string } {
  try {
    const binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))
    // Our own output, parsed as written: not the JSON door, whose NUL check would strand a page after a row
    // stored before that check existed. Nothing below walks it recursively; only the shape check reads it.
    const json = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))) as unknown
    // One scalar per sort key, as encodeCursor wrote them: a forged cursor is refused, never bound as SQL.
    const scalars = (v: unknown): v is unknown[] => Array.isArray(v) && v.length === sort.length && v.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x))
    if (Array.isArray(json) && json.length === 3 && json[0] === signature(sort) && scalars(json[1]) && typeof json[2] === 'string') return { values: json[1], id: json[2] }
  } catch {
    // fall through to the error below
  }
  throw new AppError('invalid_query', 'the cursor is not valid for this query', [{ path: 'cursor', message: 'use the `next` value of the same query' }])
}

const signature = (sort: SortKey[]) => sort.map((k) => `${k.dir === 'desc' ? '-' : ''}${k.field}`).join(',')

/** `include=contact,leads`: forward relations are expanded in place, reverse lists are added. */
export function parseIncludes(noun: NounSchema, include: string | null | undefined, nouns: NounRegistry): string[] {
  if (!include) return []
  const names = include.split(',').map((s) => s.trim()).filter(Boolean)
  const errors = names
    .filter((name) => own(noun.fields, name)?.kind !== 'relation' && !own(noun.reverse, name))
    .map((name) => ({ path: 'include', message: `'${name}' is not a relation of ${noun.name}` }))
  for (const name of names) {
    const spec = own(noun.reverse, name)
    if (spec && !nouns.byName(spec.target)) errors.push({ path: 'include', message: `'${name}' lists ${spec.target}, which this tenant does not have` })
  }
  if (errors.length > 0) throw new AppError('invalid_query', 'include names unknown relations', errors)
  return names
}

export function expand(store: EntityStore, noun: NounSchema, entity: EntityRecord, includes: string[]): EntityRecord {
  const out: EntityRecord = { ...entity }
  for (const name of includes) {
    const field = own(noun.fields, name)
    if (field?.kind === 'relation') {
      const target = store.nouns.byName(field.target)!
      const value = entity[name]
      if (value == null) continue
      out[name] = field.list ? (value as string[]).map((id) => store.get(target, id) ?? id) : (store.get(target, value as string) ?? value)
    } else {
      const spec = own(noun.reverse, name)!
      const target = store.nouns.byName(spec.target)!
      const where = pointsTo({ table: store.table(target), noun: target }, spec.via, entity.$id)
      out[name] = store.selectPage(target, where, [{ field: '$createdAt', dir: 'asc' }], { limit: MAX_REVERSE_INCLUDE })
    }
  }
  return out
}

export interface HistoryEntry {
  version: number
  event: string
  /** The event's place in the log and its links in the hash chain. */
  seq: number
  prevHash?: string
  hash?: string
  type: string
  at: string
  actor: string
  entity: EntityRecord | null
}

/** Every version of an entity, from its events (deleted entities keep their history). */
export function history(store: EntityStore, noun: NounSchema, id: string): HistoryEntry[] {
  const log = entityEvents(store.db, id).filter((e) => e.entityType === noun.name)
  if (log.length === 0) throw notFound(`${noun.name} ${id}`)
  return log.map(historyEntry)
}

/** One event as a history entry: the version it made and the entity after it. */
export const historyEntry = (e: EventRecord): HistoryEntry => ({ version: e.version, event: e.id, seq: e.seq, prevHash: e.prevHash, hash: e.hash, type: e.type, at: e.at, actor: e.actor, entity: e.after })

/** The entity as it was at `asOf`, folded from the log: 404 if it did not exist or was deleted then. */
export function getAsOf(store: EntityStore, noun: NounSchema, id: string, asOf: string): EntityRecord {
  const event = eventAsOf(store.db, id, asOf)
  if (!event || event.entityType !== noun.name || !event.after || event.after.$deletedAt) throw notFound(`${noun.name} ${id} at ${asOf}`)
  return event.after
}
