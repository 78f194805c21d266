/**
 * zod validators derived from a noun: `createValidator(Contact.schema).parse(body)`.
 * Validation errors become `validation_failed` with one `{ path, message }` per field.
 */
import { z } from 'zod'
import { AppError, type FieldError } from '../errors'
import { MAX_NUMBER } from '../money'
import { textProblem } from '../json-text'
import type { StoredField } from './grammar'
import type { NounSchema, VerbSpec } from './noun'

/** Strings are bounded so one row stays far below the platform's 2 MB row limit. */
const MAX_STRING = 2_000
const MAX_TEXT = 100_000
const MAX_LIST = 1_000

const isoDateTime = z.iso.datetime({ offset: true }).transform((v) => new Date(v).toISOString())

/** Text from any door (REST, capture, ingestion, import, MCP) is refused with a NUL or an unpaired surrogate. */
const cleanText = <T extends z.ZodType<string>>(schema: T) =>
  schema.superRefine((value, ctx) => {
    const problem = textProblem(value)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  })

function scalarSchema(field: StoredField): z.ZodType {
  if (field.kind === 'enum') return z.enum(field.values as [string, ...string[]])
  if (field.kind === 'relation') return z.string().regex(new RegExp(`^${field.target.toLowerCase()}_[0-9A-Za-z]{9}$`), `must be a ${field.target} id`)
  switch (field.type) {
    case 'string':
      return cleanText(z.string().max(MAX_STRING))
    case 'text':
      return cleanText(z.string().max(MAX_TEXT))
    case 'number':
      return bounded(z.number(), field.min ?? -MAX_NUMBER, field.max ?? MAX_NUMBER)
    case 'int':
      return bounded(z.number().int('must be a whole number'), field.min ?? Number.MIN_SAFE_INTEGER, field.max ?? Number.MAX_SAFE_INTEGER)
    case 'boolean':
      return z.boolean()
    case 'date':
      return z.iso.date()
    case 'datetime':
      return isoDateTime
    case 'json':
      return z.json()
    case 'url':
      return cleanText(z.url().max(MAX_STRING))
    case 'email':
      return cleanText(z.email().max(320))
  }
}

/** Out-of-range numbers (1.79e308, a negative price, a score of 250) are refused with the range in the message. */
function bounded(schema: z.ZodNumber, min: number, max: number): z.ZodType {
  const range = `must be a number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`
  return schema.refine((n) => Number.isFinite(n) && n >= min && n <= max, range)
}

export function fieldSchema(field: StoredField): z.ZodType {
  let inner = scalarSchema(field)
  if (field.oneOf) {
    const allowed = new Set(field.oneOf)
    inner = inner.refine((v) => typeof v === 'string' && allowed.has(v), `must be ${field.describe ?? `one of ${field.oneOf.join(', ')}`}`)
  }
  // A required text field needs text: a blank string is as missing as no value.
  if (field.required && field.kind === 'scalar' && ['string', 'text', 'email', 'url'].includes(field.type))
    inner = inner.refine((v) => typeof v !== 'string' || v.trim() !== '', 'is required (a blank value does not count)')
  return field.list ? z.array(inner).max(MAX_LIST) : inner
}

type Shape = Record<string, z.ZodType>
const createCache = new WeakMap<NounSchema, z.ZodType>()
const updateCache = new WeakMap<NounSchema, z.ZodType>()
const verbCache = new WeakMap<VerbSpec, z.ZodType>()

/** Validators are built once per noun or verb and reused for every call. */
function cached<K extends object>(cache: WeakMap<K, z.ZodType>, key: K, build: () => z.ZodType): z.ZodType {
  let schema = cache.get(key)
  if (!schema) cache.set(key, (schema = build()))
  return schema
}

/** Body of `create`: required fields without a default must be present; null means "unset". */
export function createValidator(noun: NounSchema): z.ZodType {
  return cached(createCache, noun, () => {
    const shape: Shape = {}
    for (const field of Object.values(noun.fields)) {
      const schema = fieldSchema(field)
      shape[field.name] = field.required && field.default === undefined ? schema : schema.nullable().optional()
    }
    return z.strictObject(shape)
  })
}

