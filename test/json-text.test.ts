/** The JSON door (src/domain/json-text.ts), unit by unit: what it refuses, where it says the problem is, what it lets through. */
import { describe, expect, it } from 'vitest'
import { AppError } from '../src/domain/errors'
import { MAX_JSON_DEPTH, assertCleanText, decimalNumber, decodeUtf8, parseJsonObject, parseJsonText, textProblem } from '../src/domain/json-text'

/** The AppError a call throws (or a failed expectation). */
function refusal(fn: () => unknown): AppError {
  try {
    fn()
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

const parse = (text: string) => parseJsonText(text, { what: 'the body' })

describe('parseJsonText', () => {
  it('gives the same values as JSON.parse for ordinary JSON', () => {
    for (const text of ['{}', '[]', '"x"', '0', '-0', '1.5e3', 'true', 'null', '{"a":[1,{"b":"c"}],"d":"\\u00e9\\ud83d\\ude00","e":"\\"quoted\\""}', ' \n{"a" : 1}\t'])
      expect(parse(text)).toEqual(JSON.parse(text))
  })

  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and refuses one more, naming where`, () => {
    const deep = (n: number) => '{"a":'.repeat(n - 1) + '[]' + '}'.repeat(n - 1)
    expect(() => parse(deep(MAX_JSON_DEPTH))).not.toThrow()
    const error = refusal(() => parse(deep(MAX_JSON_DEPTH + 1)))
    expect(error.code).toBe('bad_request')
    expect(error.errors).toEqual([{ path: Array(MAX_JSON_DEPTH).fill('a').join('.'), message: `nests deeper than ${MAX_JSON_DEPTH} levels` }])
  })

  it('refuses 100,000 levels at once, without recursion (arrays and objects)', () => {
    for (const text of ['['.repeat(100_000) + ']'.repeat(100_000), '{"a":'.repeat(100_000), `{"tags":${'['.repeat(100_000)}`]) {
      const error = refusal(() => parse(text))
      expect(error.errors?.[0]?.message).toBe(`nests deeper than ${MAX_JSON_DEPTH} levels`)
    }
    expect(refusal(() => parse(`{"tags":${'['.repeat(50)}`)).errors?.[0]?.path).toBe(`tags${'[0]'.repeat(MAX_JSON_DEPTH - 1)}`)
  })

  it('refuses a key twice in one object, naming it by its path (escaped spellings count)', () => {
    expect(refusal(() => parse('{"contact":{"email":"a@b.co","email":"c@d.co"}}')).errors).toEqual([{ path: 'contact.email', message: 'appears twice in one object' }])
    expect(refusal(() => parse('{"name":"x","n\\u0061me":"y"}')).errors?.[0]?.path).toBe('name')
    expect(refusal(() => parse('[{"a":1},{"b":1,"b":2}]')).errors?.[0]?.path).toBe('[1].b')
    // the same key in sibling objects is no duplicate
    expect(parse('[{"a":1},{"a":2}]')).toEqual([{ a: 1 }, { a: 2 }])
  })

  it('refuses NUL characters, escaped or raw, in values and in keys', () => {
    expect(refusal(() => parse('{"name":"a\\u0000b"}')).errors).toEqual([{ path: 'name', message: 'contains a NUL character' }])
    expect(refusal(() => parse('{"list":["ok","a\u0000"]}')).errors).toEqual([{ path: 'list[1]', message: 'contains a NUL character' }])
    expect(refusal(() => parse('{"na\\u0000me":1}')).errors?.[0]?.message).toBe('contains a NUL character')
  })

  it('refuses unpaired surrogates, escaped or raw, and keeps pairs', () => {
    for (const text of ['{"n":"\\ud800"}', '{"n":"\\udc00x"}', '{"n":"\\ud800\\ud800"}', '{"n":"\\ud83dx"}', `{"n":"${'\ud800'}"}`, `{"n":"${'\udfff'}"}`])
      expect(refusal(() => parse(text)).errors, text).toEqual([{ path: 'n', message: 'contains an unpaired surrogate' }])
    expect(parse('{"n":"\\ud83d\\ude00 \ud83d\ude00"}')).toEqual({ n: '😀 😀' })
  })

  it('refuses number literals that overflow to ±Infinity, and keeps the rest', () => {
    for (const text of ['{"v":1e400}', '{"v":-1e400}', '[1, 2e999]'])
      expect(refusal(() => parse(text)).errors?.[0]?.message, text).toBe('is a number too large to represent')
    expect(parse('[1e308, -1e308, 1e-400, 9007199254740993, -0]')).toEqual([1e308, -1e308, 0, 9007199254740992, -0])
    for (const text of ['[1e]', '[1.2.3]', '[-]', '[0x10]']) expect(refusal(() => parse(text)).errors?.[0]?.message, text).toMatch(/^is not valid JSON/)
  })

  it('refuses invalid JSON with the parser message, at the given path and code', () => {
    const error = refusal(() => parseJsonText('{"status": }', { what: 'the filter', path: 'filter', code: 'invalid_query' }))
    expect(error.code).toBe('invalid_query')
    expect(error.errors?.[0]?.path).toBe('filter')
    expect(error.errors?.[0]?.message).toMatch(/^is not valid JSON: \S/)
    expect(refusal(() => parseJsonText('{"a":{"b":1,"b":2}}', { what: 'the filter', path: 'filter' })).errors?.[0]?.path).toBe('filter.a.b')
    for (const text of ['', '{', '{"a":1,}', "{'a':1}", 'NaN', '\\', '"\\u12"', '{"a" 1}', ']']) expect(refusal(() => parse(text)).code, text).toBe('bad_request')
  })

  it('refuses text longer than its bound', () => {
    expect(refusal(() => parseJsonText('[1,2,3]', { what: 'x', maxLength: 5 })).errors?.[0]?.message).toBe('is longer than 5 characters')
  })

  it('parseJsonObject wants an object', () => {
    for (const text of ['[]', 'null', '"x"', '1']) expect(refusal(() => parseJsonObject(text, { what: 'the body' })).errors).toEqual([{ path: '(body)', message: 'must be a JSON object' }])
    expect(parseJsonObject('{"__proto__":{"x":1}}', { what: 'the body' })).toEqual(JSON.parse('{"__proto__":{"x":1}}'))
  })
})

describe('decodeUtf8', () => {
  it('decodes UTF-8 (dropping a leading BOM) and refuses anything else with a 400', () => {
    expect(decodeUtf8(new TextEncoder().encode('\ufeffhé 😀'))).toBe('hé 😀')
    for (const bytes of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0x61, 0x80]]) {
      const error = refusal(() => decodeUtf8(Uint8Array.from(bytes)))
      expect(error.code).toBe('bad_request')
      expect(error.errors).toEqual([{ path: '(body)', message: 'is not valid UTF-8' }])
    }
  })
})

describe('textProblem and assertCleanText', () => {
  it('name NUL characters and unpaired surrogates, and nothing else', () => {
    expect(textProblem('plain, é, 😀, \t\n')).toBeUndefined()
    expect(textProblem('a\u0000')).toBe('contains a NUL character')
    expect(textProblem('\ud800')).toBe('contains an unpaired surrogate')
    expect(textProblem('x\udc00')).toBe('contains an unpaired surrogate')
    expect(textProblem('\ude00\ud83d')).toBe('contains an unpaired surrogate')
    expect(refusal(() => assertCleanText('a\u0000', 'status', 'invalid_query'))).toMatchObject({ code: 'invalid_query', errors: [{ path: 'status', message: 'contains a NUL character' }] })
  })
})

describe('decimalNumber', () => {
  it('reads decimal notation only', () => {
    expect(['42', '-1.5', '+3', '.5', '5.', '2e3', '1E-2'].map(decimalNumber)).toEqual([42, -1.5, 3, 0.5, 5, 2000, 0.01])
    for (const text of ['0x1F', '0b1', '0o7', 'Infinity', '', ' ', ' 5', '5 ', '1,000', '1e', '--1', 'NaN']) expect(decimalNumber(text), text).toBeUndefined()
  })
})
