/** Request bodies: JSON only, checked by the one JSON door (src/domain/json-text.ts), with clear 400/415 answers. */
import type { Context } from 'hono'
import { AppError } from '../domain/errors'
import { decodeUtf8, parseJsonText, textProblem } from '../domain/json-text'
import { queryTextProblems } from './query-text'
import type { AppEnv } from './types'

const JSON_TYPE = /^application\/([a-z.+-]*\+)?json\b/i

/**
 * The body as text, read once and decoded strictly (invalid UTF-8 is a 400). The text is kept on
 * the context, so everything that looks at the body (the Idempotency-Key hash, the parse) sees the
 * same text.
 */
export function bodyText(c: Context<AppEnv>): Promise<string> {
  let text = c.get('bodyText')
  if (!text) {
    text = c.req.arrayBuffer().then((bytes) => decodeUtf8(bytes))
    c.set('bodyText', text)
  }
  return text
}

/**
 * The JSON value a write carries (settings sections may be arrays). An empty body is `undefined`
 * when `optional`; anything that is not `application/json` is a 415.
 */
export async function readJsonValue(c: Context<AppEnv>, { optional = false } = {}): Promise<unknown> {
  const type = c.req.header('content-type') ?? ''
  const wrongType = () => new AppError('unsupported_media_type', `send the body as application/json, not '${type || 'no content type'}'`)
  let text: string
  try {
    text = await bodyText(c)
  } catch (error) {
    // Bytes that are not even text under another content type: the type is the first thing wrong.
    throw error instanceof AppError && error.code === 'bad_request' && !JSON_TYPE.test(type) ? wrongType() : error
  }
  if (text.trim() === '') {
    if (optional) return undefined
    throw new AppError('bad_request', 'the request needs a JSON body')
  }
  if (!JSON_TYPE.test(type)) throw wrongType()
  return parseJsonText(text, { what: 'the body' })
}

/**
 * The JSON object a write carries. An empty body is `{}` when `optional` (verbs often need no
 * input); anything that is not `application/json` is a 415.
 */
export async function readJsonObject(c: Context<AppEnv>, { optional = false } = {}): Promise<Record<string, unknown>> {
  const value = await readJsonValue(c, { optional })
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AppError('bad_request', 'the body must be a JSON object', [{ path: '(body)', message: 'must be a JSON object' }])
  return value as Record<string, unknown>
}

/**
 * A form post's text fields (files dropped): urlencoded bytes must be UTF-8, and no field name or
 * value may hold a NUL character or an unpaired surrogate (400 naming the field).
 */
export async function readForm(c: Context<AppEnv>): Promise<Record<string, string>> {
  if ((c.req.header('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const errors = queryTextProblems(await bodyText(c))
    if (errors.length > 0) throw new AppError('bad_request', 'the form has text that cannot be accepted', errors)
  }
  let body: Record<string, unknown>
  try {
    // Every value of a repeated field, so that a bad one is not hidden by a later one (multipart).
    body = await c.req.parseBody({ all: true })
  } catch {
    throw new AppError('bad_request', 'the form body cannot be parsed')
  }
  const errors = Object.entries(body).flatMap(([name, value]) => {
    const problem = textProblem(name) ?? (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'string' ? textProblem(v) : undefined)).find(Boolean)
    return problem ? [{ path: name, message: problem }] : []
  })
  if (errors.length > 0) throw new AppError('bad_request', 'the form has text that cannot be accepted', errors)
  // A repeated field counts by its last value, as before; list fields (`name[]`) and files are left out.
  const fields = Object.entries(body)
    .map(([name, value]): [string, unknown] => [name, Array.isArray(value) && !name.endsWith('[]') ? value.at(-1) : value])
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
  return Object.fromEntries(fields)
}