/** Body of `update`: every field optional; required fields cannot be set to null. */
export function updateValidator(noun: NounSchema): z.ZodType {
  return cached(updateCache, noun, () => {
    const shape: Shape = {}
    for (const field of Object.values(noun.fields)) {
      const schema = fieldSchema(field)
      shape[field.name] = field.required ? schema.optional() : schema.nullable().optional()
    }
    return z.strictObject(shape)
  })
}

/** Body of a custom verb: its declared input fields. */
export function verbInputValidator(verb: VerbSpec): z.ZodType {
  return cached(verbCache, verb, () => {
    const shape: Shape = {}
    for (const field of Object.values(verb.input)) {
      const schema = fieldSchema(field)
      shape[field.name] = field.required ? schema : schema.nullable().optional()
    }
    const object = z.strictObject(shape)
    const choices = verb.exactlyOne
    if (!choices) return object
    // One of them, not none and not several: the first is named when none is given, each extra one when several are.
    return object.superRefine((input, ctx) => {
      const given = choices.filter((key) => (input as Record<string, unknown>)[key] != null)
      const either = choices.join(' or ')
      if (given.length === 0) ctx.addIssue({ code: 'custom', path: [choices[0]!], message: `is required: give ${either}` })
      for (const key of given.slice(1)) ctx.addIssue({ code: 'custom', path: [key], message: `give only one of ${choices.join(', ')}` })
    })
  })
}

/** A field that is missing altogether says so, rather than "expected string, received undefined". */
const MISSING: z.core.ParseContext<z.core.$ZodIssue> = { error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined) }

export function validate<T = Record<string, unknown>>(schema: z.ZodType, value: unknown, what: string): T {
  const result = schema.safeParse(value ?? {}, MISSING)
  if (result.success) return result.data as T
  throw new AppError('validation_failed', `${what} is not valid`, toFieldErrors(result.error))
}

const fieldOrder = new WeakMap<object, string[]>()

/**
 * What a before hook returned (`replaced`), validated, where `previous` is the validator's own
 * output: the keys the hook kept as they were are not checked again, only those it added or changed
 * (each by its field's schema), and the result is in the schema's field order, as the whole
 * validator returns it. Anything else (a key dropped, an undefined or refused value, a schema that
 * is not a plain object of fields, an input that is not a plain object) goes through the whole validator, which names the problem.
 * For createValidator and updateValidator: they check nothing across fields.
 */
export function revalidate<T = Record<string, unknown>>(schema: z.ZodType, previous: Record<string, unknown>, replaced: unknown, what: string): T {
  const shape = schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : undefined
  // A plain object only: zod also reads inherited keys, which Object.keys below would not see.
  if (!shape || typeof replaced !== 'object' || replaced === null || Object.getPrototypeOf(replaced) !== Object.prototype) return validate(schema, replaced, what)
  const given = replaced as Record<string, unknown>
  for (const key of Object.keys(previous)) if (!Object.hasOwn(given, key)) return validate(schema, replaced, what)
  const changed = new Map<string, unknown>()
  for (const key of Object.keys(given)) {
    const value = given[key]
    if (Object.hasOwn(previous, key) && previous[key] === value) continue
    const field = Object.hasOwn(shape, key) ? shape[key] : undefined
    const result = value === undefined || !field ? undefined : field.safeParse(value, MISSING)
    if (!result?.success) return validate(schema, replaced, what)
    changed.set(key, result.data)
  }
  let order = fieldOrder.get(shape)
  if (!order) fieldOrder.set(shape, (order = Object.keys(shape)))
  const out: Record<string, unknown> = {}
  for (const key of order) {
    if (changed.has(key)) out[key] = changed.get(key)
    else if (Object.hasOwn(previous, key)) out[key] = previous[key]
  }
  return out as T
}

export function toFieldErrors(error: z.ZodError): FieldError[] {
  const errors: FieldError[] = []
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors.push({ path: [...issue.path, key].join('.'), message: 'is not a field of this noun' })
    } else {
      errors.push({ path: issue.path.map(String).join('.') || '(body)', message: issue.message })
    }
  }
  return errors
}
