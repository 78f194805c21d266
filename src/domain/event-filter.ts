/**
 * Which events a reader of the log wants: the same filter `/events` takes, applied in memory to
 * events the live feed hands out (the log's own reads filter in SQL, src/durable/event-log.ts).
 */
import { z } from 'zod'

export interface EventFilter {
  /** `deal.won`, `deal.*` for every event of a noun, or several of either, comma-separated (`lead.*,deal.won`). */
  type?: string
  entity?: string
  actor?: string
}

export function eventMatches(filter: EventFilter, event: { type: string; entityId: string; actor: string }): boolean {
  if (filter.type !== undefined && !eventTypes(filter.type).some((t) => (t.endsWith('.*') ? event.type.startsWith(t.slice(0, -1)) : event.type === t))) return false
  if (filter.entity !== undefined && event.entityId !== filter.entity) return false
  if (filter.actor !== undefined && event.actor !== filter.actor) return false
  return true
}

/** A type filter's parts: `lead.*,deal.won` → ['lead.*', 'deal.won']. */
export const eventTypes = (type: string): string[] => type.split(',')

/** At most this many types in one filter. */
export const MAX_EVENT_TYPES = 20
const ONE_TYPE = '[a-z][a-z0-9-]*\\.(?:[a-z][a-z0-9-]*|\\*)'
/** One type (`deal.won`, `deal.*`) or up to MAX_EVENT_TYPES of them, comma-separated. */
export const EVENT_TYPE_LIST = new RegExp(`^${ONE_TYPE}(?:,${ONE_TYPE}){0,${MAX_EVENT_TYPES - 1}}$`)

/** The filter's fields as readers give them (`/events`, the live feed's URL and its `subscribe` message). */
export const eventFilterFields = {
  type: z.string().max(1000).regex(EVENT_TYPE_LIST, `is an event type such as deal.won or deal.*, or up to ${MAX_EVENT_TYPES} of them comma-separated`).optional(),
  entity: z.string().max(64).optional(),
  actor: z.string().max(128).optional(),
}
