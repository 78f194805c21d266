/**
 * Signed webhook sources: a form provider posts to `/sources/{id}/ingest`, signed with the
 * Standard Webhooks scheme (id, timestamp, HMAC; 5-minute tolerance, checked by `standardwebhooks`).
 * The mapping picks capture fields, and any free-text fields the tenant names (`message`), out of
 * the provider's payload by dotted path; all of them are recorded with the submission.
 */
import { and, asc, eq, isNull } from 'drizzle-orm'
import { Webhook, WebhookVerificationError } from 'standardwebhooks'
import { fieldText } from '../domain/submission'
import { AppError } from '../domain/errors'
import { newId } from '../domain/ids'
import { parseJsonText } from '../domain/json-text'
import { valueAt } from '../domain/own'
import { appendAudit } from './audit'
import { applyCapture, prepareCapture, type CaptureResult } from './capture-ops'
import type { DispatchContext } from './context'
import type { Db } from './db'
import { sources, webhookReceipts } from './schema'

export function createSource(ctx: DispatchContext, input: { name: string; secret: string; mapping: Record<string, string> }) {
  const row = { id: newId('source'), name: input.name, secret: input.secret, mapping: input.mapping, createdAt: new Date().toISOString(), createdBy: ctx.actor.id }
  ctx.store.db.insert(sources).values(row).run()
  appendAudit(ctx.store.sql, ctx.actor, ctx.requestId, { type: 'source.created', entityType: 'Source', entityId: row.id, verb: 'create', data: { name: row.name, mapping: row.mapping } })
  const { secret: _secret, ...view } = row
  return view
}

export function listSources(db: Db) {
  return db
    .select({ id: sources.id, name: sources.name, mapping: sources.mapping, createdAt: sources.createdAt, createdBy: sources.createdBy, lastReceivedAt: sources.lastReceivedAt, revokedAt: sources.revokedAt })
    .from(sources)
    .orderBy(asc(sources.createdAt))
    .all()
}

export function revokeSource(ctx: DispatchContext, id: string) {
  const found = ctx.store.db.select().from(sources).where(and(eq(sources.id, id), isNull(sources.revokedAt))).get()
  if (!found) throw new AppError('not_found', `source ${id} not found`)
  const revokedAt = new Date().toISOString()
  ctx.store.db.update(sources).set({ revokedAt }).where(eq(sources.id, id)).run()
  appendAudit(ctx.store.sql, ctx.actor, ctx.requestId, { type: 'source.revoked', entityType: 'Source', entityId: id, verb: 'revoke', data: null })
  return { id, revokedAt }
}

export interface IngestRequest {
  sourceId: string
  requestId: string
  clientHash: string
  headers: Record<string, string>
  payload: string
}

/** Verifies, deduplicates by webhook id, maps and captures. Unsigned, forged or stale → 401. */
export function ingest(ctx: DispatchContext, request: IngestRequest): CaptureResult & { duplicate?: boolean } {
  const source = ctx.store.db.select().from(sources).where(and(eq(sources.id, request.sourceId), isNull(sources.revokedAt))).get()
  if (!source) throw new AppError('not_found', `source ${request.sourceId} not found`)
  try {
    new Webhook(source.secret).verify(request.payload, request.headers, { jsonParse: false })
  } catch (error) {
    if (error instanceof WebhookVerificationError) throw new AppError('unauthorized', `webhook signature rejected: ${error.message}`)
    throw error
  }
  // Signed, then read through the one JSON door (depth, duplicate keys, NUL): an empty payload maps nothing.
  const body = request.payload === '' ? undefined : parseJsonText(request.payload, { what: 'the payload' })
  const webhookId = request.headers['webhook-id']!
  const seen = ctx.store.db.select().from(webhookReceipts).where(and(eq(webhookReceipts.sourceId, source.id), eq(webhookReceipts.webhookId, webhookId))).get()
  if (seen) return { ...(seen.result as CaptureResult), duplicate: true }

  const fields: Record<string, unknown> = {}
  for (const [field, path] of Object.entries(source.mapping as Record<string, string>)) {
    const value = valueAt(body, path)
    // Numbers stay numbers (a budget); a list or an object answer is kept as text, never "[object Object]".
    if (value !== undefined && value !== null) fields[field] = typeof value === 'number' || typeof value === 'string' ? value : fieldText(value)
  }
  const prepared = prepareCapture(ctx, null, { requestId: request.requestId, clientHash: request.clientHash, origin: null, fields: { ...fields, redirect: undefined } })
  if (prepared.discarded) return { discarded: true }
  const receivedAt = new Date().toISOString()
  // The capture and the receipt commit together: a redelivery after a crash finds one or the other, never half.
  return ctx.transaction(() => {
    const result = applyCapture(ctx, prepared)
    ctx.store.db.insert(webhookReceipts).values({ sourceId: source.id, webhookId, receivedAt, result }).run()
    ctx.store.db.update(sources).set({ lastReceivedAt: receivedAt }).where(eq(sources.id, source.id)).run()
    return result
  })
}
