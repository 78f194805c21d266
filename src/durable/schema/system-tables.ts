/** Tables every tenant object has besides its nouns: the event log, keys, dashboard sessions, the tenant row, the outbox. */
import { sql } from 'drizzle-orm'
import { blob, index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/** Append-only (triggers in migrations refuse UPDATE and DELETE); `seq` is the global position. */
export const events = sqliteTable(
  'events',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull(),
    type: text('type').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    verb: text('verb').notNull(),
    version: integer('version').notNull(),
    actor: text('actor').notNull(),
    actorRole: text('actor_role').notNull(),
    /** The key (`key_…`) or session (`ses_…`) a user acted through; null when the actor is not a user. */
    via: text('via'),
    requestId: text('request_id').notNull(),
    at: text('at').notNull(),
    data: text('data', { mode: 'json' }),
    before: text('before', { mode: 'json' }),
    after: text('after', { mode: 'json' }),
    cause: text('cause'),
    /**
     * The personal fields of `data`, `before` and `after`, taken out of those columns and sealed
     * (XChaCha20-Poly1305) with the key of the person they describe (`subject_keys`): forgetting the
     * person destroys the key, and the sealed bytes, still hashed into the chain, say nothing.
     */
    sealed: text('sealed'),
  },
  (t) => [
    uniqueIndex('events_id_uniq').on(t.id),
    // One entity's versions form a stream: a version can be written once.
    uniqueIndex('events_stream_uniq').on(t.entityId, t.version),
    index('events_type_idx').on(t.type, t.seq),
    index('events_actor_idx').on(t.actor, t.seq),
    // No index on `at`: the only read by instant (asOf) is within one entity's stream, which the
    // stream index finds; one fewer entry per event on every write (migration 0020).
  ],
)

/**
 * The hash chain over the log, one row per event (append-only, like the log): `hash` = SHA-256 of
 * `prev_hash` and the event's stored bytes (src/domain/event-chain.ts). A separate table so events
 * written before the chain existed are linked at start without rewriting the log. `prev_hash` is
 * stored empty by appendLink: it is the previous link's hash, read through linkPrevHash
 * (src/durable/event-log.ts).
 */
export const eventChain = sqliteTable('event_chain', {
  seq: integer('seq').primaryKey(),
  prevHash: blob('prev_hash', { mode: 'buffer' }).notNull(),
  hash: blob('hash', { mode: 'buffer' }).notNull(),
})

/**
 * One key per person whose data the log holds (a contact, and what was copied from it): the key
 * seals the personal fields of their events. `POST /contacts/{id}/forget` deletes the rows.
 */
export const subjectKeys = sqliteTable('subject_keys', {
  subject: text('subject').primaryKey(),
  key: blob('key', { mode: 'buffer' }).notNull(),
  createdAt: text('created_at').notNull(),
})

/** API keys: only the SHA-256 of the secret is stored. */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    role: text('role', { enum: ['admin', 'member'] }).notNull(),
    hash: text('hash').notNull(),
    createdAt: text('created_at').notNull(),
    createdBy: text('created_by').notNull(),
    lastUsedAt: text('last_used_at'),
    revokedAt: text('revoked_at'),
    /** The user the key belongs to (it never has more rights than they do); null for a service key. */
    userId: text('user_id'),
  },
  (t) => [uniqueIndex('api_keys_hash_uniq').on(t.hash), index('api_keys_user_idx').on(t.userId)],
)

/**
 * Signed-in sessions: the browser's cookie holds a random token, this table only its SHA-256. A
 * session belongs to a user (signed in by email link or passkey); `id` is what the user sees and
 * revokes in `GET /me/sessions`. Signing out, revoking, or deactivating the user deletes the row,
 * and a row past `expires_at` is refused.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    tokenHash: text('token_hash').notNull(),
    userId: text('user_id').notNull(),
    /** How the session was opened: 'email' (a sign-in link) or 'passkey'. */
    method: text('method').notNull(),
    userAgent: text('user_agent'),
    createdAt: text('created_at').notNull(),
    lastSeenAt: text('last_seen_at').notNull(),
    expiresAt: text('expires_at').notNull(),
  },
  (t) => [uniqueIndex('sessions_token_uniq').on(t.tokenHash), index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)],
)

