/** Evaluates a parsed condition against one entity in memory (automations' `when`). Same semantics as the SQL. */
import type { Condition } from './filter'

export function matches(entity: Record<string, unknown>, condition: Condition): boolean {
  if ('and' in condition) return condition.and.every((c) => matches(entity, c))
  if ('or' in condition) return condition.or.some((c) => matches(entity, c))
  // Relation paths need storage; automations validate their filters without them.
  if ('related' in condition) return false
  const actual = entity[condition.field] ?? null
  const expected = condition.value
  switch (condition.op) {
    case '$eq':
      return actual === expected
    case '$ne':
      return actual !== expected
    case '$gt':
      return actual !== null && (actual as number) > (expected as number)
    case '$gte':
      return actual !== null && (actual as number) >= (expected as number)
    case '$lt':
      return actual !== null && (actual as number) < (expected as number)
    case '$lte':
      return actual !== null && (actual as number) <= (expected as number)
    case '$in':
      return (expected as unknown[]).includes(actual)
    case '$nin':
      return !(expected as unknown[]).includes(actual)
    case '$exists':
      return (actual !== null) === expected
    case '$contains':
      if (Array.isArray(actual)) return actual.includes(expected)
      return typeof actual === 'string' && actual.toLowerCase().includes(String(expected).toLowerCase())
  }
}
