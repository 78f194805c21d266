/**
 * Public capture inside the tenant object: allowed sites, per-client rate limit, honeypot,
 * validation, Idempotency-Key and recent-duplicate replay, then the `Contact.capture` verb
 * (contact upserted by email; the submission recorded on its open lead, or on a new Lead) as a
 * `public` actor.
 */
import { CAPTURE_FIELD_NAMES, captureInput, CaptureFields, honeypotFilled, submittedFromAllowedSite } from '../domain/capture'
import { submissionOf, type Submission } from '../domain/submission'
import { runVerb } from '../domain/engine/run-verb'
import type { Actor, EventRecord } from '../domain/engine/types'
import { AppError } from '../domain/errors'
import { toFieldErrors } from '../domain/noun/validators'
import { engineContext, type DispatchContext } from './context'
import { recent, remember, replay, type IdempotencyRequest } from './idempotency'
import type { RateLimiter } from './rate-limit'

/**
 * Identical submissions (same client, same normalized fields) within this window are answered with
 * the first one's result and write nothing: a double click, a refresh that re-posts the form or a
 * client retry all land within seconds. A minute (the rate limiter's window too) is short enough that
 * a person who deliberately sends the same form again later still opens a new lead.
 */
export const DUPLICATE_WINDOW_MS = 60_000

export interface CaptureRequest {
  requestId: string
  /** A salted hash of the client IP: enough to rate-limit and audit, never the address itself. */
  clientHash: string
  /** The `Origin` header as sent (`"null"` included). */
  origin: string | null
  /** The origin of the `Referer` (`"null"` when it is not a URL); what a plain form post may carry instead. */
  refererOrigin?: string | null
  /** From `Idempotency-Key`: the key and a hash of the request it came with. */
  idempotency?: IdempotencyRequest
  fields: Record<string, unknown>
}

export interface CaptureResult {
  contact?: string
  lead?: string
  /** Where to send the browser (303), when the form asked and its origin is allowed. */
  redirect?: string
  /** True when a honeypot field was filled: answered like a success, nothing stored. */
  discarded?: boolean
  /** True when this is the remembered answer to the same Idempotency-Key. */
  replayed?: boolean
}

export function allowedOrigin(ctx: DispatchContext, origin: string | null): string | null {
  if (!origin) return null
  return ctx.tenant.settings().capture.allowedOrigins.includes(origin) ? origin : null
}

type Prepared = { discarded: true } | { discarded?: false; fields: CaptureFields; submission: Submission; redirect?: string }

/** Everything that refuses or discards a submission before anything is written. */
export function prepareCapture(ctx: DispatchContext, limiter: RateLimiter | null, request: CaptureRequest): Prepared {
  const settings = ctx.tenant.settings().capture
  // Signed webhook deliveries pass null: the signature, not the sender's IP, is their credential.
  const wait = limiter ? limiter.hit(request.clientHash, settings.rateLimitPerMinute) : 0
  if (wait > 0) throw new AppError('rate_limited', `too many submissions; try again in ${wait} s`, [{ path: 'retryAfter', message: String(wait) }])
  if (honeypotFilled(request.fields)) return { discarded: true }
  const parsed = CaptureFields.safeParse(request.fields)
  if (!parsed.success) throw new AppError('validation_failed', 'the form is not valid', toFieldErrors(parsed.error))
  const fields = parsed.data
  // What the visitor wrote, free text included (message, comments, company_size…): the lead's timeline keeps it.
  const submission = submissionOf(request.fields)
  if (!fields.redirect) return { fields, submission }
  const target = new URL(fields.redirect).origin
  if (!settings.allowedOrigins.includes(target))
    throw new AppError('validation_failed', 'the redirect goes to an origin this tenant does not allow', [{ path: 'redirect', message: `add ${target} to the capture settings' allowedOrigins` }])
  return { fields, submission, redirect: fields.redirect }
}

