/**
 * The one door from request text to JSON values. `parseJsonText(text, { what: 'the body' })`
 * scans the text once (linear, iterative: hostile nesting cannot overflow a stack here) and
 * refuses with a 400 naming the place what JSON.parse would accept but nothing after it should see:
 * nesting deeper than MAX_JSON_DEPTH, a key twice in one object, NUL characters, unpaired
 * surrogates and numbers that overflow to ±Infinity. Only then does native JSON.parse build values.
 * `decodeUtf8` turns bytes into text, refusing invalid UTF-8; `textProblem` / `assertCleanText`
 * check plain strings (form fields, CSV cells, query strings) for NUL and unpaired surrogates.
 */
import { AppError } from './errors'

/**
 * Deepest nesting accepted, counting every object and array. The deepest document Revline reads
 * (a settings section: array › automation › do › action › with › a json value) needs about 8, and
 * a json field rarely more than a handful; 32 leaves room for any honest payload while keeping
 * everything downstream that walks values recursively (structured clone over DO RPC, zod,
 * JSON.stringify, the event log) thousands of frames away from the stack's end.
 */
export const MAX_JSON_DEPTH = 32
/** Longest text parsed (characters): bodies are capped in bytes at the edge; this caps text from elsewhere. */
export const MAX_JSON_TEXT = 1024 * 1024

export interface JsonTextOptions {
  /** The text as the client knows it, for messages: 'the body', 'the filter'. */
  what: string
  /** Prefix of error paths ('filter' → 'filter.status'); without it paths start at the top-level key. */
  path?: string
  /** The error code (default `bad_request`; query parameters use `invalid_query`). */
  code?: 'bad_request' | 'invalid_query'
  maxLength?: number
}

interface Frame {
  object: boolean
  /** Object: keys seen so far; the current key; whether the next string is a key. */
  keys?: Set<string>
  key?: string
  expectKey: boolean
  /** Array: index of the current element. */
  index: number
}

const NUL_MESSAGE = 'contains a NUL character'
const SURROGATE_MESSAGE = 'contains an unpaired surrogate'

/** Parses request JSON text, refusing what JSON.parse would accept but nothing downstream should see. */
export function parseJsonText(text: string, options: JsonTextOptions): unknown {
  const refuse = (path: string, message: string, detail = `${options.what} ${message}`): never => {
    throw new AppError(options.code ?? 'bad_request', detail, [{ path, message }])
  }
  const maxLength = options.maxLength ?? MAX_JSON_TEXT
  if (text.length > maxLength) refuse(options.path ?? '(body)', `is longer than ${maxLength} characters`)
  scan(text, options, refuse)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    refuse(options.path ?? '(body)', `is not valid JSON: ${(error as Error).message}`)
  }
  return value
}

/** Parses text that must hold a JSON object (a request body, an NDJSON line). */
export function parseJsonObject(text: string, options: JsonTextOptions): Record<string, unknown> {
  const value = parseJsonText(text, options)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AppError(options.code ?? 'bad_request', `${options.what} must be a JSON object`, [{ path: options.path ?? '(body)', message: 'must be a JSON object' }])
  return value as Record<string, unknown>
}

function scan(text: string, options: JsonTextOptions, refuse: (path: string, message: string, detail?: string) => never): void {
  const stack: Frame[] = []
  const pathOf = (extra?: string): string => {
    let path = options.path ?? ''
    const parts = extra === undefined ? stack : stack.slice(0, -1)
    for (const frame of parts) path += frame.object ? (frame.key === undefined ? '' : join(path, frame.key)) : `[${frame.index}]`
    if (extra !== undefined) path += join(path, extra)
    return path || '(body)'
  }
  const n = text.length
  let i = 0
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 0x22 /* " */) {
      const start = i + 1
      const { end, problem, escaped } = scanString(text, start)
      const top = stack.at(-1)
      if (top?.object && top.expectKey) {
        const key = escaped ? decodeKey(text.slice(start - 1, end + 1)) : text.slice(start, end)
        if (problem) refuse(pathOf(key ?? text.slice(start, end)), problem)
        if (key !== undefined) {
          if (top.keys!.has(key)) refuse(pathOf(key), 'appears twice in one object', `${options.what} has the key '${key}' twice in one object`)
          top.keys!.add(key)
          top.key = key
        }
        top.expectKey = false
      } else if (problem) {
        refuse(pathOf(), problem)
      }
      i = end + 1
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= MAX_JSON_DEPTH) refuse(pathOf(), `nests deeper than ${MAX_JSON_DEPTH} levels`)
      stack.push(c === 0x7b ? { object: true, keys: new Set(), expectKey: true, index: 0 } : { object: false, expectKey: false, index: 0 })
      i++
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop()
      i++
    } else if (c === 0x2c /* , */) {
      const top = stack.at(-1)
      if (top?.object) {
        top.expectKey = true
        top.key = undefined
      } else if (top) top.index++
      i++
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1
      while (end < n && isNumberChar(text.charCodeAt(end))) end++
      // Only a well-formed literal reads as ±Infinity; a malformed one (`1e`, `1.2.3`) is NaN, left to JSON.parse.
      if (Math.abs(Number(text.slice(i, end))) === Infinity) refuse(pathOf(), 'is a number too large to represent')
      i = end
    } else if (c === 0) {
      refuse(pathOf(), NUL_MESSAGE)
    } else {
      // Whitespace, ':', literals and anything invalid (JSON.parse reports the latter).
      i++
    }
  }
}

