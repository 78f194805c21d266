/**
 * The field grammar of the seeds' Noun DSL, parsed at runtime.
 *
 *   'string!'            required string
 *   'string##'           unique + indexed      'number#'  indexed
 *   'string[]'           list                  'int = 3'  default
 *   'New | Lost'         enum                  '-> Contact.leads'  relation with back-reference
 *   '<- Lead.contact[]'  computed reverse list
 *   'Converted'          (PascalCase word) a verb whose target state is Converted
 */
export const SCALAR_TYPES = ['string', 'text', 'number', 'int', 'boolean', 'date', 'datetime', 'json', 'url', 'email'] as const
export type ScalarType = (typeof SCALAR_TYPES)[number]

export type IndexKind = 'none' | 'index' | 'unique'

interface FieldBase extends FieldConstraint {
  name: string
  required: boolean
  index: IndexKind
  list: boolean
  default?: unknown
  /**
   * A tenant's own field (src/domain/schema): stored in the row's JSON `custom` column rather than
   * a column of its own, so adding one never rewrites the table.
   */
  custom?: true
}

/**
 * What the DSL string cannot say about a field, declared beside it in the noun's options
 * (`constraints: { value: { min: 0, max: MAX_AMOUNT } }`) and enforced by every projection
 * (validators, OpenAPI, MCP schema).
 */
export interface FieldConstraint {
  /** Inclusive bounds of a number or int field. */
  min?: number
  max?: number
  /** The only values a string field takes, when they are too many for an enum (currency codes). */
  oneOf?: readonly string[]
  /** How to name `oneOf` in messages and documents: "an ISO 4217 currency code such as USD". */
  describe?: string
  /**
   * An amount of money in the major unit of the noun's `currency` (USD when it has none), with at
   * most that currency's decimals (src/domain/money.ts).
   */
  money?: true
}
export interface ScalarField extends FieldBase {
  kind: 'scalar'
  type: ScalarType
}
export interface EnumField extends FieldBase {
  kind: 'enum'
  values: readonly string[]
}
export interface RelationField extends FieldBase {
  kind: 'relation'
  target: string
  backref?: string
}
/** A stored field: it has a column. */
export type StoredField = ScalarField | EnumField | RelationField
export interface ReverseField {
  kind: 'reverse'
  name: string
  target: string
  via: string
}
export type FieldSpec = StoredField | ReverseField

export class GrammarError extends Error {}

const PASCAL_WORD = /^[A-Z][A-Za-z0-9]*$/

/** A definition value that declares a verb: a single PascalCase word such as 'Converted'. */
export function isVerbDeclaration(value: string): boolean {
  return PASCAL_WORD.test(value.trim())
}

export function parseField(name: string, source: string): FieldSpec {
  const text = source.trim()
  if (text.startsWith('<-')) return parseReverse(name, text)

  let body = text
  let defaultText: string | undefined
  const eq = text.indexOf('=')
  if (eq >= 0) {
    body = text.slice(0, eq).trim()
    defaultText = text.slice(eq + 1).trim()
  }
  const modifiers = /^(.*?)(!|\?)?(##|#)?(\[\])?$/s.exec(body)
  if (!modifiers) throw new GrammarError(`${name}: cannot parse '${source}'`)
  const [, coreRaw, requiredMark, indexMark, listMark] = modifiers
  const core = coreRaw!.trim()
  const base = {
    name,
    required: requiredMark === '!',
    index: (indexMark === '##' ? 'unique' : indexMark === '#' ? 'index' : 'none') as IndexKind,
    list: listMark === '[]',
  }

  let field: StoredField
  if (core.startsWith('->')) {
    const match = /^->\s*([A-Z][A-Za-z0-9]*)(?:\.([A-Za-z][A-Za-z0-9]*))?$/.exec(core)
    if (!match) throw new GrammarError(`${name}: bad relation '${source}'`)
    field = { ...base, kind: 'relation', target: match[1]!, ...(match[2] ? { backref: match[2] } : {}) }
  } else if (core.includes('|')) {
    const values = core.split('|').map((v) => v.trim())
    if (values.some((v) => !/^[A-Za-z0-9_-]+$/.test(v))) throw new GrammarError(`${name}: bad enum '${source}'`)
    field = { ...base, kind: 'enum', values }
  } else if ((SCALAR_TYPES as readonly string[]).includes(core)) {
    field = { ...base, kind: 'scalar', type: core as ScalarType }
  } else {
    throw new GrammarError(`${name}: unknown type '${core}'`)
  }
  if (defaultText !== undefined) field.default = parseDefault(field, defaultText)
  return field
}

function parseReverse(name: string, text: string): ReverseField {
  const match = /^<-\s*([A-Z][A-Za-z0-9]*)\.([A-Za-z][A-Za-z0-9]*)(\[\])?$/.exec(text)
  if (!match) throw new GrammarError(`${name}: bad reverse relation '${text}'`)
  return { kind: 'reverse', name, target: match[1]!, via: match[2]! }
}

/** A default written as JSON (a list's, a json field's): a text that does not parse is the declaration's error. */
function parseJsonDefault(field: StoredField, text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new GrammarError(`${field.name}: default '${text}' is not JSON${field.list ? ' (a list default is a JSON array)' : ''}`)
  }
}

function parseDefault(field: StoredField, text: string): unknown {
  const unquoted = text.replace(/^(['"])(.*)\1$/, '$2')
  if (field.list) {
    const parsed: unknown = parseJsonDefault(field, text)
    if (!Array.isArray(parsed)) throw new GrammarError(`${field.name}: list default must be a JSON array`)
    return parsed
  }
  if (field.kind === 'enum') {
    if (!field.values.includes(unquoted)) throw new GrammarError(`${field.name}: default '${text}' is not one of the enum values`)
    return unquoted
  }
  if (field.kind === 'scalar') {
    switch (field.type) {
      case 'number':
      case 'int': {
        const n = Number(unquoted)
        if (!Number.isFinite(n) || (field.type === 'int' && !Number.isInteger(n))) throw new GrammarError(`${field.name}: bad default '${text}'`)
        return n
      }
      case 'boolean':
        if (unquoted !== 'true' && unquoted !== 'false') throw new GrammarError(`${field.name}: bad default '${text}'`)
        return unquoted === 'true'
      case 'json':
        return parseJsonDefault(field, text)
      default:
        return unquoted
    }
  }
  return unquoted
}
