/**
 * The analytics reports, computed from aggregate counters (never from rows): pipelineSummary
 * (seed 003, exactly its fields, plus weightedPipelineValue), funnel, attribution, cycle and MRR.
 * Counters keep amounts in cents; every amount a report gives is in major units (src/domain/money.ts).
 */
import { fromCents } from '../money'
import type { Counter } from './contributions'

export type Counters = ReadonlyMap<string, Counter>

export interface StageRow {
  $id: string
  name: string
  order: number
  probability?: number | null
  kind?: string | null
}
export interface PlanRow {
  $id: string
  price: number
  interval?: string | null
}

const LEAD_STATUSES = ['New', 'Contacted', 'Qualified', 'Converted', 'Lost'] as const
const OPEN_LEAD = new Set(['New', 'Contacted', 'Qualified'])

interface Range {
  dateFrom?: string
  dateTo?: string
}
const inRange = (d: string, r: Range) => (!r.dateFrom || d >= r.dateFrom) && (!r.dateTo || d <= r.dateTo)
/** Counter measures to read for a range: the dated ones when filtering, the totals otherwise. */
export const measures = (r: Range) => (r.dateFrom || r.dateTo ? { lead: 'lead', deal: 'deal' } : { lead: 'lead-all', deal: 'deal-all' })

function parts(key: string) {
  return key.split('|')
}

/**
 * Seed 003's pipelineSummary. Its fields count two populations, as the seed names them: `total`,
 * `active`, `conversionRate` and `avgScore` are about leads; `won`, `lost`, the pipeline values and
 * `byStage` about deals. `leads` and `deals` repeat the counts under the population they count, so
 * a reader never divides deals by leads by mistake.
 */
export function pipelineSummary(counters: Counters, stages: StageRow[], range: Range = {}) {
  let total = 0
  let active = 0
  let converted = 0
  let leadsLost = 0
  let scoreSum = 0
  let scored = 0
  const byStage = new Map<string, { count: number; value: number; weighted: number }>()
  const m = measures(range)
  for (const [key, c] of counters) {
    const [measure, d, dim] = parts(key)
    if (measure === m.lead && (d === 'all' || inRange(d!, range))) {
      total += c.n
      if (OPEN_LEAD.has(dim!)) active += c.n
      if (dim === 'Converted') converted += c.n
      if (dim === 'Lost') leadsLost += c.n
      scoreSum += c.sum
      scored += c.extra
    } else if (measure === m.deal && (d === 'all' || inRange(d!, range))) {
      const s = byStage.get(dim!) ?? { count: 0, value: 0, weighted: 0 }
      s.count += c.n
      s.value += c.sum
      s.weighted += c.extra
      byStage.set(dim!, s)
    }
  }
  const kindOf = new Map(stages.map((s) => [s.name, s.kind ?? 'Open']))
  let won = 0
  let lost = 0
  let open = 0
  let totalPipelineValue = 0
  let weightedPipelineValue = 0
  for (const [name, s] of byStage) {
    const kind = kindOf.get(name) ?? 'Open'
    if (kind === 'Won') won += s.count
    else if (kind === 'Lost') lost += s.count
    else {
      open += s.count
      totalPipelineValue += s.value
      weightedPipelineValue += s.weighted
    }
  }
  return {
    leads: { total, active, converted, lost: leadsLost },
    deals: { open, won, lost },
    total,
    active,
    won,
    lost,
    totalPipelineValue: fromCents(totalPipelineValue),
    weightedPipelineValue: fromCents(weightedPipelineValue),
    conversionRate: total === 0 ? 0 : round((converted / total) * 100),
    avgScore: scored === 0 ? 0 : round(scoreSum / scored),
    byStage: [...stages]
      .sort((a, b) => a.order - b.order)
      .map((s) => ({ stageId: s.$id, stageName: s.name, count: byStage.get(s.name)?.count ?? 0, value: fromCents(byStage.get(s.name)?.value ?? 0) })),
  }
}

