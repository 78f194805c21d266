/** The shapes the verb engine works with, independent of storage and transport. */
import type { NounSchema } from '../noun/noun'
import type { NounRegistry } from '../noun/registry'
import type { Condition } from '../query/filter'
import type { SortKey } from '../query/list-query'
import type { TenantSettings } from '../settings'
import type { TenantHandle } from './handle'

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

/** The storage port the engine writes through; the Durable Object implements it over SQLite. */
export interface Store {
  /** A live (not deleted) entity, or undefined. */
  get(noun: NounSchema, id: string): EntityRecord | undefined
  /** An entity whether live or soft-deleted (for restore). */
  getAny(noun: NounSchema, id: string): EntityRecord | undefined
  insert(noun: NounSchema, entity: EntityRecord): void
  /** Writes `entity` over `before` (the stored state the verb loaded): only what changed is written. */
  update(noun: NounSchema, entity: EntityRecord, before: EntityRecord): void
  exists(noun: NounSchema, id: string): boolean
  /** Id of the live entity holding `value` in a unique field, if any. */
  findIdBy(noun: NounSchema, field: string, value: unknown): string | undefined
  appendEvent(event: NewEvent): EventRecord
  /** How many entity writes this store has done: the engine re-reads an entity only if hooks wrote. */
  readonly writeCount: number
  /** Live entities matching a condition, in order, at most `limit`. */
  find(noun: NounSchema, where: Condition, options: { sort?: SortKey[]; limit: number }): EntityRecord[]
}

/** A background job as hooks describe it; the tenant is added when it is sent. */
export type OutboxJob = { type: string } & Record<string, unknown>

export interface EngineContext {
  store: Store
  nouns: NounRegistry
  actor: Actor
  requestId: string
  /** The current instant as an ISO string; passed in so domain code stays deterministic. */
  now: () => string
  newId: (prefix: string) => string
  /** The tenant's settings (default plan, tiers, automations…), read lazily. */
  settings: () => TenantSettings
  /** Writes a job to the outbox in the current transaction; it is sent to the queue after commit. */
  enqueue: (job: OutboxJob, cause: string | null) => void
  /** Per-tenant reactions to every event (automations as data), run after the code hooks. */
  react?: (event: EventRecord, entity: EntityRecord, $: TenantHandle) => void
}
