/**
 * One Durable Object per tenant. A thin shell: migrate on start, authenticate each call, hand the
 * operation to `dispatch`, and return failures as data. Business rules live in src/domain.
 */
import { DurableObject } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/durable-sqlite'
import { AppError } from '../domain/errors'
import { createHandle } from '../domain/engine/handle'
import type { Actor, EntityRecord } from '../domain/engine/types'
import { provisionTenant } from '../domain/tenant-defaults'
import { webhookTargetPolicy } from '../domain/webhook-target'
import { appendAudit } from './audit'
import { allowedOrigin, capture, publicActor, type CaptureRequest, type CaptureResult } from './capture-ops'
import { engineContext, type DispatchContext } from './context'
import { dispatch } from './dispatch'
import { remember, replay } from './idempotency'
import { RateLimiter } from './rate-limit'
import { endSessionByToken, withSignInLink } from './accounts'
import { requestSignInLink, signInWithLink, type SignedIn } from './people-ops'
import { authenticationChallenge, credentialForSignIn, signInWithPasskey, type StoredCredential } from './passkeys'
import { ingest, type IngestRequest } from './sources'
import type { JobMessage } from './jobs/messages'
import { runJob, type JobResult } from './jobs'
import { recordDeadLetter } from './jobs/runs'
import { recordDelivery } from './jobs/webhooks'
import { flushOutbox } from './outbox'
import { foldingCounters, repairInexactCounters } from './analytics'
import { runVerb } from '../domain/engine/run-verb'
import type { TenantRegistry } from '../domain/schema/registry'
import { BUILT_IN_REGISTRY, tenantRegistry } from './tenant-nouns'
import type { Db } from './db'
import { EntityStore } from './entity-store'
import { migrateSchema } from './fresh-schema'
import { asyncOutcomeOf, outcomeOf } from './failure'
import type { Credentials, Operation, Outcome, TenantInit } from './operations'
import * as schema from './schema'
import { entityTables } from './schema/tables'
import { TenantState } from './tenant-state'
import { backfillSearchIndex } from './search-backfill'
import { linkUnchained } from './event-chain'
import { LiveFeed } from './live-feed'
import { feedLimits, feedLog, parseSocketMessage, readFeedRequest } from './live-feed-wiring'
import { Recovery, type BackupRequest, type BackupSummary, type RestoreInit, type RestoreProgress } from './recovery'

const SYSTEM: Actor = { id: 'system', role: 'system' }
const OPERATOR: Actor = { id: 'operator', role: 'system' }
/** Operations that write, and so honour Idempotency-Key. */
const WRITES = new Set<Operation['kind']>(['verb', 'steps', 'keys.create', 'keys.revoke', 'sources.create', 'sources.revoke', 'settings.put', 'import', 'contacts.forget'])