/**
 * Single-use sign-in links (invitations and email sign-ins): only the token's SHA-256 is stored.
 * A link is spent when used (`used_at`) and refused after `expires_at` (15 minutes; 7 days for an
 * invitation).
 */
export const signInLinks = sqliteTable(
  'sign_in_links',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id').notNull(),
    purpose: text('purpose', { enum: ['invitation', 'sign-in'] }).notNull(),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
    usedAt: text('used_at'),
  },
  (t) => [index('sign_in_links_user_idx').on(t.userId), index('sign_in_links_expires_idx').on(t.expiresAt)],
)

/**
 * Passkeys (WebAuthn credentials) of users: the public key only, so a copy of the database signs
 * nobody in. `credential_id` is the authenticator's id (base64url), unique in the tenant; `id` is
 * what the user sees and removes. `counter` is the signature counter last seen: an assertion must
 * move it forward (unless the authenticator keeps none and always says 0).
 */
export const passkeys = sqliteTable(
  'passkeys',
  {
    id: text('id').primaryKey(),
    credentialId: text('credential_id').notNull(),
    userId: text('user_id').notNull(),
    /** The COSE public key, base64url. */
    publicKey: text('public_key').notNull(),
    counter: integer('counter').notNull().default(0),
    /** How the browser may reach the authenticator (`internal`, `hybrid`, `usb`…), as it said at registration. */
    transports: text('transports', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    name: text('name').notNull(),
    /** Whether the credential is synced between devices (backed up), as the authenticator said. */
    backedUp: integer('backed_up', { mode: 'boolean' }).notNull().default(false),
    createdAt: text('created_at').notNull(),
    lastUsedAt: text('last_used_at'),
  },
  (t) => [uniqueIndex('passkeys_credential_uniq').on(t.credentialId), index('passkeys_user_idx').on(t.userId)],
)

/**
 * WebAuthn challenges, single use and short lived (5 minutes): spending one deletes it, whether the
 * ceremony then succeeds or not. A registration challenge is the user's (`user_id`); a sign-in
 * challenge belongs to nobody yet (usernameless: the passkey says whose it is).
 */
export const webauthnChallenges = sqliteTable(
  'webauthn_challenges',
  {
    challenge: text('challenge').primaryKey(),
    purpose: text('purpose', { enum: ['registration', 'authentication'] }).notNull(),
    userId: text('user_id'),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
  },
  (t) => [index('webauthn_challenges_expires_idx').on(t.expiresAt)],
)

/** The single row describing this tenant (`id = 1`). */
export const tenant = sqliteTable('tenant', {
  id: integer('id').primaryKey(),
  slug: text('slug').notNull(),
  name: text('name').notNull(),
  status: text('status', { enum: ['active', 'suspended'] }).notNull(),
  createdAt: text('created_at').notNull(),
  settings: text('settings', { mode: 'json' }).notNull().default(sql`'{}'`),
  /** The tenant's own schema (src/domain/schema/doc.ts): custom fields and nouns in the Noun DSL. */
  schema: text('schema', { mode: 'json' }).notNull().default(sql`'{"nouns":{}}'`),
  /** Bumped by every schema change: the edge's and the object's derived registries key on it. */
  schemaVersion: integer('schema_version').notNull().default(0),
})

/** Side effects that leave the object, written in the verb's transaction and sent after commit. */
export const outbox = sqliteTable(
  'outbox',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull(),
    topic: text('topic').notNull(),
    payload: text('payload', { mode: 'json' }).notNull(),
    cause: text('cause'),
    createdAt: text('created_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    sentAt: text('sent_at'),
  },
  (t) => [uniqueIndex('outbox_id_uniq').on(t.id), index('outbox_pending_idx').on(t.sentAt, t.seq)],
)

/** Signed webhook sources (form providers): the secret verifies Standard Webhooks signatures. */
export const sources = sqliteTable('sources', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  secret: text('secret').notNull(),
  mapping: text('mapping', { mode: 'json' }).notNull(),
  createdAt: text('created_at').notNull(),
  createdBy: text('created_by').notNull(),
  lastReceivedAt: text('last_received_at'),
  revokedAt: text('revoked_at'),
})

