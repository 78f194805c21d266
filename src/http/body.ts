/** Request bodies: JSON only, object-shaped, with clear 400/415 answers. */
import type { Context } from 'hono'
import { AppError } from '../domain/errors'

/**
 * The JSON object a write carries. An empty body is `{}` when `optional` (verbs often need no
 * input); anything that is not `application/json` is a 415.
 */
export async function readJsonObject(c: Context, { optional = false } = {}): Promise<Record<string, unknown>> {
  const text = await c.req.text()
  if (text.trim() === '') {
    if (optional) return {}
    throw new AppError('bad_request', 'the request needs a JSON body')
  }
  const type = c.req.header('content-type') ?? ''
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type)) throw new AppError('unsupported_media_type', `send the body as application/json, not '${type || 'no content type'}'`)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new AppError('bad_request', `the body is not valid JSON: ${(error as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AppError('bad_request', 'the body must be a JSON object')
  return value as Record<string, unknown>
}
