/**
 * Upcasting: the event log is append-only, so when the shape of what we store changes, old events
 * keep their old shape and are read through an upcaster into today's. A migration records how far
 * each upcaster reaches (`event_upcasts.through_seq`); history, asOf, replay, `/events` and webhook
 * payloads all read events through `upcast`, so they speak one shape.
 *
 * `money-in-major-units` (migration 0012): plan prices, proposal totals and line items, contract
 * values and tier prices were written in cents; every amount is now in major units.
 */
import type { EntityRecord, EventRecord } from '../domain/engine/types'
import type { Db } from './db'
import { eventUpcasts } from './schema'

type Json = Record<string, unknown>

const cents = (value: unknown) => (typeof value === 'number' ? value / 100 : value)
const lineItems = (items: unknown) => (Array.isArray(items) ? items.map((item) => (item && typeof item === 'object' ? { ...(item as Json), unitPrice: cents((item as Json).unitPrice) } : item)) : items)
const tiers = (list: unknown) => (Array.isArray(list) ? list.map((tier) => (tier && typeof tier === 'object' ? { ...(tier as Json), lineItems: lineItems((tier as Json).lineItems) } : tier)) : list)

/** The amounts each entity type held in cents, and how to convert one snapshot or patch. */
const MONEY_FIELDS: Readonly<Record<string, (shape: Json) => Json>> = {
  Plan: (s) => ('price' in s ? { ...s, price: cents(s.price) } : s),
  Proposal: (s) => ({ ...s, ...('total' in s ? { total: cents(s.total) } : {}), ...('lineItems' in s ? { lineItems: lineItems(s.lineItems) } : {}) }),
  Contract: (s) => ('value' in s ? { ...s, value: cents(s.value) } : s),
  Settings: (s) => ('tiers' in s ? { ...s, tiers: tiers(s.tiers) } : s),
}

function moneyInMajorUnits(event: EventRecord): EventRecord {
  if (!Object.hasOwn(MONEY_FIELDS, event.entityType)) return event
  const convert = MONEY_FIELDS[event.entityType]!
  const shape = <T extends Json | null>(value: T): T => (value && typeof value === 'object' ? (convert(value) as T) : value)
  return { ...event, data: shape(event.data), before: shape(event.before as EntityRecord | null), after: shape(event.after as EntityRecord | null) }
}

const UPCASTERS: Readonly<Record<string, (event: EventRecord) => EventRecord>> = { 'money-in-major-units': moneyInMajorUnits }

/** How far each upcaster reaches in this tenant's log, read once per database handle. */
const reach = new WeakMap<Db, readonly { name: string; throughSeq: number }[]>()

export function upcast(db: Db, event: EventRecord): EventRecord {
  let known = reach.get(db)
  if (!known) reach.set(db, (known = db.select().from(eventUpcasts).all().filter((u) => u.throughSeq > 0)))
  let out = event
  for (const { name, throughSeq } of known) if (event.seq <= throughSeq && Object.hasOwn(UPCASTERS, name)) out = UPCASTERS[name]!(out)
  return out
}