const join = (path: string, key: string) => (path ? `.${key}` : key)
const isNumberChar = (c: number) => (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2b || c === 0x2d || c === 0x65 || c === 0x45

/** The string starting at `start` (after its quote): where it ends (the closing quote), and its first problem. */
function scanString(text: string, start: number): { end: number; problem?: string; escaped: boolean } {
  let problem: string | undefined
  let escaped = false
  // A high surrogate waits for its low half, escaped (\udc00) or raw.
  let pendingHigh = false
  const unit = (u: number) => {
    if (problem) return
    if (u === 0) problem = NUL_MESSAGE
    else if (u >= 0xd800 && u <= 0xdbff) {
      if (pendingHigh) problem = SURROGATE_MESSAGE
      pendingHigh = true
      return
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      if (!pendingHigh) problem = SURROGATE_MESSAGE
    } else if (pendingHigh) problem = SURROGATE_MESSAGE
    pendingHigh = false
  }
  let i = start
  const n = text.length
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 0x22) break
    if (c === 0x5c /* \ */) {
      escaped = true
      const next = text.charCodeAt(i + 1)
      if (next === 0x75 /* u */) {
        const hex = text.slice(i + 2, i + 6)
        if (/^[0-9a-fA-F]{4}$/.test(hex)) unit(parseInt(hex, 16))
        i += 6
        continue
      }
      unit(next)
      i += 2
      continue
    }
    unit(c)
    i++
  }
  if (pendingHigh && !problem) problem = SURROGATE_MESSAGE
  return { end: i, problem, escaped }
}

function decodeKey(quoted: string): string | undefined {
  try {
    const key: unknown = JSON.parse(quoted)
    return typeof key === 'string' ? key : undefined
  } catch {
    return undefined // not a valid string: JSON.parse of the whole text says so
  }
}

const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

/** Bytes → text, refusing invalid UTF-8 with a 400 (a leading BOM is dropped, as Response.text() does). */
export function decodeUtf8(bytes: ArrayBuffer | Uint8Array, what = 'the body'): string {
  try {
    return fatalDecoder.decode(bytes)
  } catch {
    throw new AppError('bad_request', `${what} is not valid UTF-8`, [{ path: '(body)', message: 'is not valid UTF-8' }])
  }
}

/** Whether bytes are valid UTF-8 (for callers that report per line or per parameter). */
export function isUtf8(bytes: Uint8Array): boolean {
  try {
    fatalDecoder.decode(bytes)
    return true
  } catch {
    return false
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** What is wrong with a plain string as input text: a NUL character or an unpaired surrogate. */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return NUL_MESSAGE
  if (LONE_SURROGATE.test(text)) return SURROGATE_MESSAGE
  return undefined
}

/** Throws a 4xx naming `path` when `text` has a NUL character or an unpaired surrogate. */
export function assertCleanText(text: string, path: string, code: 'bad_request' | 'invalid_query' = 'bad_request'): void {
  const problem = textProblem(text)
  if (problem) throw new AppError(code, `${path} ${problem}`, [{ path, message: problem }])
}

/** Decimal notation only (`42`, `-1.5`, `2e3`): `Number()` would also read `0x1F`, `0b1`, `Infinity` and blanks. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

/** A number written in decimal text (query strings, CSV cells), or undefined. */
export function decimalNumber(text: string): number | undefined {
  return DECIMAL.test(text) ? Number(text) : undefined
}