/** The writes of a capture; the caller holds the transaction. */
export function applyCapture(ctx: DispatchContext, prepared: Exclude<Prepared, { discarded: true }>): CaptureResult {
  const engine = engineContext(ctx)
  const { fields } = prepared
  const campaign = fields.utm_campaign ? engine.store.find(ctx.nouns.byName('Campaign')!, { field: 'utmCampaign', op: '$eq', value: fields.utm_campaign }, { limit: 1 })[0] : undefined
  const input = captureInput(fields, ctx.tenant.settings().capture.defaultSource, campaign?.$id, prepared.submission)
  const result = runVerb(engine, { noun: ctx.nouns.byName('Contact')!, verb: 'capture', input })
  const lead = leadOfCapture(ctx.store.sql, result.event)
  return { contact: result.entity.$id, ...(lead ? { lead } : {}), ...(prepared.redirect ? { redirect: prepared.redirect } : {}) }
}

/**
 * The lead a capture put the submission on (a new one, or the contact's open lead): the Form
 * submission note its hook created names it. Only this transaction's events are read (seq after
 * the capture's, by primary key).
 */
function leadOfCapture(sql: SqlStorage, captured: EventRecord): string | undefined {
  const row = sql
    .exec<{ lead: string | null }>(`SELECT json_extract(after, '$.lead') AS lead FROM events WHERE seq > ? AND cause = ? AND type = 'activity.created' ORDER BY seq LIMIT 1`, captured.seq, captured.id)
    .toArray()[0]
  return row?.lead ?? undefined
}

/**
 * A website's submission: refused from sites the tenant does not list, replayed for a repeated
 * Idempotency-Key or a recent identical submission, else captured; the capture and what it is
 * remembered by commit together.
 */
export async function capture(ctx: DispatchContext, limiter: RateLimiter, request: CaptureRequest): Promise<CaptureResult> {
  const { allowedOrigins } = ctx.tenant.settings().capture
  if (!submittedFromAllowedSite(allowedOrigins, request.origin, request.refererOrigin ?? null))
    throw new AppError('forbidden', `this tenant does not accept submissions from ${request.origin ?? request.refererOrigin}`)
  const prepared = prepareCapture(ctx, limiter, request)
  if (prepared.discarded) return { discarded: true }
  const print = await fingerprint(prepared)
  // Nothing awaits from here on: two identical requests cannot both pass the checks and both write.
  const sql = ctx.store.sql
  const scope = ctx.actor.id
  if (request.idempotency) {
    const prior = replay(sql, scope, request.idempotency)
    if (prior) return { ...(prior.value as CaptureResult), replayed: true }
  }
  const duplicateScope = `recent:${scope}`
  const duplicate = recent(sql, duplicateScope, print, DUPLICATE_WINDOW_MS)
  if (duplicate) return duplicate.value as CaptureResult
  return ctx.transaction(() => {
    const result = applyCapture(ctx, prepared)
    if (request.idempotency) remember(sql, scope, request.idempotency, result)
    remember(sql, duplicateScope, { key: print, requestHash: print }, result, { replace: true })
    return result
  })
}

/**
 * SHA-256 of the normalized submission: its fields after validation (redirect included) and its
 * free-text fields (trimmed), keys sorted. Another message is another submission.
 */
async function fingerprint(prepared: Exclude<Prepared, { discarded: true }>): Promise<string> {
  const freeText = Object.entries(prepared.submission).filter(([name]) => !CAPTURE_FIELD_NAMES.includes(name))
  const fields = { ...(prepared.fields as Record<string, unknown>), ...Object.fromEntries(freeText.map(([name, text]) => [`free:${name}`, text])) }
  // A blank field and a missing one are the same answer.
  const canonical = JSON.stringify(Object.keys(fields).filter((k) => fields[k] !== undefined).sort().map((k) => [k, fields[k]]))
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

export const publicActor = (clientHash: string): Actor => ({ id: `public:${clientHash}`, role: 'public' })
