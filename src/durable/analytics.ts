/** Analytics counters in SQLite: applied in the verb's transaction, read by measure prefix. */
import { contributions, COUNTED_NOUNS, type Contribution, type Counter } from '../domain/analytics/contributions'
import { AppError } from '../domain/errors'
import { attribution, billing, cycle, funnel, measures, pipelineSummary, type PlanRow, type StageRow } from '../domain/analytics/reports'
import type { EntityStore } from './entity-store'

/**
 * One multi-row upsert per (up to) 25 counters (a deal's stage change moves four): each statement
 * costs a round into SQLite. 25 rows × 4 = 100 bound values, the platform's limit per statement.
 * A total that would leave the exact integers becomes NULL, which the NOT NULL columns refuse: the
 * statement fails whole, no RETURNING or second read needed on the common path (both cost, see ./db).
 */
const ROWS_PER_UPSERT = 25
const upserts: string[] = []
const upsertOf = (rows: number) =>
  (upserts[rows] ??= `INSERT INTO aggregates (key, n, sum, extra) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?)').join(', ')}
  ON CONFLICT(key) DO UPDATE SET n = n + excluded.n,
    sum = CASE WHEN abs(sum + excluded.sum) <= ${Number.MAX_SAFE_INTEGER} THEN sum + excluded.sum END,
    extra = CASE WHEN abs(extra + excluded.extra) <= ${Number.MAX_SAFE_INTEGER} THEN extra + excluded.extra END`)

/** A counter beyond this is no longer an exact integer in a double: the write that would get there is refused. */
const exact = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER

export function applyDelta(sql: SqlStorage, delta: Contribution) {
  const entries = [...delta]
  for (const [key, c] of entries) if (!exact(c.sum) || !exact(c.extra)) throw tooLarge(key)
  for (let start = 0; start < entries.length; start += ROWS_PER_UPSERT) {
    const chunk = entries.slice(start, start + ROWS_PER_UPSERT)
    const values: SqlStorageValue[] = []
    for (const [key, c] of chunk) values.push(key, c.n, c.sum, c.extra)
    try {
      sql.exec(upsertOf(chunk.length), ...values)
    } catch (error) {
      // The caller's transaction rolls back with the throw: the counter never holds an inexact total.
      throw overflowOf(sql, chunk) ?? error
    }
  }
}

/** Which counter of a refused upsert would have left the exact integers (read after the statement undid itself). */
function overflowOf(sql: SqlStorage, chunk: [string, Counter][]): AppError | undefined {
  for (const [key, c] of chunk) {
    const row = sql.exec<{ sum: number; extra: number }>('SELECT sum, extra FROM aggregates WHERE key = ?', key).toArray()[0]
    if (row && (!exact(row.sum + c.sum) || !exact(row.extra + c.extra))) return tooLarge(key)
  }
  return undefined
}

/**
 * Counter deltas of the transactions open on an object, innermost last: a verb's delta is folded
 * into its transaction's and the sum applied once as the transaction ends (still inside it, so a
 * refused total rolls it back). An import batch of 1,000 leads then writes each counter once, not
 * per row. A nested transaction (savepoint) folds on its own, so its rollback drops only its deltas.
 */
const openScopes = new WeakMap<SqlStorage, Contribution[]>()

/** The delta of one event: folded into the innermost open transaction's, or applied now outside one. */
export function countDelta(sql: SqlStorage, change: Contribution): void {
  const scope = openScopes.get(sql)?.at(-1)
  if (!scope) return applyDelta(sql, change)
  for (const [key, c] of change) {
    const total = scope.get(key)
    if (total) {
      total.n += c.n
      total.sum += c.sum
      total.extra += c.extra
    } else scope.set(key, { ...c })
  }
}

/** Runs `fn` as one transaction's body (called inside it), applying the counter deltas it folded as it returns. */
export function foldingCounters<T>(sql: SqlStorage, fn: () => T): T {
  let stack = openScopes.get(sql)
  if (!stack) openScopes.set(sql, (stack = []))
  const scope: Contribution = new Map()
  stack.push(scope)
  try {
    const value = fn()
    stack.pop()
    for (const [key, c] of scope) if (c.n === 0 && c.sum === 0 && c.extra === 0) scope.delete(key)
    applyDelta(sql, scope)
    return value
  } finally {
    if (stack.at(-1) === scope) stack.pop()
  }
}

