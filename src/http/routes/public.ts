/**
 * The routes that face the open internet without an API key:
 *   POST /capture            a website form (JSON, urlencoded or multipart), seed 003 crm.leads.capture
 *   POST /sources/{id}/ingest a form provider's signed webhook (Standard Webhooks)
 * Unknown and suspended tenants are 404; bodies are capped at 64 KB; CORS only for allowed origins,
 * and a tenant that lists origins refuses (403) submissions from any other site.
 */
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { AppError } from '../../domain/errors'
import type { CaptureRequest, CaptureResult } from '../../durable/capture-ops'
import type { Outcome } from '../../durable/operations'
import { parseJsonObject } from '../../domain/json-text'
import { bodyText, readForm } from '../body'
import { sha256Hex } from '../crypto'
import { problemResponse } from '../problem'
import { refuseOtherMethods } from '../allow'
import { IDEMPOTENCY_KEY, SLUG_PATTERN } from '../tenant'
import type { AppEnv } from '../types'
import { isIdOf } from '../../domain/ids'

export const MAX_CAPTURE_BYTES = 64 * 1024

export const publicRoutes = new Hono<AppEnv>()

const limit = bodyLimit({
  maxSize: MAX_CAPTURE_BYTES,
  onError: () => {
    throw new AppError('payload_too_large', `capture bodies are limited to ${MAX_CAPTURE_BYTES / 1024} KB`)
  },
})

export function slugOf(c: Context<AppEnv>): string {
  const slug = (c.req.param('tenant') ?? '').slice(1)
  if (!SLUG_PATTERN.test(slug)) throw new AppError('not_found', 'tenant not found')
  return slug
}

/** The client, for rate limits and the audit trail: a salted hash of its IP, never the address. */
export async function clientHash(c: Context<AppEnv>, slug: string): Promise<string> {
  const ip = c.req.header('cf-connecting-ip') ?? 'unknown'
  return (await sha256Hex(`${slug}:${ip}`)).slice(0, 16)
}

async function formFields(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  const type = (c.req.header('content-type') ?? '').toLowerCase()
  if (type.startsWith('application/json')) return parseJsonObject(await bodyText(c), { what: 'the body' })
  // Files have no place in a lead form: text fields only.
  if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) return readForm(c)
  throw new AppError('unsupported_media_type', 'send the form as application/x-www-form-urlencoded, multipart/form-data or application/json')
}

function cors(origin: string | null): Record<string, string> {
  return origin ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' }
}

publicRoutes.options('/capture', async (c) => {
  const allowed = await c.env.TENANT.getByName(slugOf(c)).captureOrigin(c.req.header('origin') ?? null)
  if (!allowed) return c.body(null, 403, { vary: 'Origin' })
  return c.body(null, 204, {
    ...cors(allowed),
    'access-control-allow-methods': 'POST',
    'access-control-allow-headers': 'content-type',
    'access-control-max-age': '86400',
  })
})

/** The origin of a Referer header: `null` when absent, `"null"` when it is not a URL (an unknown site). */
function refererOrigin(referer: string | undefined): string | null {
  if (referer === undefined) return null
  try {
    return new URL(referer).origin
  } catch {
    return 'null'
  }
}

/** `Idempotency-Key` on a capture: the key and a hash of the request (path, query, body), as for keyed POSTs. */
async function idempotencyOf(c: Context<AppEnv>): Promise<CaptureRequest['idempotency']> {
  const key = c.req.header('idempotency-key')
  if (key === undefined) return undefined
  if (!IDEMPOTENCY_KEY.test(key)) throw new AppError('bad_request', 'Idempotency-Key must be 1 to 255 visible ASCII characters')
  const url = new URL(c.req.url)
  return { key, requestHash: await sha256Hex(`${c.req.method} ${url.pathname}${url.search}\n${await c.req.text()}`) }
}

publicRoutes.post('/capture', limit, async (c) => {
  const slug = slugOf(c)
  const idempotency = await idempotencyOf(c)
  const fields = await formFields(c)
  const { outcome, corsOrigin } = (await c.env.TENANT.getByName(slug).capture({
    requestId: c.get('requestId'),
    clientHash: await clientHash(c, slug),
    origin: c.req.header('origin') ?? null,
    refererOrigin: refererOrigin(c.req.header('referer')),
    ...(idempotency ? { idempotency } : {}),
    fields,
  })) as { outcome: Outcome<CaptureResult>; corsOrigin: string | null }
  const headers = cors(corsOrigin)
  if (!outcome.ok) {
    const retryAfter = outcome.failure.code === 'rate_limited' ? outcome.failure.errors?.[0]?.message : undefined
    return problemResponse(outcome.failure, { ...headers, ...(retryAfter ? { 'retry-after': retryAfter } : {}) })
  }
  const { redirect, discarded: _discarded, replayed, ...ids } = outcome.value
  if (replayed) c.header('Idempotent-Replayed', 'true')
  if (redirect) return c.redirect(redirect, 303)
  return c.json({ ok: true, ...ids }, 201, headers)
})

publicRoutes.post('/sources/:id/ingest', limit, async (c) => {
  const slug = slugOf(c)
  const sourceId = c.req.param('id')
  if (!isIdOf('source', sourceId)) throw new AppError('not_found', `source ${sourceId} not found`)
  const headers: Record<string, string> = {}
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const value = c.req.header(name)
    if (!value) throw new AppError('unauthorized', `the request is not signed: ${name} is missing (Standard Webhooks)`)
    headers[name] = value
  }
  const outcome = (await c.env.TENANT.getByName(slug).ingest({
    sourceId,
    requestId: c.get('requestId'),
    clientHash: await clientHash(c, slug),
    headers,
    payload: await bodyText(c),
  })) as Outcome
  if (!outcome.ok) throw new AppError(outcome.failure.code, outcome.failure.detail, outcome.failure.errors)
  const { duplicate, discarded: _discarded, ...result } = outcome.value as CaptureResult & { duplicate?: boolean }
  return c.json({ ok: true, ...result, ...(duplicate ? { duplicate: true } : {}) }, duplicate ? 200 : 201)
})

refuseOtherMethods(publicRoutes, ['/capture', '/sources/:id/ingest'])
