/** Analytics counters in SQLite: applied in the verb's transaction, read by measure prefix. */
import type { Contribution, Counter } from '../domain/analytics/contributions'
import { attribution, billing, cycle, funnel, measures, pipelineSummary, type PlanRow, type StageRow } from '../domain/analytics/reports'
import { nouns } from '../domain/nouns'
import type { EntityStore } from './entity-store'

const UPSERT = `INSERT INTO aggregates (key, n, sum, extra) VALUES (?, ?, ?, ?)
  ON CONFLICT(key) DO UPDATE SET n = n + excluded.n, sum = sum + excluded.sum, extra = extra + excluded.extra`

export function applyDelta(sql: SqlStorage, delta: Contribution) {
  for (const [key, c] of delta) sql.exec(UPSERT, key, c.n, c.sum, c.extra)
}

/** Counters whose key starts with one of the measures (`lead-all`, `deal|`…), by index range. */
export function readCounters(sql: SqlStorage, measures: string[]): Map<string, Counter> {
  const out = new Map<string, Counter>()
  for (const measure of measures) {
    const rows = sql.exec<{ key: string; n: number; sum: number; extra: number }>('SELECT key, n, sum, extra FROM aggregates WHERE key >= ? AND key < ?', `${measure}|`, `${measure}}`)
    for (const row of rows) out.set(row.key, { n: row.n, sum: row.sum, extra: row.extra })
  }
  return out
}


export function analyticsReport(store: EntityStore, op: { report: 'summary' | 'funnel' | 'attribution' | 'cycle' | 'billing'; dateFrom?: string; dateTo?: string }) {
  const range = { ...(op.dateFrom ? { dateFrom: op.dateFrom } : {}), ...(op.dateTo ? { dateTo: op.dateTo } : {}) }
  const stages = () => store.find(nouns.byName('Stage')!, { and: [] }, { sort: [{ field: 'order', dir: 'asc' }], limit: 200 }) as unknown as StageRow[]
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
      return billing(readCounters(store.sql, ['subscription']), store.find(nouns.byName('Plan')!, { and: [] }, { limit: 1000 }) as unknown as PlanRow[])
  }
}
