/**
 * A tenant's nouns: the built-in ones with the tenant's custom fields on top, and the nouns the
 * tenant defined, all read by the same grammar (`defineNoun`) and checked the same way. Every
 * projection (validators, storage, filters, includes, OpenAPI, MCP) reads this registry, so a
 * change to the document changes them all at once.
 *
 *   buildRegistry(builtIns, { nouns: { Contact: { shoeSize: 'number#' }, Project: { name: 'string!' } } })
 */
import { AppError, type FieldError } from '../errors'
import { GrammarError, isVerbDeclaration, parseField, type ReverseField, type StoredField } from '../noun/grammar'
import { defineNoun, type NounSchema } from '../noun/noun'
import { pluralize } from '../noun/plural'
import { fieldSchema, toFieldErrors } from '../noun/validators'
import type { CollectionRegistry } from '../noun/registry'
import { own, ownRecord } from '../own'
import { SCHEMA_LIMITS, type NounBody, type SchemaDoc } from './doc'

export interface TenantRegistry extends CollectionRegistry {
  /** The document it was built from. */
  readonly doc: SchemaDoc
  /** Whether `name` is one of Revline's own nouns (its built-in fields cannot change). */
  isBuiltIn(name: string): boolean
  /** The tenant's own fields of a noun, built-in or not, in declaration order. */
  customFields(name: string): readonly StoredField[]
}

const NOUN_NAME = /^[A-Z][A-Za-z0-9]*$/
const FIELD_NAME = /^[a-z][A-Za-z0-9]*$/
/** Names the meta fields (`$id`, `createdAt` …), the handle (`schema`) or storage (`custom`) use. */
const RESERVED_FIELDS = new Set([
  'schema', 'id', 'version', 'createdAt', 'updatedAt', 'createdBy', 'deletedAt', 'custom', 'type',
  // Names every JavaScript object answers to: a field so named would read as a function in the
  // SDK, templates and any client that checks `entity.toString` rather than Object.hasOwn.
  ...Object.getOwnPropertyNames(Object.prototype),
])
/**
 * First path segments of a tenant's API that are not collections: a noun whose plural is one of
 * them would be unreachable (or would shadow the route).
 */
export const RESERVED_COLLECTIONS = new Set([
  'events', 'settings', 'keys', 'jobs', 'mcp', 'pipeline', 'sources', 'webhooks', 'capture', 'dashboard', 'nouns', 'manifest',
  'openapi.json', 'docs', 'types', 'search', 'live', 'users', 'sessions', 'backups', 'audit', 'erasure', 'me', 'admin',
])

/** The shape of every collection name (`pluralize` of a PascalCase name): nothing else is a collection. */
export const COLLECTION_NAME = /^[a-z][a-z0-9]{0,60}$/

/** Table names of the tenant's own nouns: apart from the built-in ones (`c_` + the plural). */
export const customTableOf = (plural: string) => `c_${plural.replace(/-/g, '_')}`

class SchemaErrors {
  readonly errors: FieldError[] = []
  add(path: string, message: string) {
    this.errors.push({ path, message })
  }
  grammar<T>(path: string, fn: () => T): T | undefined {
    try {
      return fn()
    } catch (error) {
      if (!(error instanceof GrammarError)) throw error
      // The grammar names the noun and field itself ("Project.budget: unknown type 'money'"): keep the
      // reason, and place a noun's error at the field or verb it names.
      // ("Project.go: …" from the noun, "budget: …" from a field's grammar, "Project: …" the noun itself)
      const named = /^([A-Za-z][A-Za-z0-9]*)(?:\.([A-Za-z0-9]+))?: /.exec(error.message)
      const field = named?.[2] ?? (named?.[1] !== path ? named?.[1] : undefined)
      const at = field && !path.includes('.') ? `${path}.${field}` : path
      this.add(at, named ? error.message.slice(named[0].length) : error.message)
      return undefined
    }
  }
}

export interface BuildOptions {
  /**
   * Nouns whose definition this change writes: they are also held to the checks added after
   * documents were first stored (defaults the field takes, no state on a CRUD verb). A stored
   * definition is built as it was accepted, so a tenant's data never goes out of sight.
   */
  checked?: ReadonlySet<string>
}

const CRUD_NAMES = new Set(['create', 'update', 'delete'])

