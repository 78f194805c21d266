/**
 * Query strings are input text like bodies: a parameter whose name or value holds a NUL character,
 * an unpaired surrogate or percent-encoded bytes that are not UTF-8 is a 400 `invalid_query` naming
 * it (URLSearchParams would quietly turn bad bytes into U+FFFD). Numbers in query strings are
 * decimal only: `Number()` and `z.coerce.number()` would also read `0x1F`, `0b1` and blanks.
 */
import { createMiddleware } from 'hono/factory'
import { z } from 'zod'
import { AppError, type FieldError } from '../domain/errors'
import { isUtf8, textProblem } from '../domain/json-text'

const lossy = new TextDecoder()
const encoder = new TextEncoder()

/** The bytes a form-encoded component stands for (`+` is a space; a stray `%` stays as it is, as URLSearchParams does). */
function componentBytes(component: string): Uint8Array {
  const text = component.replace(/\+/g, ' ')
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16))
      i += 2
    } else if (c < 0x80) bytes.push(c)
    else {
      // Not expected after URL parsing (it percent-encodes), but kept exact if present.
      const end = i + (c >= 0xd800 && c <= 0xdbff ? 2 : 1)
      bytes.push(...encoder.encode(text.slice(i, end)))
      i = end - 1
    }
  }
  return Uint8Array.from(bytes)
}

/** Problems with the text of a query string (`?a=1&b=2`) or form body, one per parameter. */
export function queryTextProblems(search: string): FieldError[] {
  const errors = new Map<string, string>()
  for (const part of search.replace(/^\?/, '').split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const [nameBytes, valueBytes] = [componentBytes(eq < 0 ? part : part.slice(0, eq)), componentBytes(eq < 0 ? '' : part.slice(eq + 1))]
    const name = lossy.decode(nameBytes)
    if (errors.has(name)) continue
    const problem =
      !isUtf8(nameBytes) || !isUtf8(valueBytes) ? 'is not valid UTF-8' : (textProblem(name) ?? textProblem(lossy.decode(valueBytes)))
    if (problem) errors.set(name, problem)
  }
  return [...errors].map(([path, message]) => ({ path, message }))
}

/** Refuses a request whose query string has text no route should see. */
export const cleanQuery = createMiddleware(async (c, next) => {
  const search = new URL(c.req.url).search
  const errors = search ? queryTextProblems(search) : []
  if (errors.length > 0) throw new AppError('invalid_query', 'the query string has text that cannot be accepted', errors)
  await next()
})

/** A whole-number query parameter in decimal digits, within bounds. */
export const wholeNumberParam = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number in decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
