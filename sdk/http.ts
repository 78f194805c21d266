/**
 * The transport: one function that sends a request to `{baseUrl}/~{tenant}{path}` with the API key,
 * gives every write an Idempotency-Key, and retries network failures, 429 and 5xx with backoff.
 * A write's retries reuse its key, so the server applies it once however often it is sent.
 */
import { RevlineConfigError, RevlineError, RevlineNetworkError } from './errors'
import type { FieldError, QueryParams, RevlineErrorCode } from './types'

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>

export interface ClientOptions {
  /** `http://127.0.0.1:8787` (no tenant in it). */
  baseUrl: string
  /** The tenant slug (`acme`). */
  tenant: string
  /** A tenant API key (`rvl_…`). */
  apiKey: string
  /** A fetch implementation (tests, proxies); defaults to the global fetch. */
  fetch?: FetchLike
  /** Retries after the first attempt for network failures, 429 and 5xx (default 3). */
  retries?: number
  /** First backoff in ms; doubles per retry, with jitter (default 200). */
  retryDelayMs?: number
  /** Backoff ceiling in ms, also for Retry-After (default 5000). */
  maxRetryDelayMs?: number
  /** Per attempt, until the answer is read (streams: until headers); default 30000. */
  timeoutMs?: number
  /** Extra headers on every request. */
  headers?: Record<string, string>
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  /** Path under the tenant, starting with `/`. */
  path: string
  query?: QueryParams
  /** JSON body. */
  json?: unknown
  /** A raw body (import); `retry: false` unless it can be sent again. */
  raw?: { body: BodyInit | (() => BodyInit); contentType: string; contentLength?: number }
  idempotencyKey?: string
  ifMatch?: number
  /** What to read: parsed JSON (default), text, the body stream, or nothing. */
  read?: 'json' | 'text' | 'stream' | 'none'
  /** Set false for requests that must not be sent twice. */
  retry?: boolean
  signal?: AbortSignal
  /** Statuses answered with a body the caller wants rather than an error (import's 422 report). */
  acceptStatus?: number[]
  /** Overrides the client's per-attempt timeout; 0 means none. */
  timeoutMs?: number
  /** Extra headers for this request (the live feed's `Accept` and `Last-Event-ID`). */
  headers?: Record<string, string>
}

const RETRY_STATUS = new Set([429, 500, 502, 503, 504])
const WRITES = new Set(['POST', 'PATCH', 'PUT', 'DELETE'])

export const newIdempotencyKey = () => `sdk-${crypto.randomUUID()}`

export interface Transport {
  readonly options: Readonly<ClientOptions>
  request<T = unknown>(spec: RequestSpec): Promise<T>
  url(path: string, query?: QueryParams): string
}

