/**
 * What the edge holds to talk to one tenant's object: the tenant middleware (src/http/tenant.ts)
 * makes one per request; HTTP routes, MCP tools and dashboard pages run operations through it.
 */
import type { Action } from '../domain/access'
import type { Role } from '../domain/engine/types'
import type { Credentials, Operation } from './operations'
import type { TenantRegistry } from '../domain/schema/registry'
import type { FeedSubscription } from './live-feed'
import type { BackupSummary } from './backup-store'

/** Who the request's key is, as the tenant object's `authenticate` answers it. */
export interface Identity {
  actor: string
  role: Role
}

/** What the tenant middleware puts on the context: the slug and a way to run an operation. */
export interface TenantClient {
  slug: string
  /** The request's Idempotency-Key, if any (imports derive one key per batch from it). */
  idempotencyKey: string | undefined
  /** `idempotency` overrides the request's (null: none), for calls that are parts of one request. */
  run<T = unknown>(op: Operation, options?: { idempotency?: Credentials['idempotency'] | null }): Promise<T>
  /** The key's actor and role: asked of the tenant object once per request (401 for a bad key). */
  authenticate(): Promise<Identity>
  /**
   * 403 unless the key's role may `action`, before the route reads anything else of the request.
   * Actions every key role has cost nothing here: the tenant object checks the key when the operation runs.
   */
  authorize(action: Action): Promise<void>
  /**
   * Opens the live feed in the tenant's object (SSE or a WebSocket upgrade) with this request's
   * credentials; a refusal (401, 403, 429) is thrown as its AppError.
   */
  openFeed(transport: 'stream' | 'socket', subscription: FeedSubscription): Promise<Response>
  /** The tenant's nouns, built-in ones with its own schema on top (one small read of the object, then cached by version). */
  nouns(): Promise<TenantRegistry>
  /** Backs the tenant up to R2 with this request's credentials (admins; src/durable/backup-ops.ts). */
  backup(): Promise<BackupSummary>
}
