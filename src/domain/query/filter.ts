/**
 * The filter language, parsed against a noun so unknown fields and operators fail loudly (400).
 *   { status: 'New', score: { $gte: 80 }, $or: [{ source: 'website' }, { source: 'referral' }] }
 * The result is a typed condition tree with values coerced to the field's type; storage turns
 * it into SQL (src/durable/query).
 */
import { AppError, type FieldError } from '../errors'
import { decimalNumber } from '../json-text'
import type { StoredField } from '../noun/grammar'
import type { NounSchema } from '../noun/noun'
import type { NounRegistry } from '../noun/registry'
import { isIdOf } from '../ids'
import { own, ownRecord } from '../own'
import { ftsQuery } from '../search'

/** In a list filter on a relation to Contact (`?owner=me`): the calling user's own contact. */
export const ME = 'me'

export const OPERATORS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$contains'] as const
export type Operator = (typeof OPERATORS)[number]

export type Condition =
  | { field: string; op: Operator; value: unknown }
  /** `deal.stage=Proposal`: the relation points at an entity matching `where` (one level deep). */
  | { field: string; related: { noun: string; where: Condition } }
  | { and: Condition[] }
  | { or: Condition[] }
  /** `$search`: the record's text matches these words (full-text search; `match` is FTS5 syntax built by ftsQuery). */
  | { search: string }

/** Meta fields anyone may filter and sort on, with the field shape that coerces their values. */
export const META_FIELDS: Record<string, StoredField> = ownRecord({
  $id: { kind: 'scalar', type: 'string', name: '$id', required: true, index: 'unique', list: false },
  $version: { kind: 'scalar', type: 'int', name: '$version', required: true, index: 'none', list: false },
  $createdAt: { kind: 'scalar', type: 'datetime', name: '$createdAt', required: true, index: 'index', list: false },
  $updatedAt: { kind: 'scalar', type: 'datetime', name: '$updatedAt', required: true, index: 'none', list: false },
  $createdBy: { kind: 'scalar', type: 'string', name: '$createdBy', required: true, index: 'none', list: false },
})

/**
 * Longest `$in` / `$nin` list. Storage binds a list as one parameter (src/durable/query/compile.ts),
 * so the bound is about work, not SQLite's 100 parameters: 1,000 values cover any id list a
 * client pages through, and keep a request's work (coercion, the JSON parameter) small.
 */
export const MAX_IN_VALUES = 1_000
const MAX_DEPTH = 6
const MAX_CONDITIONS = 40

/** The field a request names: own entries of the noun's (prototype-free) records only. */
export function fieldOf(noun: NounSchema, name: string): StoredField | undefined {
  return own(noun.fields, name) ?? own(META_FIELDS, name)
}

class FilterParser {
  readonly errors: FieldError[] = []
  count = 0
  constructor(
    private readonly noun: NounSchema,
    /** Where relation filters (`organization.industry`) find the noun a relation points at. */
    private readonly nouns: NounRegistry,
    private readonly origin: string,
    /** Whether `me` may stand for the caller's contact (list requests; see ./me.ts). */
    private readonly me: boolean = false,
  ) {}

  parseObject(value: unknown, path: string, depth: number): Condition[] {
    if (depth > MAX_DEPTH) return this.fail(path, `nesting deeper than ${MAX_DEPTH}`)
    if (!isPlainObject(value)) return this.fail(path, 'must be an object')
    const out: Condition[] = []
    for (const [key, inner] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key
      if (key === '$search') {
        const condition = this.search(inner, at)
        if (condition) out.push(condition)
      } else if (key === '$and' || key === '$or') {
        if (!Array.isArray(inner) || inner.length === 0) {
          this.fail(at, 'must be a non-empty array of filters')
          continue
        }
        const parts = inner.map((item, i) => ({ and: this.parseObject(item, `${at}[${i}]`, depth + 1) }) as Condition)
        out.push(key === '$and' ? { and: parts } : { or: parts })
      } else if (key.startsWith('$') && !Object.hasOwn(META_FIELDS, key) && !key.includes('.')) {
        this.fail(at, `unknown operator '${key}' (allowed: ${OPERATORS.join(' ')} $and $or $search)`)
      } else {
        out.push(...this.parseField(key, inner, at))
      }
    }
    return out
  }

  parseField(name: string, value: unknown, path: string): Condition[] {
    const dot = name.indexOf('.')
    if (dot > 0) return this.parseRelated(name.slice(0, dot), name.slice(dot + 1), value, path)
    const field = fieldOf(this.noun, name)
    if (!field) return this.fail(path, `'${name}' is not a field of ${this.noun.name}`)
    if (isPlainObject(value)) {
      const out: Condition[] = []
      for (const [op, operand] of Object.entries(value)) {
        const condition = this.condition(field, op, operand, `${path}.${op}`)
        if (condition) out.push(condition)
      }
      return out
    }
    const condition = this.condition(field, '$eq', value, path)
    return condition ? [condition] : []
  }

  /** `organization.industry`: a filter on the entity a relation points at. */
  parseRelated(relation: string, rest: string, value: unknown, path: string): Condition[] {
    const field = fieldOf(this.noun, relation)
    if (field?.kind !== 'relation' || field.list) return this.fail(path, `'${relation}' is not a relation of ${this.noun.name}`)
    const target = this.nouns.byName(field.target)
    if (!target || rest.includes('.')) return this.fail(path, 'relation filters go one level deep (relation.field)')
    const inner = new FilterParser(target, this.nouns, this.origin, this.me)
    const conditions = inner.parseField(rest, value, path)
    this.errors.push(...inner.errors)
    this.count += inner.count
    return conditions.length ? [{ field: relation, related: { noun: target.name, where: { and: conditions } } }] : []
  }

