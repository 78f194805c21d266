/**
 * Shared pieces of the document: the problem+json error shape (RFC 9457 with `code` and
 * `errors[]`), one response per error status (its codes read from the one status table in
 * src/http/problem.ts), common parameters and headers, and the two security schemes.
 */
import { ERROR_CODES, type ErrorCode } from '../../domain/errors'
import { statusOf } from '../problem'
import { ref, withoutDefaults, type JsonSchema } from './schemas'

export type Operation = Record<string, unknown>
/** A path item: operations by method, and maybe shared `parameters` or `servers`. */
export type PathItem = Record<string, unknown>
export type Paths = Record<string, PathItem>

const STATUS_NAMES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  412: 'PreconditionFailed',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  426: 'UpgradeRequired',
  422: 'Unprocessable',
  429: 'TooManyRequests',
  500: 'InternalError',
}

const STATUS_TEXT: Record<number, string> = {
  400: 'The request or its query is malformed.',
  401: 'No API key, or one this tenant does not know.',
  403: 'The key may not do this (role), or the tenant is suspended.',
  404: 'No such tenant, entity (other tenants’ ids included) or route.',
  405: 'The path has no such method (`Allow` lists the ones it has), or the noun does not allow this verb.',
  409: 'The state machine does not allow the move, a unique value is taken, or a schema change would lose or invalidate stored values (`schema_conflict`: per-field `errors` give the rows and values).',
  412: '`If-Match` names a version that is no longer current.',
  413: 'The body is over the size limit.',
  415: 'The body has a content type this route does not take.',
  426: 'This is a WebSocket endpoint: connect with `Upgrade: websocket`.',
  422: 'The input is well-formed but not valid (per-field `errors`), a hook rejected it, or an Idempotency-Key was reused for another request.',
  429: 'Too many requests; retry after `Retry-After` seconds.',
  500: 'A fault on our side, never the input: a valid write could not be stored, and nothing of it was. Extension members say where (an import names the `line`).',
}

/** Headers an error status always carries (src/http/errors.ts, src/http/allow.ts). */
const STATUS_HEADERS: Record<number, Record<string, unknown>> = {
  401: { 'WWW-Authenticate': { $ref: '#/components/headers/WWWAuthenticate' } },
  405: { Allow: { $ref: '#/components/headers/Allow' } },
  429: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
}

/** Error codes by HTTP status, from the same table the error handler uses. */
function codesFor(status: number): ErrorCode[] {
  return ERROR_CODES.filter((code) => statusOf(code) === status)
}

const problemSchema: JsonSchema = {
  type: 'object',
  description: 'RFC 9457 problem details, sent as `application/problem+json`. `code` is stable; match on it, never on `detail`.',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', format: 'uri-reference', examples: ['urn:revline:problem:validation_failed'] },
    title: { type: 'string', examples: ['Validation failed'] },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    code: { type: 'string', enum: [...ERROR_CODES] },
    errors: { type: 'array', description: 'One entry per invalid input field or query parameter.', items: ref('FieldError') },
  },
}

const fieldErrorSchema: JsonSchema = {
  type: 'object',
  required: ['path', 'message'],
  properties: {
    path: { type: 'string', examples: ['email'] },
    message: { type: 'string', examples: ['Invalid email address'] },
    rows: { type: 'integer', minimum: 0, description: 'Schema conflicts: how many stored rows stand in the way.' },
    values: { type: 'array', description: 'Schema conflicts: some of the stored values that stand in the way.', items: { type: ['string', 'number', 'boolean', 'null'] } },
  },
}

function problemResponses(): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [status, name] of Object.entries(STATUS_NAMES)) {
    const codes = codesFor(Number(status))
    out[name] = {
      description: `${STATUS_TEXT[Number(status)]} Codes: ${codes.map((c) => `\`${c}\``).join(', ')}.`,
      ...(STATUS_HEADERS[Number(status)] ? { headers: STATUS_HEADERS[Number(status)] } : {}),
      content: {
        'application/problem+json': {
          schema: codes.length === 1 ? { allOf: [ref('Problem'), { properties: { status: { const: Number(status) }, code: { const: codes[0] } } }] } : ref('Problem'),
        },
      },
    }
  }
  return out
}

/** `{ '401': { $ref } , … }` for the statuses an operation can answer with. */
export function problems(...statuses: number[]): Record<string, unknown> {
  return Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/${STATUS_NAMES[s]}` }]))
}

/** Every tenant route: a key is required, the tenant must exist and be active. */
export const TENANT_ERRORS = [401, 403, 404] as const

export const jsonContent = (schema: JsonSchema) => ({ 'application/json': { schema } })
/** A JSON request body; defaults are stated in words (withoutDefaults), so generated clients keep those fields optional. */
export const jsonBody = (schema: JsonSchema, required = true) => ({ required, content: jsonContent(withoutDefaults(schema)) })
export const jsonResponse = (description: string, schema: JsonSchema, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: jsonContent(schema),
})
export const param = (name: string) => ({ $ref: `#/components/parameters/${name}` })
export const header = (name: string) => ({ $ref: `#/components/headers/${name}` })