/** How many leads reached each status (or went further), and deals each stage, with step conversion. */
export function funnel(counters: Counters, stages: StageRow[], range: Range = {}) {
  const leadCounts = new Map<string, number>()
  const dealCounts = new Map<string, number>()
  const m = measures(range)
  for (const [key, c] of counters) {
    const [measure, d, dim] = parts(key)
    if (measure === m.lead && (d === 'all' || inRange(d!, range))) leadCounts.set(dim!, (leadCounts.get(dim!) ?? 0) + c.n)
    if (measure === m.deal && (d === 'all' || inRange(d!, range))) dealCounts.set(dim!, (dealCounts.get(dim!) ?? 0) + c.n)
  }
  const path = ['New', 'Contacted', 'Qualified', 'Converted']
  const reachedLead = path.map((status, i) => ({ status, reached: path.slice(i).reduce((sum, s) => sum + (leadCounts.get(s) ?? 0), 0), current: leadCounts.get(status) ?? 0 }))
  const open = [...stages].filter((s) => (s.kind ?? 'Open') === 'Open').sort((a, b) => a.order - b.order)
  const wonStage = stages.find((s) => s.kind === 'Won')
  const dealPath = [...open, ...(wonStage ? [wonStage] : [])]
  const reachedDeal = dealPath.map((stage, i) => ({
    stageId: stage.$id,
    stage: stage.name,
    reached: dealPath.slice(i).reduce((sum, s) => sum + (dealCounts.get(s.name) ?? 0), 0),
    current: dealCounts.get(stage.name) ?? 0,
  }))
  const withConversion = <T extends { reached: number }>(steps: T[]) =>
    steps.map((step, i) => ({ ...step, conversionFromPrevious: i === 0 ? 100 : steps[i - 1]!.reached === 0 ? 0 : round((step.reached / steps[i - 1]!.reached) * 100) }))
  return { leads: withConversion(reachedLead), lost: leadCounts.get('Lost') ?? 0, deals: withConversion(reachedDeal), dealsLost: dealCounts.get(stages.find((s) => s.kind === 'Lost')?.name ?? 'Lost') ?? 0 }
}

export function attribution(counters: Counters) {
  const by = (dimension: 'source' | 'campaign') => {
    const rows = new Map<string, { leads: number; conversions: number; wonDeals: number; wonValue: number }>()
    const row = (k: string) => rows.get(k) ?? rows.set(k, { leads: 0, conversions: 0, wonDeals: 0, wonValue: 0 }).get(k)!
    for (const [key, c] of counters) {
      const [measure, dim, status] = parts(key)
      if (measure === `lead-${dimension}`) {
        row(dim!).leads += c.n
        if (status === 'Converted') row(dim!).conversions += c.n
      } else if (measure === `deal-won-${dimension}`) {
        row(dim!).wonDeals += c.n
        row(dim!).wonValue += c.sum
      }
    }
    return [...rows]
      .map(([key, r]) => ({ [dimension]: key === 'none' ? null : key, ...r, wonValue: fromCents(r.wonValue), conversionRate: r.leads === 0 ? 0 : round((r.conversions / r.leads) * 100) }))
      .sort((a, b) => b.leads - a.leads || b.wonValue - a.wonValue)
  }
  return { bySource: by('source'), byCampaign: by('campaign') }
}

/** Average and median days: first touch → conversion for leads, creation → won for deals. */
export function cycle(counters: Counters) {
  const stats = (measure: string) => {
    const histogram: [number, number][] = []
    let n = 0
    let sum = 0
    for (const [key, c] of counters) {
      const [m, d] = parts(key)
      if (m !== measure || c.n === 0) continue
      histogram.push([Number(d), c.n])
      n += c.n
      sum += c.sum
    }
    histogram.sort((a, b) => a[0] - b[0])
    return { count: n, averageDays: n === 0 ? null : round(sum / n), medianDays: n === 0 ? null : median(histogram, n) }
  }
  return { leadToConversion: stats('lead-cycle'), dealToWon: stats('deal-cycle') }
}

function median(histogram: [number, number][], n: number): number {
  const at = (rank: number) => {
    let seen = 0
    for (const [value, count] of histogram) {
      seen += count
      if (seen > rank) return value
    }
    return histogram.at(-1)![0]
  }
  return n % 2 === 1 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2
}

/** Monthly recurring revenue (major units, to the cent) and active subscriptions, from subscription counters and plans. */
export function billing(counters: Counters, plans: PlanRow[]) {
  const price = new Map(plans.map((p) => [p.$id, p.interval === 'Year' ? p.price / 12 : p.price]))
  let active = 0
  let mrr = 0
  const byStatus: Record<string, number> = {}
  for (const [key, c] of counters) {
    const [measure, status, plan] = parts(key)
    if (measure !== 'subscription') continue
    byStatus[status!] = (byStatus[status!] ?? 0) + c.n
    if (status === 'Active' || status === 'PastDue') {
      active += c.n
      mrr += (price.get(plan!) ?? 0) * c.sum
    }
  }
  return { mrr: round(mrr), activeSubscriptions: active, byStatus }
}

const round = (n: number) => Math.round(n * 100) / 100
