/** What the verb engine is given to run a call: storage, the tenant's nouns, the actor, clock, ids and settings. */
import type { NounSchema } from '../noun/noun'
import type { NounRegistry } from '../noun/registry'
import type { Condition } from '../query/filter'
import type { SortKey } from '../query/list-query'
import type { TenantSettings } from '../settings'
import type { TenantHandle } from './tenant-handle'
import type { Actor, EntityRecord, EventRecord, NewEvent, OutboxJob } from './types'

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
  /** How many entity writes this store has done (a position to ask `wroteSince` about). */
  readonly writeCount: number
  /** Whether this entity may have been written after position `since`: the engine re-reads an entity only if its hooks wrote it. */
  wroteSince(id: string, since: number): boolean
  /** Live entities matching a condition, in order, at most `limit`. */
  find(noun: NounSchema, where: Condition, options: { sort?: SortKey[]; limit: number }): EntityRecord[]
}

/**
 * What the people of a tenant need from the object that hosts it (issue 16): sign-in links, the
 * email port's delivery state, and ending a user's access. Hooks reach it as `$.accounts`.
 */
export interface AccountsPort {
  /** The tenant's display name, for emails. */
  readonly tenantName: string
  /** A fresh single-use sign-in link for the user (only its hash is stored): the URL to email. */
  signInLink(userId: string, purpose: 'invitation' | 'sign-in'): string
  /** How a new Message is recorded: Sent at once by the local (development) sender, else Queued for the provider. */
  delivery(): { status: 'Sent' | 'Queued'; provider: string; sentAt: string | null }
  /** Ends every session and revokes every key of the user, at once (deactivation). */
  endAccess(userId: string): void
}

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
  /** Sign-in links, email delivery and access for users; absent where no tenant object hosts the call (pure tests). */
  accounts?: AccountsPort
}
