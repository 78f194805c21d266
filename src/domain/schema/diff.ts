/**
 * What a schema change does to one noun's own fields: which appear, which go, which change how
 * they read their values. The tenant object checks the stored rows against this (src/durable/schema-ops.ts).
 */
import type { StoredField } from '../noun/grammar'
import type { NounSchema } from '../noun/noun'

export interface FieldChange {
  name: string
  before: StoredField
  after: StoredField
  /** Values stored under `before` may not be valid under `after` (type, enum, list, relation target, bounds). */
  revalidate: boolean
  /** Rows must now hold a value. */
  nowRequired: boolean
  /** Live rows must now hold distinct values. */
  nowUnique: boolean
}

export interface NounDiff {
  added: StoredField[]
  dropped: StoredField[]
  changed: FieldChange[]
}

/** What decides whether a stored value still reads: everything but the index, required-ness and default. */
function valueShape(field: StoredField): string {
  const { index: _index, required: _required, default: _default, custom: _custom, ...shape } = field as StoredField & { default?: unknown }
  return JSON.stringify(shape)
}

const customFields = (noun: NounSchema | undefined): Map<string, StoredField> =>
  new Map(noun ? Object.values(noun.fields).filter((f) => f.custom).map((f) => [f.name, f]) : [])

export function diffNoun(before: NounSchema | undefined, after: NounSchema | undefined): NounDiff {
  const old = customFields(before)
  const next = customFields(after)
  const diff: NounDiff = { added: [], dropped: [], changed: [] }
  for (const [name, field] of next) {
    const was = old.get(name)
    if (!was) {
      diff.added.push(field)
      continue
    }
    const change: FieldChange = {
      name,
      before: was,
      after: field,
      revalidate: valueShape(was) !== valueShape(field),
      nowRequired: field.required && !was.required,
      nowUnique: field.index === 'unique' && was.index !== 'unique',
    }
    if (change.revalidate || change.nowRequired || change.nowUnique || JSON.stringify(was) !== JSON.stringify(field)) diff.changed.push(change)
  }
  for (const [name, field] of old) if (!next.has(name)) diff.dropped.push(field)
  return diff
}