export function buildRegistry(builtIns: readonly NounSchema[], doc: SchemaDoc, options: BuildOptions = {}): TenantRegistry {
  const problems = new SchemaErrors()
  const builtInByName = new Map(builtIns.map((n) => [n.name, n]))
  const result = new Map<string, NounSchema>(builtIns.map((n) => [n.name, n]))
  const custom = new Map<string, StoredField[]>()
  const entries = Object.entries(doc.nouns)

  let ownNouns = 0
  for (const [name, body] of entries) {
    if (!NOUN_NAME.test(name) || name.length > SCHEMA_LIMITS.nameLength) {
      problems.add(name, `a noun name is PascalCase letters and digits, at most ${SCHEMA_LIMITS.nameLength} characters`)
      continue
    }
    const builtIn = builtInByName.get(name)
    if (builtIn) {
      const extended = extend(builtIn, body, problems)
      if (extended) {
        result.set(name, extended.noun)
        custom.set(name, extended.fields)
      }
      continue
    }
    ownNouns++
    if (options.checked?.has(name))
      for (const [key, value] of Object.entries(body))
        if (CRUD_NAMES.has(key) && value !== null) problems.add(`${name}.${key}`, `${key} is a CRUD verb: it takes null (switched off), not a state or a field`)
    const noun = defineOwn(name, body, problems)
    if (noun) {
      result.set(name, noun)
      custom.set(name, Object.values(noun.fields))
    }
  }
  if (ownNouns > SCHEMA_LIMITS.customNouns) problems.add('nouns', `a tenant defines at most ${SCHEMA_LIMITS.customNouns} nouns of its own`)

  const plurals = new Map<string, string>()
  for (const noun of result.values()) {
    const holder = plurals.get(noun.plural)
    if (holder) problems.add(noun.name, `its collection /${noun.plural} is ${holder}'s already`)
    else plurals.set(noun.plural, noun.name)
  }
  linkRelations(result, custom, problems)
  for (const [name, fields] of custom) {
    if (options.checked?.has(name)) for (const field of fields) checkDefault(field, `${name}.${field.name}`, problems)
    if (fields.length > SCHEMA_LIMITS.customFields) problems.add(name, `at most ${SCHEMA_LIMITS.customFields} custom fields on one noun`)
    const indexed = fields.filter((f) => f.index !== 'none' || (f.kind === 'relation' && !f.list)).length
    if (indexed > SCHEMA_LIMITS.indexedFields) problems.add(name, `at most ${SCHEMA_LIMITS.indexedFields} indexed custom fields (#, ##, relations) on one noun`)
  }
  if (problems.errors.length > 0) throw new AppError('validation_failed', 'the schema is not valid', problems.errors)

  const byPlural = new Map([...result.values()].map((n) => [n.plural, n]))
  return {
    doc,
    byName: (name) => result.get(name),
    byPlural: (plural) => byPlural.get(plural),
    all: () => [...result.values()],
    isBuiltIn: (name) => builtInByName.has(name),
    customFields: (name) => custom.get(name) ?? [],
  }
}

/** A built-in noun with the tenant's fields on top: a copy, so other tenants never see them. */
function extend(builtIn: NounSchema, body: NounBody, problems: SchemaErrors): { noun: NounSchema; fields: StoredField[] } | undefined {
  const fields: StoredField[] = []
  const reverse: ReverseField[] = []
  for (const [key, source] of Object.entries(body)) {
    const path = `${builtIn.name}.${key}`
    if (!checkFieldName(key, path, problems)) continue
    if (own(builtIn.fields, key) || own(builtIn.reverse, key) || own(builtIn.verbs, key) || own(builtIn.aliases, key)) {
      problems.add(path, `is a built-in name of ${builtIn.name}; a custom field cannot shadow it`)
      continue
    }
    if (source === null || isVerbDeclaration(source)) {
      problems.add(path, `custom verbs and CRUD switches belong to nouns of the tenant's own; ${builtIn.name} takes fields only`)
      continue
    }
    const spec = problems.grammar(path, () => parseField(key, source))
    if (!spec) continue
    if (spec.kind === 'reverse') reverse.push(spec)
    else fields.push({ ...spec, custom: true })
  }
  if (fields.length === 0 && reverse.length === 0) return { noun: builtIn, fields: [] }
  return {
    noun: {
      ...builtIn,
      fields: ownRecord({ ...builtIn.fields, ...Object.fromEntries(fields.map((f) => [f.name, f])) }),
      reverse: ownRecord({ ...builtIn.reverse, ...Object.fromEntries(reverse.map((r) => [r.name, r])) }),
    },
    fields,
  }
}

