/**
 * JSON Schemas (OpenAPI 3.1 = JSON Schema 2020-12) derived from a noun's parsed fields: the entity
 * as the API returns it, what create and update accept, and each custom verb's input. The same
 * field specs the zod validators are built from (src/domain/noun/validators.ts), so the document
 * and the validation cannot drift apart.
 */
import type { StoredField } from '../../domain/noun/grammar'
import { apiVerbs, type NounSchema, type VerbSpec } from '../../domain/noun/noun'

export type JsonSchema = Record<string, unknown>

export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` })

const idPattern = (noun: string) => `^${noun.toLowerCase()}_[0-9A-Za-z]{9}$`

export function idSchema(noun: string): JsonSchema {
  return { type: 'string', pattern: idPattern(noun), description: `A ${noun} id (\`${noun.toLowerCase()}_\` + 9 base62 characters).` }
}

function scalarSchema(field: StoredField): JsonSchema {
  if (field.kind === 'enum') return { type: 'string', enum: [...field.values] }
  if (field.kind === 'relation') {
    const back = field.backref ? ` ${field.target}.${field.backref} lists it back.` : ''
    return {
      type: 'string',
      pattern: idPattern(field.target),
      description: `Id of a ${field.target} (relation).${back}`,
      'x-revline-relation': field.target,
    }
  }
  switch (field.type) {
    case 'string':
    case 'text':
      return { type: 'string' }
    case 'number':
      return { type: 'number' }
    case 'int':
      return { type: 'integer' }
    case 'boolean':
      return { type: 'boolean' }
    case 'date':
      return { type: 'string', format: 'date' }
    case 'datetime':
      return { type: 'string', format: 'date-time' }
    case 'url':
      return { type: 'string', format: 'uri' }
    case 'email':
      return { type: 'string', format: 'email' }
    case 'json':
      return { description: 'Any JSON value.' }
  }
}

/** The noun's constraints on a field (src/domain/noun/grammar.ts FieldConstraint), as JSON Schema. */
function constrained(field: StoredField, schema: JsonSchema): JsonSchema {
  const out = { ...schema }
  if (field.min !== undefined) out.minimum = field.min
  if (field.max !== undefined) out.maximum = field.max
  if (field.money) out.description = [out.description, 'Money in the major unit of `currency` (48000 is $48,000), with at most the currency\'s decimals (2 for USD, 0 for JPY).'].filter(Boolean).join(' ')
  if (field.oneOf) {
    // The full vocabulary is validated server-side; a pattern keeps generated client types readable.
    if (field.oneOf.every((v) => /^[A-Z]{3}$/.test(v))) out.pattern = '^[A-Z]{3}$'
    else out.enum = [...field.oneOf]
    out.description = [out.description, `Must be ${field.describe ?? 'one of the listed values'}.`].filter(Boolean).join(' ')
  }
  return out
}

/** One stored field: its scalar schema, an array for lists, its default and index notes. */
export function fieldSchema(field: StoredField): JsonSchema {
  const inner = constrained(field, scalarSchema(field))
  const { description, ...rest } = inner
  const schema: JsonSchema = field.list ? { type: 'array', items: rest } : { ...rest }
  const notes = [description, field.index === 'unique' ? 'Unique within the tenant.' : undefined].filter(Boolean)
  if (notes.length > 0) schema.description = notes.join(' ')
  if (field.default !== undefined) schema.default = field.default
  return schema
}

/** `null` as well: optional fields may be unset (create, update) and read back as null. */
export function nullable(schema: JsonSchema): JsonSchema {
  const out = { ...schema }
  if (typeof out.type === 'string') out.type = [out.type, 'null']
  if (Array.isArray(out.enum)) out.enum = [...out.enum, null]
  return out
}

function metaProperties(noun: NounSchema): Record<string, JsonSchema> {
  return {
    $id: { ...idSchema(noun.name), readOnly: true },
    $type: { type: 'string', const: noun.name, readOnly: true },
    $version: { type: 'integer', minimum: 1, readOnly: true, description: 'Starts at 1; every verb adds 1. Sent back as the ETag.' },
    $createdAt: { type: 'string', format: 'date-time', readOnly: true },
    $updatedAt: { type: 'string', format: 'date-time', readOnly: true },
    $createdBy: { type: 'string', readOnly: true, description: 'The API key (or system actor) whose call created it.' },
  }
}

