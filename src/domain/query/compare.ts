/** One operator against one value, in memory, with the same meaning as the SQL the store runs. */
import type { Operator } from './filter'

export function compareValues(actual: unknown, op: Operator | string, expected: unknown): boolean {
  switch (op) {
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
      return Array.isArray(actual) ? actual.includes(expected) : typeof actual === 'string' && actual.toLowerCase().includes(String(expected).toLowerCase())
    default:
      return false
  }
}
