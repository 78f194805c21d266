/**
 * `Idempotency-Key`: the first successful answer to a key is kept for a day. The same key with the
 * same request replays it (nothing is written again); the same key with another request is a 422.
 * Keys are scoped to the caller, so one client can never replay another's answer.
 * The same table remembers recent public submissions (an implicit key: the submission's own
 * fingerprint), honoured for a short window only (`recent`).
 */
import { AppError } from '../domain/errors'

const TTL_MS = 24 * 60 * 60 * 1000

export interface IdempotencyRequest {
  key: string
  requestHash: string
}

export function replay(sql: SqlStorage, scope: string, request: IdempotencyRequest): { value: unknown } | undefined {
  const row = sql.exec<{ request_hash: string; response: string }>('SELECT request_hash, response FROM idempotency_keys WHERE key = ?', `${scope}:${request.key}`).toArray()[0]
  if (!row) return undefined
  if (row.request_hash !== request.requestHash)
    throw new AppError('validation_failed', 'this Idempotency-Key was used with a different request', [{ path: 'Idempotency-Key', message: 'use a new key for a new request' }])
  return { value: JSON.parse(row.response) }
}

/** The answer remembered under `key` if it was written less than `withinMs` ago. */
export function recent(sql: SqlStorage, scope: string, key: string, withinMs: number, now = Date.now()): { value: unknown } | undefined {
  const row = sql
    .exec<{ response: string }>('SELECT response FROM idempotency_keys WHERE key = ? AND created_at >= ?', `${scope}:${key}`, new Date(now - withinMs).toISOString())
    .toArray()[0]
  return row ? { value: JSON.parse(row.response) } : undefined
}

/**
 * Called inside the write's transaction, so the answer and the write commit (or roll back) together. `replace` overwrites
 * an older answer under the same key (a recent-submission entry whose window has passed).
 */
export function remember(sql: SqlStorage, scope: string, request: IdempotencyRequest, value: unknown, { replace = false } = {}) {
  const now = Date.now()
  sql.exec('DELETE FROM idempotency_keys WHERE created_at < ?', new Date(now - TTL_MS).toISOString())
  sql.exec(
    `INSERT ${replace ? 'OR REPLACE ' : ''}INTO idempotency_keys (key, request_hash, response, created_at) VALUES (?, ?, ?, ?)`,
    `${scope}:${request.key}`,
    request.requestHash,
    JSON.stringify(value ?? null),
    new Date(now).toISOString(),
  )
}
