/**
 * Tenant resolution and authentication at the edge. The slug comes from the `/~{slug}` path (host
 * form is rewritten to it in worker.ts); the key is hashed here and checked inside the tenant's own
 * object, so a key of tenant A can never be accepted by tenant B. Routes that need more than every
 * key has (`requires('admin')`, deletes) ask for the key's role before they parse anything, so a
 * member learns nothing of an admin request but 403; the tenant object checks again (defence in depth).
 */
import { createMiddleware } from 'hono/factory'
import { edgeRegistry, type SchemaSnapshot } from '../durable/tenant-nouns'
import { authorize, grantedToEveryKey, type Action } from '../domain/access'
import { AppError } from '../domain/errors'
import { bodyText } from './body'
import { sha256Hex } from './crypto'
import { readSessionCookie, tenantBaseUrl } from './session-cookie'
import { handleError } from './errors'
import type { Context } from 'hono'
import type { Credentials, Operation, Outcome } from '../durable/operations'
import type { Failure } from '../domain/errors'
import type { FeedSubscription } from '../durable/live-feed'
import type { Identity } from '../durable/tenant-client'
import type { BackupSummary } from '../durable/backup-store'
import type { AppEnv } from './types'

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/

/** The request's `/~{slug}`; anything that cannot be a slug is an unknown tenant. */
export function tenantSlug(c: Context<AppEnv>): string {
  const slug = (c.req.param('tenant') ?? '').slice(1)
  if (!SLUG_PATTERN.test(slug)) throw new AppError('not_found', 'tenant not found')
  return slug
}

/** The value of the tenant object's answer, or its failure thrown as the AppError it was. */
export function valueOf<T>(outcome: Outcome): T {
  if (!outcome.ok) throw AppError.fromFailure(outcome.failure)
  return outcome.value as T
}

export const tenantContext = createMiddleware<AppEnv>(async (c, next) => {
  const slug = tenantSlug(c)
  const key = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? socketProtocolKey(c)
  const baseUrl = tenantBaseUrl(c, slug)
  let base: Credentials
  if (key) base = { keyHash: await sha256Hex(key), requestId: c.get('requestId'), baseUrl }
  else {
    // `/me` also answers the signed-in browser (its session cookie); a cookie write must come from our
    // own pages: same Origin, and SameSite=Strict keeps other sites' requests from carrying it.
    const session = cookieAllowed(c) ? await readSessionCookie(c) : undefined
    if (!session) throw new AppError('unauthorized', 'send the API key as Authorization: Bearer <key>')
    if (!SAFE_METHODS.has(c.req.method) && c.req.header('origin') !== new URL(c.req.url).origin) throw new AppError('forbidden', 'a signed-in browser may change this only from the tenant’s own pages (Origin)')
    base = { sessionHash: session.hash, requestId: c.get('requestId'), baseUrl }
  }
  const stub = c.env.TENANT.getByName(slug)
  let called = false
  const send = async <T>(effective: Credentials, op: Operation): Promise<T> => {
    called = true
    const outcome = (await stub.call(effective, op)) as Outcome
    const value = valueOf<T>(outcome)
    if (outcome.ok && outcome.replayed) {
      c.set('replayed', true)
      c.header('Idempotent-Replayed', 'true')
    }
    return value
  }
  let identity: Promise<Identity> | undefined
  const authenticate = () => (identity ??= send<Identity>(base, { kind: 'authenticate' }))
  const idempotency = await idempotencyOf(c)
  const credentials: Credentials = idempotency instanceof AppError ? base : { ...base, ...idempotency }
  const run = async <T>(op: Operation, options: { idempotency?: Credentials['idempotency'] | null } = {}): Promise<T> => {
    // A malformed Idempotency-Key is told only to a caller whose key is good and whose role may do
    // what the route does: others learn nothing but 401 or 403.
    if (idempotency instanceof AppError) {
      await authenticate()
      throw idempotency
    }
    return send<T>(options.idempotency === undefined ? credentials : { ...base, ...(options.idempotency ? { idempotency: options.idempotency } : {}) }, op)
  }
  const authorizeAction = async (action: Action) => {
    if (grantedToEveryKey(action)) return
    const who = await authenticate()
    authorize({ id: who.actor, role: who.role }, action)
  }
  const openFeed = async (transport: 'stream' | 'socket', subscription: FeedSubscription): Promise<Response> => {
    called = true
    // Only the hashes and the request id cross over (the object authenticates them as for any call).
    const credentials = { ...(base.keyHash ? { keyHash: base.keyHash } : {}), ...(base.sessionHash ? { sessionHash: base.sessionHash } : {}), requestId: base.requestId }
    const headers = new Headers({ 'x-revline-credentials': JSON.stringify(credentials), 'x-revline-subscription': JSON.stringify(subscription) })
    if (transport === 'socket') headers.set('upgrade', 'websocket')
    // Which subprotocols the client offered, so the answer picks `revline` when asked (never the key).
    const offered = c.req.header('sec-websocket-protocol')
    if (transport === 'socket' && offered?.split(',').some((p) => p.trim() === 'revline')) headers.set('sec-websocket-protocol', 'revline')
    const response = await stub.fetch(`https://tenant.internal/feed/${transport}`, { headers })
    if (response.status === 400 && !response.webSocket) throw AppError.fromFailure(((await response.json()) as { failure: Failure }).failure)
    return response
  }
  const nouns = async () => edgeRegistry(slug, await send<SchemaSnapshot>(base, { kind: 'schema.doc' }))
  const backup = async () => {
    called = true
    return valueOf<BackupSummary>(await stub.backup({ credentials: base }))
  }
  c.set('tenant', { slug, run, authenticate, authorize: authorizeAction, nouns, openFeed, backup, idempotencyKey: credentials.idempotency?.key })
  await next()
  // A request refused at the edge (bad query, bad body) never reached the tenant object: make sure
  // the caller may talk to this tenant before telling them what was wrong with their request.
  if (!called && c.error instanceof AppError && INPUT_ERRORS.has(c.error.code)) {
    try {
      await authenticate()
    } catch (error) {
      c.res = handleError(error as Error, c)
    }
  }
})

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * A browser's WebSocket cannot send an Authorization header: on `/events/ws` the key may come as a
 * subprotocol instead, `new WebSocket(url, ['revline', 'bearer.' + key])` (as Kubernetes does), which,
 * unlike a query parameter, stays out of URLs and access logs. The server answers `revline`.
 */
