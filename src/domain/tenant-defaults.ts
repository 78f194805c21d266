/**
 * What every new tenant starts with, so the lead-to-revenue flow works unconfigured: the default
 * pipeline stages (seed 003/004) and a default billing plan for `Deal.won`.
 */
import type { TenantHandle } from './engine/tenant-handle'

export const DEFAULT_STAGES = [
  { name: 'Prospecting', order: 1, probability: 10, colour: '#94a3b8', slaDays: 7 },
  { name: 'Qualification', order: 2, probability: 25, colour: '#38bdf8', slaDays: 7, autoNurture: true },
  { name: 'Proposal', order: 3, probability: 50, colour: '#a78bfa', slaDays: 5, autoNurture: true },
  { name: 'Negotiation', order: 4, probability: 75, colour: '#f59e0b', slaDays: 10 },
  { name: 'Won', order: 5, probability: 100, colour: '#22c55e', kind: 'Won' },
  { name: 'Lost', order: 6, probability: 0, colour: '#ef4444', kind: 'Lost' },
] as const

export const DEFAULT_PLAN = { name: 'Standard', price: 49, currency: 'USD', interval: 'Month', trialDays: 0 } as const

/** Creates the defaults through the verb engine (so they are events like everything else); returns the plan id. */
export function provisionTenant($: TenantHandle): { defaultPlan: string } {
  for (const stage of DEFAULT_STAGES) $.Stage.create({ ...stage })
  const plan = $.Plan.create({ ...DEFAULT_PLAN })
  return { defaultPlan: plan.$id }
}