/** Webhook ids already processed per source: a replayed delivery is acknowledged, never applied twice. */
export const webhookReceipts = sqliteTable(
  'webhook_receipts',
  {
    sourceId: text('source_id').notNull(),
    webhookId: text('webhook_id').notNull(),
    receivedAt: text('received_at').notNull(),
    result: text('result', { mode: 'json' }),
  },
  (t) => [uniqueIndex('webhook_receipts_uniq').on(t.sourceId, t.webhookId), index('webhook_receipts_at_idx').on(t.receivedAt)],
)

/** `Idempotency-Key` replays: the first successful answer to a key, with a hash of its request. */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    key: text('key').primaryKey(),
    requestHash: text('request_hash').notNull(),
    response: text('response', { mode: 'json' }).notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('idempotency_keys_created_idx').on(t.createdAt)],
)

/** Every background job run (GET /jobs): what ran, when, how much it did, how it ended. */
export const jobRuns = sqliteTable(
  'job_runs',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    startedAt: text('started_at').notNull(),
    finishedAt: text('finished_at'),
    items: integer('items').notNull().default(0),
    changed: integer('changed').notNull().default(0),
    /** Items seen but not acted on (an overdue task without an owner, say). */
    skipped: integer('skipped').notNull().default(0),
    outcome: text('outcome', { enum: ['running', 'ok', 'failed'] }).notNull(),
    detail: text('detail'),
    /** The log's chain head when the run finished (seq and hex hash): heads taken at different times compare. */
    chainSeq: integer('chain_seq'),
    chainHead: text('chain_head'),
  },
  (t) => [index('job_runs_started_idx').on(t.startedAt)],
)

/** Side effects already done, by key (`nurture:<event>`, `reminder:<item>:<day>`): redelivery is harmless. */
export const jobEffects = sqliteTable('job_effects', {
  key: text('key').primaryKey(),
  doneAt: text('done_at').notNull(),
})

/** Messages that exhausted their retries (GET /jobs/dead). */
export const deadLetters = sqliteTable(
  'dead_letters',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    body: text('body', { mode: 'json' }).notNull(),
    attempts: integer('attempts').notNull(),
    receivedAt: text('received_at').notNull(),
  },
  (t) => [index('dead_letters_received_idx').on(t.receivedAt)],
)

/** Outbound webhook deliveries: one row per attempt, with what was sent and what came back. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    subscription: text('subscription').notNull(),
    eventId: text('event_id').notNull(),
    eventType: text('event_type').notNull(),
    url: text('url').notNull(),
    attempt: integer('attempt').notNull(),
    status: text('status', { enum: ['delivered', 'failed'] }).notNull(),
    responseStatus: integer('response_status'),
    error: text('error'),
    webhookId: text('webhook_id').notNull(),
    at: text('at').notNull(),
  },
  (t) => [index('webhook_deliveries_at_idx').on(t.at), uniqueIndex('webhook_deliveries_attempt_uniq').on(t.webhookId, t.attempt)],
)

/** Analytics counters (src/domain/analytics): updated by every verb in its transaction. */
export const aggregates = sqliteTable('aggregates', {
  key: text('key').primaryKey(),
  n: integer('n').notNull().default(0),
  sum: real('sum').notNull().default(0),
  extra: real('extra').notNull().default(0),
})

/**
 * Upcasters for the append-only log: events at or before `throughSeq` were written in an older
 * shape and are read through the named upcaster (src/durable/upcast.ts), so history, asOf and
 * replay speak today's shape without rewriting history.
 */
export const eventUpcasts = sqliteTable('event_upcasts', {
  name: text('name').primaryKey(),
  throughSeq: integer('through_seq').notNull(),
})