export function createTransport(options: ClientOptions): Transport {
  for (const key of ['baseUrl', 'tenant', 'apiKey'] as const)
    if (!options[key]) throw new RevlineConfigError(`Revline client: '${key}' is required (createClient({ baseUrl, tenant, apiKey }) or REVLINE_URL / REVLINE_TENANT / REVLINE_API_KEY)`)
  const base = `${options.baseUrl.replace(/\/+$/, '')}/~${encodeURIComponent(options.tenant)}`
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init))
  const retries = Math.max(0, options.retries ?? 3)
  const firstDelay = options.retryDelayMs ?? 200
  const maxDelay = options.maxRetryDelayMs ?? 5000
  const timeoutMs = options.timeoutMs ?? 30_000

  const url = (path: string, query?: QueryParams) => {
    const qs = toSearchParams(query).toString()
    return `${base}${path}${qs ? `?${qs}` : ''}`
  }

  async function request<T>(spec: RequestSpec): Promise<T> {
    const target = url(spec.path, spec.query)
    const isWrite = WRITES.has(spec.method)
    const key = isWrite ? (spec.idempotencyKey ?? newIdempotencyKey()) : undefined
    const maySend = spec.retry ?? !(spec.raw && typeof spec.raw.body !== 'function' && !isReplayable(spec.raw.body))
    const attemptsAllowed = maySend ? retries + 1 : 1
    let lastNetworkError: unknown
    let ambiguous = false

    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = { accept: 'application/json, application/problem+json;q=0.9, */*;q=0.5', authorization: `Bearer ${options.apiKey}`, ...options.headers, ...spec.headers }
      if (key) headers['idempotency-key'] = key
      if (spec.ifMatch !== undefined) headers['if-match'] = `"${spec.ifMatch}"`
      let body: BodyInit | undefined
      if (spec.json !== undefined) {
        headers['content-type'] = 'application/json'
        body = JSON.stringify(spec.json)
      } else if (spec.raw) {
        headers['content-type'] = spec.raw.contentType
        if (spec.raw.contentLength !== undefined) headers['content-length'] = String(spec.raw.contentLength)
        body = typeof spec.raw.body === 'function' ? spec.raw.body() : spec.raw.body
      }
      const controller = new AbortController()
      const limit = spec.timeoutMs ?? timeoutMs
      const timer = limit > 0 ? setTimeout(() => controller.abort(new Error(`timed out after ${limit} ms`)), limit) : undefined
      const onAbort = () => controller.abort(spec.signal?.reason)
      spec.signal?.addEventListener('abort', onAbort, { once: true })
      const done = () => {
        clearTimeout(timer)
        spec.signal?.removeEventListener('abort', onAbort)
      }
      const init: RequestInit & { duplex?: 'half' } = { method: spec.method, headers, body, signal: controller.signal }
      if (body instanceof ReadableStream) init.duplex = 'half'

      let response: Response
      try {
        response = await fetchImpl(target, init)
      } catch (error) {
        done()
        if (spec.signal?.aborted) throw spec.signal.reason ?? error
        lastNetworkError = error
        ambiguous = true
        if (attempt < attemptsAllowed) {
          await sleep(backoff(attempt, firstDelay, maxDelay))
          continue
        }
        throw new RevlineNetworkError({ method: spec.method, url: target, attempts: attempt, idempotencyKey: key, cause: lastNetworkError })
      }

      if (RETRY_STATUS.has(response.status) && attempt < attemptsAllowed) {
        done()
        await response.body?.cancel().catch(() => {})
        ambiguous = true
        await sleep(retryAfter(response) ?? backoff(attempt, firstDelay, maxDelay), maxDelay)
        continue
      }

      try {
        // A delete whose answer was lost the first time: the second attempt finds it gone.
        if (spec.method === 'DELETE' && response.status === 404 && ambiguous) {
          await response.body?.cancel().catch(() => {})
          return undefined as T
        }
        if (!response.ok && !spec.acceptStatus?.includes(response.status)) throw await problemOf(response, spec.method, target)
        switch (spec.read ?? 'json') {
          case 'none':
            await response.body?.cancel().catch(() => {})
            return undefined as T
          case 'text':
            return (await response.text()) as T
          case 'stream':
            if (!response.body) return new ReadableStream<Uint8Array>({ start: (c) => c.close() }) as T
            return response.body as T
          case 'json': {
            const text = await response.text()
            return (text ? JSON.parse(text) : undefined) as T
          }
        }
      } catch (error) {
        if (error instanceof RevlineError || spec.signal?.aborted) throw error
        // The answer broke off while being read: the same as no answer.
        lastNetworkError = error
        ambiguous = true
        if (attempt < attemptsAllowed) {
          await sleep(backoff(attempt, firstDelay, maxDelay))
          continue
        }
        throw new RevlineNetworkError({ method: spec.method, url: target, attempts: attempt, idempotencyKey: key, cause: error })
      } finally {
        if ((spec.read ?? 'json') !== 'stream') done()
        else clearTimeout(timer)
      }
    }
  }

  return { options, request, url }
}

function isReplayable(body: BodyInit): boolean {
  return typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer || (typeof Blob !== 'undefined' && body instanceof Blob)
}

/** 200 ms, 400 ms, 800 ms … with ±25 % jitter, capped. */
export function backoff(attempt: number, first: number, max: number): number {
  const base = Math.min(max, first * 2 ** (attempt - 1))
  return Math.round(base * (0.75 + Math.random() * 0.5))
}

function retryAfter(response: Response): number | undefined {
  const header = response.headers.get('retry-after')
  if (!header) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const at = Date.parse(header)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}

const sleep = (ms: number, max = Infinity) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, max)))

async function problemOf(response: Response, method: string, url: string): Promise<RevlineError> {
  const text = await response.text().catch(() => '')
  let body: { code?: string; detail?: string; title?: string; errors?: FieldError[] } = {}
  try {
    const parsed: unknown = text ? JSON.parse(text) : {}
    if (parsed && typeof parsed === 'object') body = parsed as typeof body
  } catch {
    body = { detail: text.slice(0, 500) }
  }
  const code = (body.code ?? (response.status >= 500 ? 'internal_error' : 'unknown_error')) as RevlineErrorCode
  return new RevlineError({
    status: response.status,
    code,
    detail: body.detail || response.statusText || `HTTP ${response.status}`,
    errors: Array.isArray(body.errors) ? body.errors : [],
    ...(body.title ? { title: body.title } : {}),
    ...(response.headers.get('x-request-id') ? { requestId: response.headers.get('x-request-id')! } : {}),
    ...(retryAfter(response) !== undefined ? { retryAfterMs: retryAfter(response)! } : {}),
    method,
    url,
  })
}

export function toSearchParams(query: QueryParams | undefined): URLSearchParams {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v))
    else params.append(key, String(value))
  }
  return params
}