/** A noun of the tenant's own: the seeds' grammar, every field stored in its JSON column. */
function defineOwn(name: string, body: NounBody, problems: SchemaErrors): NounSchema | undefined {
  let ok = true
  for (const key of Object.keys(body)) if (!checkFieldName(key, `${name}.${key}`, problems)) ok = false
  const plural = pluralize(name)
  if (RESERVED_COLLECTIONS.has(plural)) {
    problems.add(name, `its collection /${plural} is a route of the API; choose another name`)
    ok = false
  }
  if (!ok) return undefined
  const noun = problems.grammar(name, () => defineNoun(name, body))
  if (!noun) return undefined
  if (Object.keys(noun.fields).length === 0) problems.add(name, 'a noun needs at least one field')
  const fields = ownRecord<StoredField>(Object.fromEntries(Object.values(noun.fields).map((f) => [f.name, { ...f, custom: true as const }])))
  return { ...noun, fields, table: customTableOf(noun.plural), tenantDefined: true }
}

/**
 * A default is a value the field must take: it fills new rows and, for a new required field, the
 * stored ones, so `date = yesterday` or `int[] = ["x"]` would write values no request could.
 */
function checkDefault(field: StoredField, path: string, problems: SchemaErrors) {
  if (field.default === undefined) return
  const parsed = fieldSchema(field).safeParse(field.default)
  if (parsed.success) return
  const reason = toFieldErrors(parsed.error).map((e) => (e.path === '(body)' ? e.message : `${e.path}: ${e.message}`)).join('; ')
  problems.add(path, `its default ${JSON.stringify(field.default)} is not a value of the field (${reason})`)
}

function checkFieldName(key: string, path: string, problems: SchemaErrors): boolean {
  if (!FIELD_NAME.test(key) || key.length > SCHEMA_LIMITS.nameLength) {
    problems.add(path, `a field name is camelCase letters and digits, at most ${SCHEMA_LIMITS.nameLength} characters`)
    return false
  }
  if (RESERVED_FIELDS.has(key)) {
    problems.add(path, `'${key}' is reserved`)
    return false
  }
  return true
}

/**
 * Relations of the tenant's fields must name nouns that exist; a back-reference (`-> Organization.projects`)
 * gives the target a reverse list of that name (`include=projects` on the organization), and a
 * declared `<- Noun.field[]` must name a relation pointing back.
 */
function linkRelations(nouns: Map<string, NounSchema>, custom: Map<string, StoredField[]>, problems: SchemaErrors) {
  for (const [name, fields] of custom) {
    for (const field of fields) {
      if (field.kind !== 'relation') continue
      const path = `${name}.${field.name}`
      const target = nouns.get(field.target)
      if (!target) {
        problems.add(path, `relates to ${field.target}, which is not a noun of this tenant`)
        continue
      }
      if (!field.backref) continue
      if (own(target.fields, field.backref) || own(target.verbs, field.backref)) {
        problems.add(path, `its back-reference '${field.backref}' is already a field of ${target.name}`)
        continue
      }
      const existing = own(target.reverse, field.backref)
      if (existing && !(existing.target === name && existing.via === field.name)) {
        problems.add(path, `its back-reference '${field.backref}' is already a list on ${target.name}`)
        continue
      }
      nouns.set(target.name, { ...target, reverse: ownRecord({ ...target.reverse, [field.backref]: { kind: 'reverse', name: field.backref, target: name, via: field.name } }) })
    }
  }
  for (const noun of nouns.values()) {
    for (const spec of Object.values(noun.reverse)) {
      const source = nouns.get(spec.target)
      const via = source ? own(source.fields, spec.via) : undefined
      if (via?.kind !== 'relation' || via.target !== noun.name) problems.add(`${noun.name}.${spec.name}`, `lists ${spec.target}.${spec.via}, which is not a relation to ${noun.name}`)
    }
  }
}