const tooLarge = (key: string) =>
  new AppError('rejected', `this change would take the tenant's ${key.split('|')[0]} totals beyond ${Number.MAX_SAFE_INTEGER.toLocaleString('en-US')} cents, where they stop being exact`, [
    { path: 'value', message: 'is too large for the pipeline totals' },
  ])

/**
 * Counters written before amounts were bounded can hold Infinity (a deal of 1.79e308), which no
 * later write can take back to a number. When any counter is not an exact integer, every counter
 * is rebuilt from the live rows (whose out-of-range amounts count clamped), once, at start-up.
 * Answers whether it rebuilt.
 */
export function repairInexactCounters(store: EntityStore): boolean {
  const inexact = store.sql.exec('SELECT 1 FROM aggregates WHERE NOT (abs(sum) <= ?1 AND abs(extra) <= ?1) LIMIT 1', Number.MAX_SAFE_INTEGER).toArray().length > 0
  if (!inexact) return false
  const totals: Contribution = new Map()
  for (const name of COUNTED_NOUNS) {
    const noun = store.nouns.byName(name)!
    let after: string | undefined
    for (;;) {
      const page = store.find(noun, after ? { field: '$id', op: '$gt', value: after } : { and: [] }, { sort: [{ field: '$id', dir: 'asc' }], limit: 1_000 })
      for (const entity of page)
        for (const [key, c] of contributions(entity)) {
          const total = totals.get(key) ?? { n: 0, sum: 0, extra: 0 }
          totals.set(key, { n: total.n + c.n, sum: total.sum + c.sum, extra: total.extra + c.extra })
        }
      if (page.length < 1_000) break
      after = page.at(-1)!.$id
    }
  }
  const saturate = (n: number) => Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, n))
  store.sql.exec('DELETE FROM aggregates')
  for (const [key, c] of totals) store.sql.exec('INSERT INTO aggregates (key, n, sum, extra) VALUES (?, ?, ?, ?)', key, c.n, saturate(c.sum), saturate(c.extra))
  return true
}

/** Counters whose key starts with one of the measures (`lead-all`, `deal|`…), by index range. */
export function readCounters(sql: SqlStorage, measures: string[]): Map<string, Counter> {
  const out = new Map<string, Counter>()
  for (const measure of measures) {
    const rows = sql.exec<{ key: string; n: number; sum: number; extra: number }>('SELECT key, n, sum, extra FROM aggregates WHERE key >= ? AND key < ?', `${measure}|`, `${measure}}`)
    for (const row of rows) out.set(row.key, { n: row.n, sum: row.sum, extra: row.extra })
    // Read inside a write: what its open transactions folded and have not applied yet counts too.
    for (const scope of openScopes.get(sql) ?? [])
      for (const [key, c] of scope) {
        if (key < `${measure}|` || key >= `${measure}}`) continue
        const total = out.get(key) ?? { n: 0, sum: 0, extra: 0 }
        out.set(key, { n: total.n + c.n, sum: total.sum + c.sum, extra: total.extra + c.extra })
      }
  }
  return out
}


export function analyticsReport(store: EntityStore, op: { report: 'summary' | 'funnel' | 'attribution' | 'cycle' | 'billing'; dateFrom?: string; dateTo?: string }) {
  const range = { ...(op.dateFrom ? { dateFrom: op.dateFrom } : {}), ...(op.dateTo ? { dateTo: op.dateTo } : {}) }
  const stages = () => store.find(store.nouns.byName('Stage')!, { and: [] }, { sort: [{ field: 'order', dir: 'asc' }], limit: 200 }) as unknown as StageRow[]
  const m = measures(range)
  switch (op.report) {
    case 'summary':
      return pipelineSummary(readCounters(store.sql, [m.lead, m.deal]), stages(), range)
    case 'funnel':
      return funnel(readCounters(store.sql, [m.lead, m.deal]), stages(), range)
    case 'attribution':
      return attribution(readCounters(store.sql, ['lead-source', 'lead-campaign', 'deal-won-source', 'deal-won-campaign']))
    case 'cycle':
      return cycle(readCounters(store.sql, ['lead-cycle', 'deal-cycle']))
    case 'billing':
      return billing(readCounters(store.sql, ['subscription']), store.find(store.nouns.byName('Plan')!, { and: [] }, { limit: 1000 }) as unknown as PlanRow[])
  }
}
