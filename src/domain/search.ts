/**
 * Full-text search (issue 17), the domain half: which fields of a noun are searched, what a record
 * contributes to the index (a title, weighted above the rest, and a body), and how a person's query
 * becomes FTS5 syntax. The user's text never reaches FTS5 raw: it is cut into words (letters and
 * digits of any script), each quoted, each a prefix (type-ahead), all required.
 */
import { AppError } from './errors'
import type { EntityRecord } from './engine/types'
import type { NounSchema } from './noun/noun'
import type { StoredField } from './noun/grammar'

/** The field that names a record, in order of preference. */
const TITLE_FIELDS = ['name', 'title', 'subject', 'email', 'to'] as const

/**
 * Text fields that say nothing a person searches for (links, codes, machine values): not indexed.
 * Everything else of type string, text or email is: names, emails, titles, subjects, bodies, notes.
 */
const NOT_SEARCHED = new Set(['stage', 'avatar', 'linkedinUrl', 'twitterHandle', 'timezone', 'language', 'currency', 'colour', 'provider', 'providerId', 'cause', 'kind', 'marketingConsent', 'utmSource', 'utmMedium', 'utmCampaign', 'link', 'error', 'tier'])

/**
 * Built-in fields that hold a machine-written value on one noun only (so a tenant's own field of the
 * same name elsewhere is still searched). A LeadScore's reason ('created', 'rescored', 'updated:
 * budget') is its only text: a search for "budget" or "created" must not answer with every score
 * ever computed. With it left out, a LeadScore has no searched text and no entry (a score is found
 * through its lead), which also spares every scored write its index rows (migration 0022).
 */
const MACHINE_TEXT: Readonly<Record<string, ReadonlySet<string>>> = { LeadScore: new Set(['reason']) }

const TEXT_TYPES = new Set(['string', 'text', 'email'])

/** Whether a field's text goes into the index: a text field that is neither a machine value by name nor one of a built-in noun's. */
function isSearched(noun: NounSchema, field: StoredField): boolean {
  if (field.kind !== 'scalar' || !TEXT_TYPES.has(field.type) || NOT_SEARCHED.has(field.name)) return false
  const builtIn = !field.custom && !noun.tenantDefined && Object.hasOwn(MACHINE_TEXT, noun.name)
  return !(builtIn && MACHINE_TEXT[noun.name]!.has(field.name))
}

export interface SearchFields {
  title: string | undefined
  body: string[]
}

const cache = new WeakMap<NounSchema, SearchFields>()

/** The noun's searched fields: its title field and the other text fields. */
export function searchFields(noun: NounSchema): SearchFields {
  let fields = cache.get(noun)
  if (!fields) {
    const text = Object.values(noun.fields).filter((f) => isSearched(noun, f))
    const title = TITLE_FIELDS.find((name) => text.some((f) => f.name === name))
    fields = { title, body: text.map((f) => f.name).filter((name) => name !== title) }
    cache.set(noun, fields)
  }
  return fields
}

export interface SearchDocument {
  title: string
  body: string
}

/**
 * Text as the index keeps it: control characters other than tab and newline dropped. The search's
 * snippets mark matches with two of them (U+0002, U+0003), so a record's own must never reach it.
 */
// eslint-disable-next-line no-control-regex
const textOf = (value: unknown) => (typeof value === 'string' ? value.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ') : '')

/** What a live record puts in the index; undefined for a deleted one or one with no text at all. */
export function searchDocument(noun: NounSchema, entity: EntityRecord): SearchDocument | undefined {
  if (entity.$deletedAt) return undefined
  const fields = searchFields(noun)
  const title = fields.title ? textOf(entity[fields.title]) : ''
  const body = fields.body.map((name) => textOf(entity[name])).filter((t) => t !== '').join('\n')
  return title === '' && body === '' ? undefined : { title, body }
}

/** Whether an update changed anything the index holds (most verbs change a stage, not text). */
export function searchChanged(noun: NounSchema, before: EntityRecord, after: EntityRecord): boolean {
  if (Boolean(before.$deletedAt) !== Boolean(after.$deletedAt)) return true
  const fields = searchFields(noun)
  return [fields.title, ...fields.body].some((name) => name !== undefined && before[name] !== after[name])
}

export const MAX_QUERY_LENGTH = 500
/** How deep a search pages: past this, refine the words. */
export const MAX_SEARCH_OFFSET = 1000
const MAX_WORDS = 16

/**
 * A person's query as FTS5 syntax: `zoe ång` → `"zoe"* AND "ång"*`. Quotes, operators, column
 * filters and parentheses are not letters, so they only separate words. Empty or over-long: 422.
 */
export function ftsQuery(q: string): string {
  if (q.length > MAX_QUERY_LENGTH) throw new AppError('validation_failed', 'the query is too long', [{ path: 'q', message: `must be at most ${MAX_QUERY_LENGTH} characters` }])
  const words = (q.normalize('NFC').match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, MAX_WORDS).map((w) => w.slice(0, 64))
  if (words.length === 0) throw new AppError('validation_failed', 'the query has no words to search for', [{ path: 'q', message: 'must contain at least one letter or digit' }])
  return words.map((w) => `"${w}"*`).join(' AND ')
}
