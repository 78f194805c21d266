/**
 * Public capture inside the tenant object: honeypot, per-client rate limit, allowed origins,
 * then the `Contact.capture` verb (contact upserted by email, a Lead opened) as a `public` actor.
 */
import { captureInput, CaptureFields, HONEYPOT_FIELDS } from '../domain/capture'
import { runVerb } from '../domain/engine/run-verb'
import type { Actor } from '../domain/engine/types'
import { AppError } from '../domain/errors'
import { toFieldErrors } from '../domain/noun/validators'
import { nouns } from '../domain'
import { engineContext, type DispatchContext } from './dispatch'
import type { RateLimiter } from './rate-limit'

export interface CaptureRequest {
  requestId: string
  /** A salted hash of the client IP: enough to rate-limit and audit, never the address itself. */
  clientHash: string
  origin: string | null
  fields: Record<string, unknown>
}

export interface CaptureResult {
  contact?: string
  lead?: string
  /** Where to send the browser (303), when the form asked and its origin is allowed. */
  redirect?: string
  /** True when a honeypot field was filled: answered like a success, nothing stored. */
  discarded?: boolean
}

export function allowedOrigin(ctx: DispatchContext, origin: string | null): string | null {
  if (!origin) return null
  return ctx.tenant.settings().capture.allowedOrigins.includes(origin) ? origin : null
}

type Prepared = { discarded: true } | { discarded?: false; fields: CaptureFields; redirect?: string }

/** Everything that refuses or discards a submission before anything is written. */
export function prepareCapture(ctx: DispatchContext, limiter: RateLimiter | null, request: CaptureRequest): Prepared {
  const settings = ctx.tenant.settings().capture
  // Signed webhook deliveries pass null: the signature, not the sender's IP, is their credential.
  const wait = limiter ? limiter.hit(request.clientHash, settings.rateLimitPerMinute) : 0
  if (wait > 0) throw new AppError('rate_limited', `too many submissions; try again in ${wait} s`, [{ path: 'retryAfter', message: String(wait) }])
  if (HONEYPOT_FIELDS.some((f) => typeof request.fields[f] === 'string' && (request.fields[f] as string).trim() !== '')) return { discarded: true }
  const parsed = CaptureFields.safeParse(request.fields)
  if (!parsed.success) throw new AppError('validation_failed', 'the form is not valid', toFieldErrors(parsed.error))
  const fields = parsed.data
  if (!fields.redirect) return { fields }
  const target = new URL(fields.redirect).origin
  if (!settings.allowedOrigins.includes(target))
    throw new AppError('validation_failed', 'the redirect goes to an origin this tenant does not allow', [{ path: 'redirect', message: `add ${target} to the capture settings' allowedOrigins` }])
  return { fields, redirect: fields.redirect }
}

/** The writes of a capture; the caller holds the transaction. */
export function applyCapture(ctx: DispatchContext, prepared: Exclude<Prepared, { discarded: true }>): CaptureResult {
  const engine = engineContext(ctx)
  const { fields } = prepared
  const campaign = fields.utm_campaign ? engine.store.find(nouns.byName('Campaign')!, { field: 'utmCampaign', op: '$eq', value: fields.utm_campaign }, { limit: 1 })[0] : undefined
  const input = captureInput(fields, ctx.tenant.settings().capture.defaultSource, campaign?.$id)
  const result = runVerb(engine, { noun: nouns.byName('Contact')!, verb: 'capture', input })
  const lead = engine.store.find(nouns.byName('Lead')!, { field: 'contact', op: '$eq', value: result.entity.$id }, { sort: [{ field: '$createdAt', dir: 'desc' }], limit: 1 })[0]
  return { contact: result.entity.$id, ...(lead ? { lead: lead.$id } : {}), ...(prepared.redirect ? { redirect: prepared.redirect } : {}) }
}

export function capture(ctx: DispatchContext, limiter: RateLimiter, request: CaptureRequest): CaptureResult {
  const prepared = prepareCapture(ctx, limiter, request)
  if (prepared.discarded) return { discarded: true }
  return ctx.transaction(() => applyCapture(ctx, prepared))
}

export const publicActor = (clientHash: string): Actor => ({ id: `public:${clientHash}`, role: 'public' })