/** The entity as every read and write returns it. */
export function entitySchema(noun: NounSchema): JsonSchema {
  const properties: Record<string, JsonSchema> = metaProperties(noun)
  const required = Object.keys(properties)
  for (const field of Object.values(noun.fields)) {
    const schema = field.required ? fieldSchema(field) : nullable(fieldSchema(field))
    if (field.kind === 'relation') schema.description = `${schema.description} \`include=${field.name}\` on a get inlines the ${field.target} here.`
    properties[field.name] = schema
    if (field.required) required.push(field.name)
  }
  for (const reverse of Object.values(noun.reverse)) {
    properties[reverse.name] = {
      type: 'array',
      items: ref(reverse.target),
      readOnly: true,
      description: `Computed: the ${reverse.target}s whose \`${reverse.via}\` points here. Present only with \`include=${reverse.name}\`.`,
    }
  }
  return { type: 'object', title: noun.name, properties, required }
}

/** Keywords whose values are data, not schemas: left as they are. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'examples', 'example'])

/**
 * A request body's schema without `default`, the default said in the description instead
 * (`whenOmitted: false` for updates, where an omitted field is left as it is). A client generated
 * at its default settings (openapi-typescript) makes a property with a `default` required, so
 * `{"name":"FBI Enterprise","value":48000}` would not type-check without `currency`.
 */
export function withoutDefaults(schema: JsonSchema, whenOmitted = true): JsonSchema {
  // Under `properties` the keys are field names (a field may be called `default`), not keywords.
  const walkNamed = (named: unknown): unknown => (named && typeof named === 'object' ? Object.fromEntries(Object.entries(named).map(([name, value]) => [name, walk(value)])) : named)
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk)
    if (!node || typeof node !== 'object') return node
    const { default: fallback, ...rest } = node as JsonSchema
    const out: JsonSchema = Object.fromEntries(
      Object.entries(rest).map(([key, value]) => [key, DATA_KEYWORDS.has(key) ? value : key === 'properties' || key === '$defs' ? walkNamed(value) : walk(value)]),
    )
    if (fallback !== undefined && whenOmitted) {
      const text = JSON.stringify(fallback)
      const note = text.length <= 60 ? `Defaults to \`${text}\` when omitted.` : 'When omitted, what a new tenant starts with.'
      out.description = [out.description, note].filter(Boolean).join(' ')
    }
    return out
  }
  return walk(schema) as JsonSchema
}

/** `POST /{collection}`: required fields without a default must be given; null means unset. */
export function createSchema(noun: NounSchema): JsonSchema {
  const properties: Record<string, JsonSchema> = {}
  const required: string[] = []
  for (const field of Object.values(noun.fields)) {
    const mustGive = field.required && field.default === undefined
    properties[field.name] = withoutDefaults(mustGive ? fieldSchema(field) : nullable(fieldSchema(field)))
    if (mustGive) required.push(field.name)
  }
  return { type: 'object', title: `${noun.name}Create`, properties, ...(required.length ? { required } : {}), additionalProperties: false }
}

/** `PATCH /{collection}/{id}`: any subset of fields; required ones cannot be set to null. */
export function updateSchema(noun: NounSchema): JsonSchema {
  const properties: Record<string, JsonSchema> = {}
  for (const field of Object.values(noun.fields)) properties[field.name] = withoutDefaults(field.required ? fieldSchema(field) : nullable(fieldSchema(field)), false)
  return { type: 'object', title: `${noun.name}Update`, properties, additionalProperties: false }
}

/** A custom verb's declared input (`lose` takes `lostReason`). */
export function verbInputSchema(noun: NounSchema, verb: VerbSpec): JsonSchema {
  const properties: Record<string, JsonSchema> = {}
  const required: string[] = []
  for (const field of Object.values(verb.input)) {
    properties[field.name] = withoutDefaults(field.required ? fieldSchema(field) : nullable(fieldSchema(field)))
    if (field.required) required.push(field.name)
  }
  // Exactly one of them (assign: owner or user): each branch requires one, and both match neither.
  const oneOf = verb.exactlyOne ? { oneOf: verb.exactlyOne.map((name) => ({ required: [name] })), description: `Give exactly one of ${verb.exactlyOne.map((n) => `\`${n}\``).join(', ')}.` } : {}
  return { type: 'object', title: verbInputName(noun, verb), properties, ...(required.length ? { required } : {}), ...oneOf, additionalProperties: false }
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)
export const verbInputName = (noun: NounSchema, verb: VerbSpec) => `${noun.name}${pascal(verb.verb)}Input`

/** Every schema a noun contributes to components: Contact, ContactCreate, ContactUpdate, Contact…Input. */
export function nounComponents(noun: NounSchema): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = { [noun.name]: entitySchema(noun) }
  const verbs = apiVerbs(noun)
  if (verbs.create) out[`${noun.name}Create`] = createSchema(noun)
  if (verbs.update) out[`${noun.name}Update`] = updateSchema(noun)
  for (const verb of Object.values(verbs)) {
    if (verb.kind === 'custom' && Object.keys(verb.input).length > 0) out[verbInputName(noun, verb)] = verbInputSchema(noun, verb)
  }
  return out
}
