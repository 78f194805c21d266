/**
 * The pure scoring function (seeds 003 and 004): rules summed, clamped to 0–100, banded, with
 * every rule's contribution kept so a score can always be explained.
 */
import { factsOf, type Facts, type ScoringInput } from './facts'
import { compiledRules, type Ruleset } from './rules'

export type Band = 'high' | 'medium' | 'low'

export interface Factor {
  rule: string
  label: string
  points: number
}

export interface Score {
  score: number
  band: Band
  factors: Factor[]
  facts: Facts
  rulesetVersion: number
}

export function bandOf(score: number, bands: Ruleset['bands']): Band {
  return score >= bands.high ? 'high' : score >= bands.medium ? 'medium' : 'low'
}

export function scoreLead(input: Omit<ScoringInput, 'targetIndustries'>, ruleset: Ruleset): Score {
  const facts = factsOf({ ...input, targetIndustries: ruleset.targetIndustries })
  const subject = { ...input.lead, facts, contact: input.contact ?? {}, organization: input.organization ?? {} }
  const factors: Factor[] = []
  for (const { rule, test } of compiledRules(ruleset)) if (test(subject)) factors.push({ rule: rule.id, label: rule.label, points: rule.points })
  const score = Math.max(0, Math.min(100, factors.reduce((sum, f) => sum + f.points, 0)))
  return { score, band: bandOf(score, ruleset.bands), factors, facts, rulesetVersion: ruleset.version }
}

/** Lead fields whose change can move the score. */
export const SCORE_INPUTS = ['source', 'budget', 'authority', 'need', 'timeline', 'contact', 'organization', 'agencyExperience', 'campaign', 'sourceDetail'] as const