export class TenantDO extends DurableObject<Env> {
  private readonly db: Db
  private readonly store: EntityStore
  private readonly state: TenantState
  private readonly feed: LiveFeed
  private readonly recovery: Recovery

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.db = drizzle(ctx.storage, { schema })
    this.store = new EntityStore(this.db, ctx.storage.sql, entityTables, BUILT_IN_REGISTRY)
    this.state = new TenantState(this.db)
    this.feed = new LiveFeed(ctx, feedLog(this.db, ctx.storage.sql), feedLimits(env), (credentials) => this.state.admits(credentials))
    this.recovery = new Recovery(ctx, env, { state: this.state, transaction: (fn) => this.transaction(fn), provision: () => this.provision(), wiped: () => ((this.provisioned = false), this.state.invalidate()) })
    // A client's "ping" is answered by the runtime, without waking a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'))
    // An object nobody created stays empty: probing unknown slugs must not write schemas.
    if (this.isProvisioned())
      void ctx.blockConcurrencyWhile(async () => {
        await migrateSchema(this.db)
        if (this.transaction(() => repairInexactCounters(this.store))) console.warn('rebuilt inexact analytics counters', this.state.info()?.slug)
        this.transaction(() => backfillSearchIndex(this.store, this.nouns()))
        this.transaction(() => linkUnchained(ctx.storage.sql))
      })
  }

  /** Applies the migrations to a new object; a new tenant has nothing written before its search index: 0018's marker goes. */
  private async provision() {
    await migrateSchema(this.db)
    this.provisioned = true
    if (!this.state.info()) this.transaction(() => backfillSearchIndex(this.store, this.nouns()))
  }

  /** Creates the tenant with its first admin key; 409 if this object already is a tenant. */
  async init(input: TenantInit): Promise<Outcome<{ slug: string; name: string; status: string; createdAt: string; owner?: { id: string; email: string } }>> {
    await this.provision()
    return this.outcome(() => {
      if (this.state.info()) throw new AppError('conflict', `tenant '${input.slug}' already exists`)
      const now = new Date().toISOString()
      return this.transaction(() => {
        const row = this.state.create(input.slug, input.name, now)
        this.state.addKey({ id: input.adminKey.id, name: 'initial admin key', role: 'admin', hash: input.adminKey.hash, createdAt: now, createdBy: 'operator' })
        const engine = engineContext(this.dispatchContext(SYSTEM, 'provision', input.baseUrl))
        const $ = createHandle(engine, { cause: null, depth: 0 }, runVerb)
        const { defaultPlan } = provisionTenant($)
        this.state.writeSettings({ ...this.state.settings(), defaultPlan })
        const owner = input.owner ? $.User.create({ email: input.owner.email, name: input.owner.name, role: 'owner' }) : undefined
        return { slug: row.slug, name: row.name, status: row.status, createdAt: row.createdAt, ...(owner ? { owner: { id: owner.$id, email: owner.email } } : {}) }
      })
    })
  }

  /** Builds this new tenant from a backup, one bounded step per call until `done` (src/durable/restore.ts). */
  async restore(init: RestoreInit): Promise<Outcome<RestoreProgress>> {
    return this.outcomeOf(() => this.recovery.restore(init))
  }

  /** Where a restore under way stands, for the operator (`GET /tenants/{slug}/restore`); null when there is none. */
  async restoreStatus(): Promise<RestoreProgress | null> {
    return this.recovery.restoreStatus() ?? null
  }

  /** `POST /backups` (an admin's credentials) and the nightly job: the log and what it does not hold, to R2 (src/durable/backup-ops.ts). */
  async backup(request: BackupRequest): Promise<Outcome<BackupSummary>> {
    return this.outcomeOf(async () => {
      if (!this.isProvisioned()) throw new AppError('not_found', 'tenant not found')
      return this.recovery.backup(request)
    })
  }

  async call(credentials: Credentials, op: Operation): Promise<Outcome> {
    let replayed = false
    const outcome = this.outcome(() => {
      if (!this.isProvisioned()) throw new AppError('not_found', 'tenant not found')
      const actor = this.state.authenticate(credentials)
      const idempotency = WRITES.has(op.kind) ? credentials.idempotency : undefined
      if (idempotency) {
        const prior = replay(this.ctx.storage.sql, actor.id, idempotency)
        if (prior) {
          replayed = true
          return prior.value
        }
      }
      const ctx = this.dispatchContext(actor, credentials.requestId, credentials.baseUrl)
      if (!idempotency) return dispatch(ctx, op)
      // The answer is remembered in the write's own transaction (the operation's nests inside it):
      // a fault between the two can neither commit a write a retry would repeat, nor remember an
      // answer for a write that rolled back.
      return this.transaction(() => {
        const value = dispatch(ctx, op)
        remember(this.ctx.storage.sql, actor.id, idempotency, value)
        return value
      })
    })
    return outcome.ok && replayed ? { ...outcome, replayed } : outcome
  }

  /** Sign-out: the session ends here, whatever the browser keeps. */
  async endSession(tokenHash: string): Promise<void> {
    if (!this.isProvisioned()) return
    endSessionByToken(this.db, tokenHash)
    this.feed.endSession(tokenHash)
  }

  /**
   * The live feed (`GET /events/stream`, `GET /events/ws`), reached from the edge route with the
   * request's credentials and its already-validated subscription: a failure comes back as JSON
   * `{ failure }` with its status, for the edge to answer as problem+json.
   */
  override async fetch(request: Request): Promise<Response> {
    const outcome = this.outcome(() => {
      if (!this.isProvisioned()) throw new AppError('not_found', 'tenant not found')
      const { credentials, subscription, socket, offersRevline } = readFeedRequest(request)
      const actor = this.state.authenticate(credentials)
      const principal = actor.via ?? actor.id
      return socket ? this.feed.openSocket(principal, credentials, subscription, offersRevline) : this.feed.openStream(principal, credentials, subscription)
    })
    if (outcome.ok) return outcome.value
    return Response.json({ failure: outcome.failure }, { status: 400 })
  }

  /** A socket's `subscribe` message (anything else is answered with an error message, the socket stays). */
  override async webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const parsed = parseSocketMessage(message)
    if ('error' in parsed) socket.send(JSON.stringify({ op: 'error', ...parsed.error }))
    else this.feed.resubscribe(socket, parsed.subscription)
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    try {
      socket.close(code === 1005 || code === 1006 ? 1000 : code, 'closed')
    } catch {}
  }

  /** `POST /auth/email` (public): the same answer for every address; a link is sent only to a user who may sign in. */
  async requestSignIn(request: { email: string; clientHash: string; requestId: string; baseUrl: string }): Promise<Outcome<{ retryAfter?: number }>> {
    return this.outcome(() => {
      const ctx = this.requireActive(this.publicContext('system', request.requestId, 'system', request.baseUrl))
      return requestSignInLink(ctx, this.limiter, request)
    })
  }

  /** Spends a sign-in link for a new session (its token's hash): 401 for a used, expired or unknown link. */
  async signInWithLink(request: { linkHash: string; sessionHash: string; userAgent?: string | null; requestId: string }): Promise<Outcome<SignedIn>> {
    return this.outcome(() => signInWithLink(this.requireActive(this.publicContext('system', request.requestId, 'system')), request))
  }

  /** `POST /auth/passkey/options` (public): a sign-in challenge, or how long to wait (per client, and a ceiling on live ones). */
  async passkeyChallenge(request: { clientHash: string; requestId: string }): Promise<Outcome<{ challenge: string } | { retryAfter: number }>> {
    return this.outcome(() => authenticationChallenge(this.requireActive(this.publicContext('system', request.requestId, 'system')), this.limiter, request.clientHash))
  }

  /** Passkey sign-in, step one: spends the challenge, answers the credential to verify against (401 if unknown here). */
  async passkeyCredential(request: { challenge: string; credentialId: string; requestId: string }): Promise<Outcome<StoredCredential>> {
    return this.outcome(() => credentialForSignIn(this.requireActive(this.publicContext('system', request.requestId, 'system')), request))
  }

  /** Passkey sign-in, step two (the assertion verified): moves the counter on and opens a session; 401 for a deactivated user. */
  async signInWithPasskey(request: { passkeyId: string; counter: { from: number; to: number }; sessionHash: string; userAgent?: string | null; requestId: string }): Promise<Outcome<SignedIn>> {
    return this.outcome(() => signInWithPasskey(this.requireActive(this.publicContext('system', request.requestId, 'system')), request))
  }

  /** Public capture (no key): 404 for unknown or suspended tenants. */
  async capture(request: CaptureRequest): Promise<{ outcome: Outcome<CaptureResult>; corsOrigin: string | null }> {
    const ctx = this.publicContext(request.clientHash, request.requestId)
    const corsOrigin = ctx ? allowedOrigin(ctx, request.origin) : null
    return { outcome: await this.outcomeOf(() => capture(this.requireActive(ctx), this.limiter, request)), corsOrigin }
  }

  /** CORS preflight for capture: the origin if this tenant allows it. */
  async captureOrigin(origin: string | null): Promise<string | null> {
    const ctx = this.publicContext('preflight', 'preflight')
    return ctx && this.state.info()?.status === 'active' ? allowedOrigin(ctx, origin) : null
  }

  /** Signed webhook ingestion (no key; the signature is the credential). */
  async ingest(request: IngestRequest): Promise<Outcome> {
    return this.outcome(() => ingest(this.requireActive(this.publicContext(`source:${request.sourceId}`, request.requestId, 'webhook')), request))
  }

  /** A background job (from the queue consumer); unknown or suspended tenants have nothing to do. */
  async runJob(job: JobMessage): Promise<Outcome<JobResult>> {
    return this.outcome(() => runJob(this.requireActive(this.publicContext('system', `job:${job.type}`, 'system')), this.email(), job))
  }

  async recordDelivery(delivery: Parameters<typeof recordDelivery>[1]): Promise<boolean> {
    return recordDelivery(this.db, delivery)
  }

  async recordDeadLetter(letter: { id: string; type: string; body: unknown; attempts: number }): Promise<void> {
    if (this.isProvisioned()) recordDeadLetter(this.db, letter)
  }

  /** Carries on a restore under way; else sends the outbox to the queue, rescheduling itself with backoff while the queue refuses. */
  override async alarm(info?: AlarmInvocationInfo): Promise<void> {
    if (await this.recovery.resume()) return
    const slug = this.state.info()?.slug
    if (!slug) return
    try {
      while ((await flushOutbox(this.ctx.storage.sql, this.env.JOBS, slug)) > 0) {}
    } catch (error) {
      console.error('outbox flush failed', slug, error)
      await this.ctx.storage.setAlarm(Date.now() + Math.min(60_000, 1000 * 2 ** (info?.retryCount ?? 0)))
    }
  }

  /** Queued messages for the real email provider (src/queues/email.ts). */
  async queuedMessages(ids: string[]): Promise<unknown[]> {
    const noun = this.nouns().byName('Message')!
    const queued = ids.map((id) => this.store.get(noun, id)).filter((m): m is EntityRecord => m !== undefined && m.status === 'Queued')
    return queued.map((message) => withSignInLink(this.db, message, this.tenantBaseUrl()))
  }

  async markMessage(id: string, result: { ok: boolean; providerId?: string; error?: string }): Promise<void> {
    const ctx = this.publicContext('system', 'email', 'system')
    if (!ctx) return
    const engine = engineContext(ctx)
    const input = result.ok ? { status: 'Sent', sentAt: new Date().toISOString(), providerId: result.providerId ?? null } : { status: 'Failed', error: result.error ?? 'failed' }
    this.transaction(() => runVerb(engine, { noun: ctx.nouns.byName('Message')!, verb: 'update', id, input }))
  }

  private email() {
    return { provider: this.env.EMAIL_PROVIDER ?? 'local' }
  }

  /** Operator: suspend or reactivate this tenant. */
  async setStatus(status: 'active' | 'suspended'): Promise<Outcome<{ status: string }>> {
    return this.outcome(() => {
      if (!this.isProvisioned() || !this.state.info()) throw new AppError('not_found', 'tenant not found')
      return this.transaction(() => {
        this.state.setStatus(status)
        appendAudit(this.ctx.storage.sql, OPERATOR, 'operator', { type: status === 'active' ? 'tenant.reactivated' : 'tenant.suspended', entityType: 'Tenant', entityId: 'tenant', verb: status === 'active' ? 'reactivate' : 'suspend', data: null })
        return { status }
      })
    })
  }

  private readonly limiter = new RateLimiter()

  private publicContext(client: string, requestId: string, kind: 'public' | 'webhook' | 'system' = 'public', baseUrl?: string): DispatchContext | undefined {
    if (!this.isProvisioned() || !this.state.info()) return undefined
    const actor: Actor = kind === 'system' ? SYSTEM : kind === 'webhook' ? { id: client, role: 'public' } : publicActor(client)
    return this.dispatchContext(actor, requestId, baseUrl)
  }

  /** Suspended and unknown tenants look the same to the public: not found. */
  private requireActive(ctx: DispatchContext | undefined): DispatchContext {
    if (!ctx || this.state.info()?.status !== 'active') throw new AppError('not_found', 'tenant not found')
    return ctx
  }

  /** The base URL the last request reached this tenant by: sign-in links made outside a request (jobs) use it. */
  private baseUrl: string | undefined

  private tenantBaseUrl(given?: string): string {
    if (given) this.baseUrl = given
    return this.baseUrl ?? `http://localhost:8787/~${this.state.info()?.slug ?? ''}`
  }

  private dispatchContext(actor: Actor, requestId: string, baseUrl?: string): DispatchContext {
    return {
      store: this.store,
      actor,
      requestId,
      transaction: (fn) => this.transaction(fn),
      now: () => this.now(),
      tenant: this.state,
      nouns: this.nouns(),
      onEnqueue: () => void this.scheduleFlush(),
      webhookTargets: webhookTargetPolicy(this.env.ALLOW_PRIVATE_WEBHOOK_TARGETS),
      baseUrl: this.tenantBaseUrl(baseUrl),
      emailProvider: this.email().provider,
    }
  }

  /** The outbox is flushed by the alarm right after the current call commits. */
  private flushScheduled = false
  private async scheduleFlush() {
    if (this.flushScheduled) return
    this.flushScheduled = true
    try {
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now())
    } finally {
      this.flushScheduled = false
    }
  }

  /**
   * One storage transaction; cached tenant state and cached reads are dropped if it rolls back.
   * Called inside another it nests as a savepoint (an import's row, a write under an
   * Idempotency-Key); a nested rollback drops the caches too, as what they hold may be undone.
   */
  private transaction<T>(fn: () => T): T {
    if (this.transactionDepth++ === 0) this.store.forgetTransactionReads()
    try {
      const value = this.ctx.storage.transactionSync(() => foldingCounters(this.ctx.storage.sql, fn))
      // Committed: live listeners may now see what it appended (after the output gate opens).
      if (this.transactionDepth === 1) this.feed.wake()
      return value
    } catch (error) {
      this.state.invalidate()
      this.store.forgetCachedReads()
      // A schema change that rolled back leaves the registry it built behind: read the stored one again.
      this.registryVersion = -1
      throw error
    } finally {
      if (--this.transactionDepth === 0) {
        this.transactionClock = undefined
        this.store.forgetTransactionReads()
      }
    }
  }

  private transactionDepth = 0
  private transactionClock: string | undefined
  /**
   * One clock reading per transaction: a capture's contact, lead and events share one instant, so
   * no `$updatedAt` is ever before its `$createdAt`.
   */
  private now(): string {
    if (this.transactionDepth === 0) return new Date().toISOString()
    return (this.transactionClock ??= new Date().toISOString())
  }

  /**
   * The tenant's nouns, rebuilt when its schema version moves (a schema change, or a rollback of
   * one): the store then reads and writes through the same set.
   */
  private nouns(): TenantRegistry {
    const info = this.state.info()
    const version = info?.schemaVersion ?? 0
    if (this.registryVersion !== version) {
      this.registry = info ? tenantRegistry(info.schema) : BUILT_IN_REGISTRY
      this.store.useNouns(this.registry)
      this.registryVersion = version
    }
    return this.registry
  }
  private registry: TenantRegistry = BUILT_IN_REGISTRY
  private registryVersion = 0

  private provisioned = false
  private isProvisioned(): boolean {
    if (!this.provisioned) this.provisioned = this.ctx.storage.sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tenant'`).toArray().length > 0
    return this.provisioned
  }

  /** Failures as data for the trip over RPC (src/durable/failure.ts). */
  private readonly outcome = outcomeOf
  private readonly outcomeOf = asyncOutcomeOf
}
