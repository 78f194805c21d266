/**
 * Which events a reader of the log wants: the same filter `/events` takes, applied in memory to
 * events the live feed hands out (the log's own reads filter in SQL, src/durable/event-log.ts).
 */
import { z } from 'zod'

export interface EventFilter {
  /** `deal.won`, or `deal.*` for every event of a noun. */
  type?: string
  entity?: string
  actor?: string
}

export function eventMatches(filter: EventFilter, event: { type: string; entityId: string; actor: string }): boolean {
  if (filter.type !== undefined) {
    if (filter.type.endsWith('.*') ? !event.type.startsWith(filter.type.slice(0, -1)) : event.type !== filter.type) return false
  }
  if (filter.entity !== undefined && event.entityId !== filter.entity) return false
  if (filter.actor !== undefined && event.actor !== filter.actor) return false
  return true
}

/** The filter's fields as readers give them (`/events`, the live feed's URL and its `subscribe` message). */
export const eventFilterFields = {
  type: z.string().regex(/^[a-z][a-z0-9-]*\.([a-z][a-z0-9-]*|\*)$/, 'is an event type such as deal.won or deal.*').optional(),
  entity: z.string().max(64).optional(),
  actor: z.string().max(128).optional(),
}
