/**
 * The records the verb engine works with (entities, events, actors, jobs), independent of storage
 * and transport. Imports nothing, so the noun grammar and hook signatures can use them; what the
 * engine is given to run (storage, nouns, clock, settings) is in ./context.
 */

/** An entity as the API shows it: meta fields plus the noun's stored fields (nulls omitted). */
export interface EntityRecord {
  $id: string
  $type: string
  $version: number
  $createdAt: string
  $updatedAt: string
  $createdBy: string
  /** Present only on soft-deleted entities (seen in the event log, never in reads). */
  $deletedAt?: string
  [field: string]: unknown
}

export type Role = 'admin' | 'member' | 'public' | 'system'

/** Who is acting: an API key (`key_…`), a public visitor (`public:<ip hash>`) or `system`. */
export interface Actor {
  id: string
  role: Role
}

export interface NewEvent {
  id: string
  /** `noun.past-tense`, e.g. `deal.won`. */
  type: string
  entityType: string
  entityId: string
  verb: string
  version: number
  actor: string
  actorRole: Role
  requestId: string
  at: string
  data: Record<string, unknown> | null
  before: EntityRecord | null
  after: EntityRecord | null
  /** Id of the event whose after hook caused this one. */
  cause: string | null
}

export interface EventRecord extends NewEvent {
  seq: number
}

/** A background job as hooks describe it; the tenant is added when it is sent. */
export type OutboxJob = { type: string } & Record<string, unknown>
