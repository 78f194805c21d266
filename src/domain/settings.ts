/**
 * Per-tenant settings: data, not code. Validated with zod on every write; defaults make a new
 * tenant work unconfigured (a default plan, proposal tiers, no automations).
 */
import { z } from 'zod'
import { AssignmentSettings, NO_ASSIGNMENT } from './assignment'
import { LEAD_SOURCES } from './capture'
import { DashboardSettings } from './dashboard-fields'
import { CURRENCY_CODES, fitsCurrency, MAX_AMOUNT, roundAmount, tooPrecise } from './money'
import { DEFAULT_RULESET, Ruleset } from './scoring/rules'

/** A priced line: `unitPrice` is money in the major unit of its tier's or proposal's currency. */
export const LineItem = z.strictObject({
  description: z.string().trim().min(1).max(500),
  quantity: z.number().positive().max(1_000_000).default(1),
  unitPrice: z.number().min(0).max(MAX_AMOUNT),
})
export type LineItem = z.infer<typeof LineItem>

/** A priced list's total, rounded to the currency's minor unit (quantities may be fractional: half a day's work). */
export const lineItemsTotal = (items: readonly LineItem[], currency: unknown) => roundAmount(items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0), currency)
export const TOTAL_TOO_LARGE = `the total must not exceed ${MAX_AMOUNT.toLocaleString('en-US')}`

/** What is wrong with a list of line items in `currency` (too precise a price, too large a total), path by path. */
export function lineItemProblems(items: readonly LineItem[], currency: unknown): { path: string; message: string }[] {
  const problems = items.flatMap((item, i) => (fitsCurrency(item.unitPrice, currency) ? [] : [{ path: `${i}.unitPrice`, message: tooPrecise(currency) }]))
  if (lineItemsTotal(items, currency) > MAX_AMOUNT) problems.push({ path: '', message: TOTAL_TOO_LARGE })
  return problems
}

export const Tier = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lowercase letters, digits and hyphens'),
  label: z.string().trim().min(1).max(100),
  currency: z.enum(CURRENCY_CODES as [string, ...string[]], 'must be an ISO 4217 currency code such as USD').default('USD'),
  lineItems: z.array(LineItem).min(1).max(50),
}).superRefine((tier, ctx) => {
  for (const problem of lineItemProblems(tier.lineItems, tier.currency)) ctx.addIssue({ code: 'custom', path: ['lineItems', ...(problem.path ? problem.path.split('.') : [])], message: problem.message })
})
export type Tier = z.infer<typeof Tier>

/** Seed 004's proposal tiers ("warrior" is the one its CLI example names). */
export const DEFAULT_TIERS: Tier[] = [
  {
    name: 'starter',
    label: 'Starter',
    currency: 'USD',
    lineItems: [
      { description: 'Discovery workshop', quantity: 1, unitPrice: 1_500 },
      { description: 'Monthly retainer (3 months)', quantity: 3, unitPrice: 2_000 },
    ],
  },
  {
    name: 'warrior',
    label: 'Warrior',
    currency: 'USD',
    lineItems: [
      { description: 'Discovery and strategy', quantity: 1, unitPrice: 3_000 },
      { description: 'Implementation sprint', quantity: 4, unitPrice: 4_500 },
      { description: 'Monthly retainer (6 months)', quantity: 6, unitPrice: 3_500 },
    ],
  },
  {
    name: 'general',
    label: 'General',
    currency: 'USD',
    lineItems: [
      { description: 'Strategy and roadmap', quantity: 1, unitPrice: 8_000 },
      { description: 'Implementation sprint', quantity: 8, unitPrice: 4_500 },
      { description: 'Dedicated team retainer (12 months)', quantity: 12, unitPrice: 6_000 },
    ],
  },
]

const Template = z.record(z.string().regex(/^[a-z][A-Za-z0-9]*$/), z.unknown())

export const AutomationAction = z.union([
  z.strictObject({ create: z.string(), with: Template }),
  z.strictObject({ update: z.string(), id: z.string().min(1), with: Template }),
  z.strictObject({ run: z.string(), noun: z.string(), id: z.string().min(1), with: Template.optional() }),
])
export type AutomationAction = z.infer<typeof AutomationAction>

export const Automation = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  /** An event type (`contact.qualified`) or every verb of a noun (`deal.*`). */
  on: z.string().regex(/^[a-z][a-z0-9]*\.([a-z]+|\*)$/),
  /** A filter (the API's language) over the entity the event is about. */
  when: z.record(z.string(), z.unknown()).optional(),
  do: z.array(AutomationAction).min(1).max(10),
  enabled: z.boolean().default(true),
})
export type Automation = z.infer<typeof Automation>

/**
 * Captures (the public form, signed sources, the dashboard's Add Lead, `POST /contacts/capture`):
 * which website origins may post (CORS) and redirect, how fast one client may go, and whether a
 * contact's repeat submission joins its open lead (the default) or opens a new one every time.
 */
export const CaptureSettings = z.strictObject({
  allowedOrigins: z.array(z.url().transform((u) => new URL(u).origin)).max(50).default([]),
  rateLimitPerMinute: z.number().int().min(1).max(10_000).default(20),
  defaultSource: z.enum(LEAD_SOURCES).default('website'),
  newLeadPerSubmission: z.boolean().default(false),
})
export type CaptureSettings = z.infer<typeof CaptureSettings>

export const NurtureTemplate = z.strictObject({ subject: z.string().trim().min(1).max(300), body: z.string().trim().min(1).max(20_000) })

/** Outbound webhooks: a URL subscribed to event patterns (`deal.*`, `lead.converted`), signed with its secret. */
export const WebhookSubscription = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  url: z.url().refine((u) => /^https?:\/\//.test(u), 'must be http(s)'),
  events: z.array(z.string().regex(/^([a-z][a-z0-9]*\.([a-z]+|\*)|\*)$/, 'an event type, noun.* or *')).min(1).max(50),
  secret: z.string().regex(/^whsec_[A-Za-z0-9+/]{24,}={0,2}$/, 'a Standard Webhooks secret (whsec_ + base64)'),
  enabled: z.boolean().default(true),
})
export type WebhookSubscription = z.infer<typeof WebhookSubscription>

export const TenantSettings = z.object({
  /** Nurture email per stage name (leadNurtureFollowUp); stages without one use the default. */
  templates: z.record(z.string(), NurtureTemplate).default({}),
  webhooks: z.array(WebhookSubscription).max(20).default([]),
  scoring: Ruleset.default(DEFAULT_RULESET),
  capture: CaptureSettings.default(CaptureSettings.parse({})),
  defaultPlan: z.string().optional(),
  tiers: z.array(Tier).max(50).default(DEFAULT_TIERS),
  automations: z.array(Automation).max(100).default([]),
  /** The tenant's own fields the dashboard's lead table and Add Lead form show (src/domain/dashboard-fields.ts). */
  dashboard: DashboardSettings.default(DashboardSettings.parse({})),
  /** Who takes new leads (src/domain/assignment.ts): nobody by default. */
  assignment: AssignmentSettings.default(NO_ASSIGNMENT),
  /** Bumped on every settings write; the `settings.updated` events are versioned by it. */
  version: z.number().int().default(0),
})
export type TenantSettings = z.infer<typeof TenantSettings>

export const readSettings = (raw: unknown): TenantSettings => TenantSettings.parse(raw ?? {})
