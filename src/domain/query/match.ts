/** Evaluates a parsed condition against one entity in memory (automations' `when`). Same semantics as the SQL. */
import { compareValues } from './compare'
import type { Condition } from './filter'

export function matches(entity: Record<string, unknown>, condition: Condition): boolean {
  if ('and' in condition) return condition.and.every((c) => matches(entity, c))
  if ('or' in condition) return condition.or.some((c) => matches(entity, c))
  // Relation paths need storage; automations validate their filters without them.
  if ('related' in condition) return false
  // Words in the full-text index need storage too.
  if ('search' in condition) return false
  return compareValues(entity[condition.field] ?? null, condition.op, condition.value)
}