function socketProtocolKey(c: Context<AppEnv>): string | undefined {
  if (!/\/events\/ws$/.test(c.req.path)) return undefined
  const offered = (c.req.header('sec-websocket-protocol') ?? '').split(',').map((p) => p.trim())
  return offered.find((p) => p.startsWith('bearer.') && p.length > 7)?.slice(7)
}

/**
 * The routes a session cookie authenticates besides the dashboard: `/me` and what hangs under it,
 * and the live feed (the dashboard's pages listen to it). A socket upgrade carries no CSRF token,
 * so a cookie-authenticated one must come from the tenant's own Origin.
 */
const cookieAllowed = (c: Context<AppEnv>) =>
  /^\/~[a-z0-9-]+\/(?:me(?:\/|$)|events\/stream$)/.test(c.req.path) || (/^\/~[a-z0-9-]+\/events\/ws$/.test(c.req.path) && c.req.header('origin') === new URL(c.req.url).origin)

/** Refuses the request with 403 before the route parses anything when the key's role may not `action`. */
export const requires = (action: Action) =>
  createMiddleware<AppEnv>(async (c, next) => {
    await c.var.tenant.authorize(action)
    await next()
  })

/** `Idempotency-Key` on a POST: the key and a hash of the request (method, path, query, body), or the 400 a malformed key earns. */
async function idempotencyOf(c: Context<AppEnv>): Promise<Pick<Credentials, 'idempotency'> | AppError> {
  const key = c.req.header('idempotency-key')
  if (key === undefined || c.req.method !== 'POST') return {}
  if (!IDEMPOTENCY_KEY.test(key)) return new AppError('bad_request', 'Idempotency-Key must be 1 to 255 visible ASCII characters')
  const url = new URL(c.req.url)
  // An import streams its body, so its key covers the request line, type and length, not the bytes.
  const body = url.pathname.endsWith('/import') ? `${c.req.header('content-type')};${c.req.header('content-length') ?? ''}` : await hashedBody(c)
  const requestHash = await sha256Hex(`${c.req.method} ${url.pathname}${url.search}\n${body}`)
  return { idempotency: { key, requestHash } }
}

/** What an Idempotency-Key may be: 1 to 255 visible ASCII characters. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/

/** The body text the route will parse; a body that is not UTF-8 is refused by that parse, so its hash never matters. */
async function hashedBody(c: Context<AppEnv>): Promise<string> {
  try {
    return await bodyText(c)
  } catch (error) {
    if (error instanceof AppError) return '(not UTF-8)'
    throw error
  }
}

const INPUT_ERRORS = new Set(['bad_request', 'invalid_query', 'validation_failed', 'unsupported_media_type', 'not_found', 'method_not_allowed'])
