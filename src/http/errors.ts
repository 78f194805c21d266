import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { AppError } from '../domain/errors'
import { problemResponse } from './problem'

/** The app's onError: domain errors by code, Hono's own (bad JSON, body limit) by status, the rest as a 500 `internal_error` that says nothing of the fault. */
export function handleError(error: Error, c: Context): Response {
  const headers = { 'x-request-id': String(c.get('requestId') ?? '') }
  if (error instanceof AppError) return problemResponse(error.toFailure(), headers)
  if (error instanceof HTTPException) {
    const code = error.status === 413 ? 'payload_too_large' : error.status === 401 ? 'unauthorized' : error.status === 403 ? 'forbidden' : 'bad_request'
    return problemResponse({ code, detail: error.message || 'the request is malformed' }, headers)
  }
  console.error('unhandled error', c.req.method, c.req.path, error)
  return problemResponse({ code: 'internal_error', detail: 'something went wrong; the request id identifies it in the logs' }, headers)
}
