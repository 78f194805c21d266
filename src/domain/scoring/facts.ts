/**
 * What scoring rules can look at: the lead's own fields, plus facts read off the lead, its contact
 * and its organization. Computed once per score; pure (the clock is passed in).
 */
import { own } from '../own'
import { timelineDays } from './timeline'

export interface ScoringInput {
  lead: Record<string, unknown>
  contact?: Record<string, unknown>
  organization?: Record<string, unknown>
  targetIndustries: readonly string[]
  now: Date
}

export type Seniority = 'c-level' | 'founder' | 'vp' | 'director' | 'head' | 'manager' | 'other'

export interface Facts {
  budgetConfirmed: boolean
  decisionMaker: boolean
  timelineDays: number | null
  industryMatch: boolean
  teamSize: number | null
  titleSeniority: Seniority | null
  sourceQuality: 'high' | 'medium' | 'low'
  completeness: number
}

/** The facts a rule's `when` may name (as `facts.<name>`), with their types, for validation. */
export const FACT_TYPES: Record<keyof Facts, 'boolean' | 'number' | 'string'> = {
  budgetConfirmed: 'boolean',
  decisionMaker: 'boolean',
  timelineDays: 'number',
  industryMatch: 'boolean',
  teamSize: 'number',
  titleSeniority: 'string',
  sourceQuality: 'string',
  completeness: 'number',
}

const SENIORITY: [RegExp, Seniority][] = [
  [/\b(ceo|cto|cfo|coo|cmo|cio|cro|cpo|chief)\b/i, 'c-level'],
  [/\b(co-?founder|founder|owner|president|managing partner)\b/i, 'founder'],
  [/\b(vp|svp|evp|vice[- ]president)\b/i, 'vp'],
  [/\bdirector\b/i, 'director'],
  [/\bhead\b/i, 'head'],
  [/\b(manager|lead)\b/i, 'manager'],
]
const SENIOR = new Set<Seniority>(['c-level', 'founder', 'vp', 'director', 'head'])
const DECIDES = /\b(decision[- ]?maker|final (decision|say|approval)|signs?|sign[- ]off|budget holder|owner|approver)\b/i
const SOURCE_QUALITY: Record<string, Facts['sourceQuality']> = {
  referral: 'high',
  partner: 'high',
  event: 'medium',
  website: 'medium',
  organic_search: 'medium',
  'demo-request': 'medium',
  paid_ads: 'low',
  social_media: 'low',
  cold_outreach: 'low',
  other: 'low',
}
const PROFILE: [source: 'lead' | 'contact', field: string][] = [
  ['contact', 'email'],
  ['contact', 'phone'],
  ['contact', 'title'],
  ['contact', 'organization'],
  ['lead', 'budget'],
  ['lead', 'authority'],
  ['lead', 'need'],
  ['lead', 'timeline'],
]

export function seniorityOf(title: unknown): Seniority | null {
  if (typeof title !== 'string' || !title.trim()) return null
  return SENIORITY.find(([pattern]) => pattern.test(title))?.[1] ?? 'other'
}

export function factsOf({ lead, contact, organization, targetIndustries, now }: ScoringInput): Facts {
  const seniority = seniorityOf(contact?.title)
  const industry = typeof organization?.industry === 'string' ? organization.industry.toLowerCase() : undefined
  const filled = PROFILE.filter(([from, field]) => {
    const value = (from === 'lead' ? lead : contact)?.[field]
    return value !== undefined && value !== null && value !== ''
  }).length
  return {
    budgetConfirmed: typeof lead.budget === 'number' && lead.budget > 0,
    decisionMaker: contact?.role === 'DecisionMaker' || (typeof lead.authority === 'string' && DECIDES.test(lead.authority)) || (seniority !== null && SENIOR.has(seniority) && seniority !== 'head'),
    timelineDays: timelineDays(lead.timeline, now) ?? null,
    industryMatch: industry !== undefined && targetIndustries.some((t) => t.toLowerCase() === industry),
    teamSize: typeof organization?.employeeCount === 'number' ? organization.employeeCount : null,
    titleSeniority: seniority,
    sourceQuality: own(SOURCE_QUALITY, String(lead.source)) ?? 'low',
    completeness: Math.round((filled / PROFILE.length) * 100),
  }
}