  condition(field: StoredField, op: string, raw: unknown, path: string): Condition | undefined {
    if (++this.count > MAX_CONDITIONS) return void this.fail(path, `more than ${MAX_CONDITIONS} conditions`)
    if (!(OPERATORS as readonly string[]).includes(op)) return void this.fail(path, `unknown operator '${op}' (allowed: ${OPERATORS.join(' ')})`)
    const operator = op as Operator
    try {
      return { field: field.name, op: operator, value: coerceOperand(field, operator, raw, this.origin, this.me) }
    } catch (error) {
      return void this.fail(path, error instanceof Error ? error.message : String(error))
    }
  }

  /** `$search: 'words'` (JSON) or `?$search=words` (query string). */
  search(value: unknown, path: string): Condition | undefined {
    if (++this.count > MAX_CONDITIONS) return void this.fail(path, `more than ${MAX_CONDITIONS} conditions`)
    const words = isPlainObject(value) && Object.keys(value).length === 1 && typeof value.$eq === 'string' ? value.$eq : value
    if (typeof words !== 'string') return void this.fail(path, 'takes the words to search for, as a string')
    try {
      return { search: ftsQuery(words) }
    } catch (error) {
      return void this.fail(path, error instanceof AppError && error.errors?.[0] ? error.errors[0].message : String(error))
    }
  }

  private fail(path: string, message: string): never[] {
    this.errors.push({ path, message })
    return []
  }
}

/**
 * Parse a JSON filter (MCP, SDK, `?filter=`); `nouns` resolves the targets of relation filters.
 * `me`: a list request, where `owner: 'me'` (any relation to Contact) stands for the caller's own
 * contact; it stays `'me'` here and the tenant object, which knows the caller, resolves it (./me.ts).
 */
export function parseFilter(noun: NounSchema, filter: unknown, nouns: NounRegistry, origin: 'json' | 'query' = 'json', options: { me?: boolean } = {}): Condition {
  const parser = new FilterParser(noun, nouns, origin, options.me)
  const conditions = parser.parseObject(filter, '', 0)
  if (parser.errors.length > 0) throw new AppError('invalid_query', 'the filter is not valid', parser.errors)
  return { and: conditions }
}

/**
 * Operand coercion. Query-string values arrive as text, so there numbers, booleans and lists are
 * parsed from it; JSON values must already have the right type. Dates compare as dates: any ISO
 * date-time is normalised to the stored UTC form.
 */
function coerceOperand(field: StoredField, op: Operator, raw: unknown, origin: string, me: boolean): unknown {
  if (op === '$exists') {
    if (typeof raw === 'boolean') return raw
    if (raw === 'true' || raw === 'false') return raw === 'true'
    throw new Error('$exists takes true or false')
  }
  if (op === '$in' || op === '$nin') {
    const list = Array.isArray(raw) ? raw : typeof raw === 'string' && origin === 'query' ? raw.split(',') : undefined
    if (!list) throw new Error(`${op} takes a list`)
    if (list.length === 0 || list.length > MAX_IN_VALUES) throw new Error(`${op} takes 1 to ${MAX_IN_VALUES} values`)
    return list.map((v) => coerceScalar(field, v, origin, me))
  }
  if (op === '$contains') {
    if (typeof raw !== 'string' || raw.length === 0 || raw.length > 200) throw new Error('$contains takes a string of 1 to 200 characters')
    if (field.list) return coerceScalar({ ...field, list: false }, raw, origin)
    if (field.kind === 'scalar' && !['string', 'text', 'url', 'email'].includes(field.type)) throw new Error('$contains works on text fields and lists')
    return raw
  }
  if (raw === null && (op === '$eq' || op === '$ne')) return null
  if (field.list && (op === '$eq' || op === '$ne')) throw new Error('use $contains to match a list item')
  return coerceScalar(field, raw, origin, me)
}

function coerceScalar(field: StoredField, raw: unknown, origin: string, me = false): unknown {
  const fromQuery = origin === 'query' && typeof raw === 'string'
  if (field.kind === 'enum') {
    if (typeof raw !== 'string' || !field.values.includes(raw)) throw new Error(`must be one of ${field.values.join(', ')}`)
    return raw
  }
  if (field.kind === 'relation') {
    if (raw === ME && field.target === 'Contact') {
      if (me) return ME
      throw new Error('`me` (your own contact) works only in list requests')
    }
    // A value that cannot be an id of the target would silently match nothing: say so instead.
    if (typeof raw !== 'string' || !isIdOf(field.target.toLowerCase(), raw)) throw new Error(`must be a ${field.target} id (${field.target.toLowerCase()}_…)`)
    return raw
  }
  switch (field.type) {
    case 'number':
    case 'int': {
      const n = fromQuery ? decimalNumber(raw as string) : raw
      if (typeof n !== 'number' || !Number.isFinite(n)) throw new Error(fromQuery ? 'must be a decimal number such as 42 or -1.5' : 'must be a number')
      return n
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw
      if (fromQuery && (raw === 'true' || raw === 'false')) return raw === 'true'
      throw new Error('must be true or false')
    case 'datetime':
    case 'date': {
      if (typeof raw !== 'string') throw new Error('must be an ISO date')
      const ms = Date.parse(raw)
      if (Number.isNaN(ms)) throw new Error('must be an ISO date')
      if (field.type === 'date') return new Date(ms).toISOString().slice(0, 10)
      return new Date(ms).toISOString()
    }
    case 'json':
      throw new Error('json fields cannot be filtered')
    default:
      if (typeof raw !== 'string') throw new Error('must be a string')
      return raw
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
