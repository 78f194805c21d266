/**
 * Pipeline analytics as incremental aggregates (seed 003's pipelineSummary and friends). Every
 * live entity contributes to a few counters; a verb applies `contributions(after) − contributions(before)`
 * in its own transaction, so the figures are always exact and reading them costs O(stages), never a
 * scan. A full recomputation is just the sum of contributions over every live row (the property
 * test checks exactly that).
 *
 * Keys: `<measure>|<dimension…>`; each counter holds n (count), sum and extra (a second sum).
 * Leads and deals are counted twice: per creation day (`lead|<day>|<status>`, for date ranges) and
 * in total (`lead-all|all|<status>`), so the common, unfiltered summary reads O(stages) counters.
 */
import type { EntityRecord } from '../engine/types'
import { toCents } from '../money'

export interface Counter {
  n: number
  sum: number
  extra: number
}

export type Contribution = Map<string, Counter>

const DAY_MS = 86_400_000
const day = (iso: unknown) => (typeof iso === 'string' ? iso.slice(0, 10) : 'none')
const days = (from: unknown, to: unknown) =>
  typeof from === 'string' && typeof to === 'string' ? Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS)) : undefined

function add(into: Contribution, key: string, n: number, sum = 0, extra = 0) {
  const c = into.get(key) ?? { n: 0, sum: 0, extra: 0 }
  c.n += n
  c.sum += sum
  c.extra += extra
  into.set(key, c)
}

// Deal values are in the currency's major unit (seed 000); analytics report cents (toCents clamps to the money bounds).

/** The nouns whose rows contribute to counters. */
export const COUNTED_NOUNS = ['Lead', 'Deal', 'Subscription'] as const

export function contributions(entity: EntityRecord | null | undefined): Contribution {
  const out: Contribution = new Map()
  if (!entity || entity.$deletedAt) return out
  switch (entity.$type) {
    case 'Lead': {
      const created = day(entity.$createdAt)
      const status = String(entity.status ?? 'New')
      const source = String(entity.source ?? 'other')
      const campaign = typeof entity.campaign === 'string' ? entity.campaign : 'none'
      const score = typeof entity.score === 'number' ? entity.score : undefined
      // Per creation day, so date ranges sum days; scores carry their sum for the average.
      add(out, `lead|${created}|${status}`, 1, score ?? 0, score === undefined ? 0 : 1)
      add(out, `lead-all|all|${status}`, 1, score ?? 0, score === undefined ? 0 : 1)
      add(out, `lead-source|${source}|${status}`, 1)
      add(out, `lead-campaign|${campaign}|${status}`, 1)
      const cycle = status === 'Converted' ? days(entity.firstTouchAt ?? entity.$createdAt, entity.convertedAt) : undefined
      if (cycle !== undefined) add(out, `lead-cycle|${cycle}`, 1, cycle)
      break
    }
    case 'Deal': {
      const created = day(entity.$createdAt)
      const stage = String(entity.stage ?? 'none')
      const cents = toCents(entity.value)
      const probability = typeof entity.probability === 'number' && Number.isFinite(entity.probability) ? Math.max(0, Math.min(100, entity.probability)) : 0
      const weighted = Math.round((cents * probability) / 100)
      add(out, `deal|${created}|${stage}`, 1, cents, weighted)
      add(out, `deal-all|all|${stage}`, 1, cents, weighted)
      if (entity.wonAt) {
        add(out, `deal-won-source|${String(entity.source ?? 'other')}`, 1, cents)
        add(out, `deal-won-campaign|${typeof entity.campaign === 'string' ? entity.campaign : 'none'}`, 1, cents)
        const cycle = days(entity.$createdAt, entity.wonAt)
        if (cycle !== undefined) add(out, `deal-cycle|${cycle}`, 1, cycle)
      }
      break
    }
    case 'Subscription': {
      add(out, `subscription|${String(entity.status)}|${String(entity.plan)}`, 1, typeof entity.quantity === 'number' ? entity.quantity : 1)
      break
    }
  }
  return out
}

/** after − before, without zero entries: what one event changes. */
export function delta(before: EntityRecord | null | undefined, after: EntityRecord | null | undefined): Contribution {
  const out = contributions(after)
  for (const [key, c] of contributions(before)) add(out, key, -c.n, -c.sum, -c.extra)
  for (const [key, c] of out) if (c.n === 0 && c.sum === 0 && c.extra === 0) out.delete(key)
  return out
}
