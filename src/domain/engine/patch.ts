import type { NounSchema } from '../noun/noun'
import type { EntityRecord } from './types'

/** Copy of `base` with `patch` applied; null or undefined unsets a field (snapshots omit nulls). */
export function applyPatch(base: EntityRecord, patch: Record<string, unknown>): EntityRecord {
  const next: EntityRecord = { ...base }
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === undefined) delete next[key]
    else next[key] = value
  }
  return next
}

export function changedFields(noun: NounSchema, before: EntityRecord | undefined, after: EntityRecord): string[] {
  return Object.keys(noun.fields).filter((f) => !before || !sameValue(before[f], after[f]))
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a == null || b == null) return a == b
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b)
  return false
}
