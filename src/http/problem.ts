/**
 * The one place error codes become HTTP: RFC 9457 problem+json with a stable `code` and, for input
 * errors, `errors: [{ path, message }]`.
 */
import type { ErrorCode, Failure } from '../domain/errors'

const STATUS: Record<ErrorCode, [number, string]> = {
  bad_request: [400, 'Bad request'],
  invalid_query: [400, 'Invalid query'],
  unauthorized: [401, 'Unauthorized'],
  forbidden: [403, 'Forbidden'],
  not_found: [404, 'Not found'],
  method_not_allowed: [405, 'Method not allowed'],
  conflict: [409, 'Conflict'],
  schema_conflict: [409, 'Schema conflict'],
  invalid_transition: [409, 'Invalid transition'],
  precondition_failed: [412, 'Precondition failed'],
  payload_too_large: [413, 'Payload too large'],
  unsupported_media_type: [415, 'Unsupported media type'],
  validation_failed: [422, 'Validation failed'],
  rejected: [422, 'Rejected'],
  upgrade_required: [426, 'Upgrade required'],
  rate_limited: [429, 'Too many requests'],
  // Never for bad input: only when a valid write could not be stored (the problem says where).
  internal_error: [500, 'Internal error'],
}

/** A code from outside the taxonomy (it never should be) is an internal error, not a crash here. */
const statusEntry = (code: string): [number, string] => (Object.hasOwn(STATUS, code) ? STATUS[code as ErrorCode] : [500, 'Internal error'])

export const statusOf = (code: ErrorCode) => statusEntry(code)[0]

export function problemResponse(failure: Failure, headers: Record<string, string> = {}): Response {
  const [status, title] = statusEntry(failure.code)
  // Extension members first, so they can never replace a standard member.
  const body = {
    ...failure.extensions,
    type: `urn:revline:problem:${failure.code}`,
    title,
    status,
    detail: failure.detail,
    code: failure.code,
    ...(failure.errors ? { errors: failure.errors } : {}),
  }
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json', ...headers } })
}
