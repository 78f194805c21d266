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

/** A user's role in the team; `owner` acts with the admin role and alone may make or unmake owners. */
export type UserRole = 'owner' | 'admin' | 'member'

/**
 * Who is acting: a user (`user_…`, through a key or a session), a service API key (`key_…`), a
 * public visitor (`public:<ip hash>`) or `system`. Events name `id`, and `via` when a user acted.
 */
export interface Actor {
  /** The user when a person acts, else the key (or `public:…`, `system`, `operator`). */
  id: string
  role: Role
  /** The user's own role (owner/admin/member); `role` is what the key or session may do. */
  userRole?: UserRole
  /** The key (`key_…`) or session (`ses_…`) through which the user acted. */
  via?: string
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
  /** The key or session through which the actor (a user) acted; null for keys, visitors and the system. */
  via: string | null
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
  /** The previous event's hash and this one's (hex SHA-256; src/domain/event-chain.ts). */
  prevHash?: string
  hash?: string
}

/** A background job as hooks describe it; the tenant is added when it is sent. */
export type OutboxJob = { type: string } & Record<string, unknown>
