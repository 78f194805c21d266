import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { AppError } from '../domain/errors'
import { problemResponse } from './problem'

/**
 * The app's onError: domain errors by code, Hono's own (bad JSON, body limit) by status, the rest as a
 * 500 `internal_error` that says nothing of the fault. `extra` adds headers (a 405's `Allow`).
 */
export function handleError(error: Error, c: Context, extra: Record<string, string> = {}): Response {
  const headers = { ...extra, 'x-request-id': String(c.get('requestId') ?? '') }
  if (error instanceof AppError) {
    const retryAfter = error.code === 'rate_limited' ? error.extensions?.retryAfter : undefined
    return withChallenge(problemResponse(error.toFailure(), typeof retryAfter === 'number' ? { ...headers, 'retry-after': String(retryAfter) } : headers), c)
  }
  if (error instanceof HTTPException) {
    const code = error.status === 413 ? 'payload_too_large' : error.status === 401 ? 'unauthorized' : error.status === 403 ? 'forbidden' : 'bad_request'
    return withChallenge(problemResponse({ code, detail: error.message || 'the request is malformed' }, headers), c)
  }
  console.error('unhandled error', c.req.method, c.req.path, error)
  return problemResponse({ code: 'internal_error', detail: 'something went wrong; the request id identifies it in the logs' }, headers)
}

/**
 * Every 401 names the scheme that would succeed (RFC 9110 §11.6.1, RFC 6750 §3): a client such as
 * the MCP Inspector reads it to tell a refused key from a server that wants OAuth. `invalid_token`
 * only when a Bearer token was sent; a request without one gets the bare challenge.
 */
function withChallenge(response: Response, c: Context): Response {
  if (response.status !== 401) return response
  const sentToken = /^Bearer\s/i.test(c.req.header('authorization') ?? '')
  response.headers.set('www-authenticate', sentToken ? 'Bearer realm="revline", error="invalid_token"' : 'Bearer realm="revline"')
  return response
}