/** `{ data: [...] }`, with `next` when the list pages. */
export const dataList = (items: JsonSchema, paged = false): JsonSchema => ({
  type: 'object',
  required: paged ? ['data', 'next'] : ['data'],
  properties: { data: { type: 'array', items }, ...(paged ? { next: { type: ['string', 'null'], description: 'Pass as `after` (events) or `cursor` for the next page; null on the last.' } } : {}) },
})

const parameters: Record<string, unknown> = {
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'Same key and same request: the first answer again (`Idempotent-Replayed: true`). Same key, another request: 422.',
    schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
  },
  IfMatch: {
    name: 'If-Match',
    in: 'header',
    required: false,
    description: 'The version you last read (its ETag, e.g. `"3"`): the write is refused with 412 if the entity moved on.',
    schema: { type: 'string', pattern: '^(W/)?"?\\d+"?$' },
  },
  Limit: { name: 'limit', in: 'query', description: 'Page size.', schema: { type: 'integer', minimum: 1, maximum: 200, default: 25 } },
  Cursor: { name: 'cursor', in: 'query', description: 'The `next` of the previous page (keyset paging). Not with `page`.', schema: { type: 'string' } },
  Page: { name: 'page', in: 'query', description: 'Page number (offset paging), from 1. Not with `cursor`.', schema: { type: 'integer', minimum: 1, maximum: 1000000 } },
  Filter: {
    name: 'filter',
    in: 'query',
    description:
      'The full filter language as JSON: `{"status":"New","score":{"$gte":80},"$or":[{"source":"website"},{"source":"referral"}]}`. ' +
      'Operators `$eq $ne $gt $gte $lt $lte $in $nin $exists $contains`, combined with `$and` / `$or`; `relation.field` filters through a relation one level deep.',
    content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } },
  },
  DateFrom: { name: 'dateFrom', in: 'query', description: 'Created on or after this day (YYYY-MM-DD) or instant (ISO).', schema: { type: 'string' } },
  DateTo: { name: 'dateTo', in: 'query', description: 'Created on or before this day (YYYY-MM-DD, the whole day) or before this instant (ISO).', schema: { type: 'string' } },
  AsOf: { name: 'asOf', in: 'query', description: 'Answer with the entity as it was at this instant, folded from the event log.', schema: { type: 'string', format: 'date-time' } },
  PipelineDateFrom: { name: 'dateFrom', in: 'query', description: 'Only what was created on or after this day.', schema: { type: 'string', format: 'date' } },
  PipelineDateTo: { name: 'dateTo', in: 'query', description: 'Only what was created on or before this day.', schema: { type: 'string', format: 'date' } },
  JobsLimit: { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
}

const headers: Record<string, unknown> = {
  ETag: { description: 'The entity version, quoted (`"3"`); send it back as `If-Match`.', schema: { type: 'string' } },
  Location: { description: 'Path of the new entity.', schema: { type: 'string' } },
  IdempotentReplayed: { description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key.', schema: { type: 'string', enum: ['true'] } },
  RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
  WWWAuthenticate: {
    description: 'The scheme to authenticate with (RFC 6750): `Bearer realm="revline"`, with `error="invalid_token"` when the request sent a token that was refused.',
    schema: { type: 'string' },
  },
  Allow: { description: 'The methods the path has, e.g. `GET, HEAD, POST`.', schema: { type: 'string' } },
  ChainHead: {
    description:
      'Where the log’s hash chain stood when the export began, `{seq}:{hash}` (`0:` and 64 zeros for an empty log): the newest event’s seq and hash, as `GET /events/verify` gives them (`head`). Heads taken at different times can be compared: a log that only grew keeps the earlier event at that seq with that hash.',
    schema: { type: 'string', pattern: '^\\d+:[0-9a-f]{64}$' },
  },
}

export function sharedComponents(): Record<string, unknown> {
  return {
    schemas: { Problem: problemSchema, FieldError: fieldErrorSchema },
    responses: problemResponses(),
    parameters,
    headers,
    securitySchemes: {
      apiKey: { type: 'http', scheme: 'bearer', bearerFormat: 'rvl_… API key', description: 'A tenant API key (`POST /~{tenant}/keys`, or the one `POST /tenants` returns). Roles: admin, member.' },
      operatorToken: { type: 'http', scheme: 'bearer', description: 'The operator token (`ADMIN_TOKEN` secret; `.dev.vars` in development). Only for `/tenants`.' },
      sessionCookie: {
        type: 'apiKey',
        in: 'cookie',
        name: 'rvl_session',
        description: 'A signed-in browser’s session (email link or passkey): `/me` routes, writes only from the tenant’s own origin (`Origin`).',
      },
    },
  }
}
