/** Typed exceptions: every failed call throws a RevlineError carrying the server's problem+json. */
import type { FieldError, RevlineErrorCode } from './types'

export class RevlineError extends Error {
  override name = 'RevlineError'
  /** HTTP status; 0 when no answer arrived (RevlineNetworkError). */
  readonly status: number
  /** Stable machine code: `validation_failed`, `invalid_transition`, `not_found`, … */
  readonly code: RevlineErrorCode
  /** The problem's human explanation. */
  readonly detail: string
  /** Input errors: `[{ path: 'email', message: '…' }]` (empty when the problem has none). */
  readonly errors: FieldError[]
  readonly title: string | undefined
  readonly requestId: string | undefined
  /** How long the server asked to wait before trying again (`Retry-After` of a 429 or 503), in ms. */
  readonly retryAfterMs: number | undefined
  readonly method: string
  readonly url: string

  constructor(init: { status: number; code: RevlineErrorCode; detail: string; errors?: FieldError[]; title?: string; requestId?: string; retryAfterMs?: number; method: string; url: string }, options?: { cause?: unknown }) {
    const fields = (init.errors ?? []).map((e) => `${e.path}: ${e.message}`)
    super(`${init.status ? `${init.status} ` : ''}${init.code}: ${init.detail}${fields.length ? ` (${fields.join('; ')})` : ''}`, options)
    this.status = init.status
    this.code = init.code
    this.detail = init.detail
    this.errors = init.errors ?? []
    this.title = init.title
    this.requestId = init.requestId
    this.retryAfterMs = init.retryAfterMs
    this.method = init.method
    this.url = init.url
  }
}

/** No answer from the server after every retry (connection refused, reset, timeout). */
export class RevlineNetworkError extends RevlineError {
  override name = 'RevlineNetworkError'
  /** How many times the request was sent. */
  readonly attempts: number
  /** The key the attempts shared: retry the same write with it and the server answers it once. */
  readonly idempotencyKey: string | undefined

  constructor(init: { method: string; url: string; attempts: number; idempotencyKey?: string; cause: unknown }) {
    const reason = init.cause instanceof Error ? (init.cause.cause instanceof Error ? `${init.cause.message}: ${init.cause.cause.message}` : init.cause.message) : String(init.cause)
    super({ status: 0, code: 'network_error', detail: `${init.method} ${init.url} failed after ${init.attempts} attempt${init.attempts === 1 ? '' : 's'}: ${reason}`, method: init.method, url: init.url }, { cause: init.cause })
    this.attempts = init.attempts
    this.idempotencyKey = init.idempotencyKey
  }
}

/** The client is not configured: no base URL, tenant or API key. */
export class RevlineConfigError extends Error {
  override name = 'RevlineConfigError'
}

/**
 * `Contact.qualifying(fn)` and the other "before" hooks: they run inside the server's transaction,
 * before the verb commits (and can refuse it), so never in a client. Past tenses (`Deal.won(fn)`)
 * do work on the client: they follow the event once it is committed.
 */
export class ServerSideHookError extends Error {
  override name = 'ServerSideHookError'
  constructor(noun: string, hook: string) {
    super(
      `${noun}.${hook}(fn) registers a "before" hook, and those run inside the server's transaction, before the verb commits: not in the SDK. ` +
        `Register it in the server (src/domain/hooks) or as a tenant automation (PUT /~{tenant}/settings/automations); ` +
        `to react once the verb has happened, use its past tense on the client (e.g. Deal.won(async (deal) => …)) or client.events.subscribe({ type: '${noun.toLowerCase()}.*' }, …).`,
    )
  }
}

export const isRevlineError = (error: unknown): error is RevlineError => error instanceof RevlineError
