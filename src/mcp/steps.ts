/**
 * `do` with steps: later steps may name earlier results ("$0.$id", "$2.deal"), anywhere in their
 * id or data. Steps run in order and stop at the first error.
 */
const REFERENCE = /^\$(\d+)\.([\w$.]+)$/

export function resolveReferences(value: unknown, results: unknown[]): unknown {
  if (typeof value === 'string') {
    const match = REFERENCE.exec(value)
    if (!match) return value
    const index = Number(match[1])
    if (index >= results.length) throw new Error(`${value} refers to step ${index}, which has not run yet`)
    let current: unknown = results[index]
    for (const part of match[2]!.split('.')) current = current && typeof current === 'object' ? (current as Record<string, unknown>)[part] : undefined
    if (current === undefined) throw new Error(`${value}: step ${index}'s result has no ${match[2]}`)
    return current
  }
  if (Array.isArray(value)) return value.map((v) => resolveReferences(v, results))
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveReferences(v, results)]))
  return value
}
