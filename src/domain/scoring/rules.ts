/**
 * Scoring rules are data: `{ id, label, when, points }`, where `when` is a filter in the API's
 * language over the lead's fields, `facts.*`, `contact.*` and `organization.*`. The default
 * ruleset is seed 004's points table plus seed 003's factors.
 */
import { z } from 'zod'
import { AppError, type FieldError } from '../errors'
import { compareValues } from '../query/compare'
import { OPERATORS } from '../query/filter'
import { FACT_TYPES } from './facts'
import { valueAtPath } from '../own'
import type { NounRegistry } from '../noun/registry'

export const Rule = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  label: z.string().trim().min(1).max(200),
  when: z.record(z.string(), z.unknown()),
  points: z.number().int().min(-100).max(100),
})
export type Rule = z.infer<typeof Rule>

export const Ruleset = z.strictObject({
  /** Bumped on every save; each score records the version it was computed with. */
  version: z.number().int().min(1).default(1),
  rules: z.array(Rule).min(1).max(100),
  targetIndustries: z.array(z.string().trim().min(1).max(100)).max(100).default([]),
  /** Seed 003's bands: 70–100 high, 40–69 medium, 0–39 low. */
  bands: z.strictObject({ high: z.number().int().min(1).max(100), medium: z.number().int().min(0).max(99) }).default({ high: 70, medium: 40 }),
  /** Seed 004's qualified threshold. */
  qualifyThreshold: z.number().int().min(0).max(100).default(60),
  /** When on, a New or Contacted lead reaching the threshold is moved to Qualified. */
  autoQualify: z.boolean().default(false),
})
export type Ruleset = z.infer<typeof Ruleset>

export const DEFAULT_RULESET: Ruleset = {
  version: 1,
  targetIndustries: ['Software', 'SaaS', 'Technology', 'Fintech', 'E-commerce'],
  bands: { high: 70, medium: 40 },
  qualifyThreshold: 60,
  autoQualify: false,
  rules: [
    // Seed 004's lead scoring criteria.
    { id: 'budget-confirmed', label: 'Budget confirmed', when: { 'facts.budgetConfirmed': true }, points: 20 },
    { id: 'decision-maker', label: 'Decision maker', when: { 'facts.decisionMaker': true }, points: 15 },
    { id: 'timeline-30-days', label: 'Timeline under 30 days', when: { 'facts.timelineDays': { $lt: 30 } }, points: 15 },
    { id: 'referral-source', label: 'Referral source', when: { source: 'referral' }, points: 20 },
    { id: 'industry-match', label: 'Industry match', when: { 'facts.industryMatch': true }, points: 10 },
    { id: 'team-size-5', label: 'Team size 5+', when: { 'facts.teamSize': { $gte: 5 } }, points: 10 },
    { id: 'agency-experience', label: 'Previous agency experience', when: { agencyExperience: true }, points: 10 },
    // Seed 003's factors.
    { id: 'source-quality', label: 'High-quality source (partner, event)', when: { source: { $in: ['partner', 'event'] } }, points: 5 },
    { id: 'company-size', label: 'Large company (200+ people)', when: { 'facts.teamSize': { $gte: 200 } }, points: 5 },
    { id: 'deal-value-high', label: 'Estimated deal value 50k+', when: { budget: { $gte: 50_000 } }, points: 5 },
    { id: 'deal-value-mid', label: 'Estimated deal value 10k–50k', when: { budget: { $gte: 10_000, $lt: 50_000 } }, points: 3 },
    { id: 'senior-title', label: 'Decision-maker title (VP, Director, Head, C-level, Founder)', when: { 'facts.titleSeniority': { $in: ['c-level', 'founder', 'vp', 'director', 'head'] } }, points: 5 },
    { id: 'profile-complete', label: 'Profile complete (80%+)', when: { 'facts.completeness': { $gte: 80 } }, points: 5 },
  ],
}

type Test = (subject: Record<string, unknown>) => boolean
const compiled = new WeakMap<Ruleset, { rule: Rule; test: Test }[]>()

/** The ruleset's rules with each `when` compiled once into a test (the filter is not re-read per lead). */
export function compiledRules(ruleset: Ruleset): { rule: Rule; test: Test }[] {
  let rules = compiled.get(ruleset)
  if (!rules) compiled.set(ruleset, (rules = ruleset.rules.map((rule) => ({ rule, test: compileWhen(rule.when) }))))
  return rules
}

/**
 * A rule's `when` as a test of the scoring subject: dotted paths, the API's operators, `$and` /
 * `$or` lists (validateRuleset refuses anything else under them, so a non-list reads as empty).
 */
function compileWhen(when: Record<string, unknown>): Test {
  const tests = Object.entries(when).map(([key, condition]): Test => {
    if (key === '$and' || key === '$or') {
      const parts = (Array.isArray(condition) ? (condition as Record<string, unknown>[]) : []).map(compileWhen)
      return key === '$and' ? (subject) => parts.every((test) => test(subject)) : (subject) => parts.some((test) => test(subject))
    }
    const path = key.split('.')
    const read = (subject: Record<string, unknown>) => valueAtPath(subject, path) ?? null
    if (condition !== null && typeof condition === 'object' && !Array.isArray(condition)) {
      const ops = Object.entries(condition)
      return (subject) => {
        const actual = read(subject)
        return ops.every(([op, expected]) => compareValues(actual, op, expected))
      }
    }
    return (subject) => compareValues(read(subject), '$eq', condition)
  })
  return (subject) => tests.every((test) => test(subject))
}

const OWN_SCORE = new Set(['score', 'band', 'scoreSource'])
const readsOwn = new WeakMap<Ruleset, boolean>()

/** Whether a rule reads the lead's own score, band or score source (then a score depends on the one before it). */
export function readsOwnScore(ruleset: Ruleset): boolean {
  let reads = readsOwn.get(ruleset)
  if (reads === undefined) readsOwn.set(ruleset, (reads = ruleset.rules.some((rule) => whenReads(rule.when, OWN_SCORE))))
  return reads
}

function whenReads(when: Record<string, unknown>, fields: ReadonlySet<string>): boolean {
  return Object.entries(when).some(([key, condition]) =>
    key === '$and' || key === '$or' ? Array.isArray(condition) && condition.some((c) => whenReads(c as Record<string, unknown>, fields)) : fields.has(key.split('.')[0]!),
  )
}

/** Rules name only fields that exist and operators that do; bands must be ordered. */
/** The fields a rule may name, from the tenant's nouns (its own fields count: a rule may score on them). */
export function scoringFields(nouns: NounRegistry): { lead: string[]; contact: string[]; organization: string[] } {
  const fieldsOf = (name: string) => Object.keys(nouns.byName(name)!.fields)
  return { lead: fieldsOf('Lead'), contact: fieldsOf('Contact'), organization: fieldsOf('Organization') }
}

export function validateRuleset(ruleset: Ruleset, known: { lead: readonly string[]; contact: readonly string[]; organization: readonly string[] }): void {
  const errors: FieldError[] = []
  const checkWhen = (when: Record<string, unknown>, at: string) => {
    for (const [key, condition] of Object.entries(when)) {
      if (key === '$and' || key === '$or') {
        if (!Array.isArray(condition)) errors.push({ path: `${at}.${key}`, message: 'must be a list of filters' })
        else condition.forEach((c, i) => checkWhen(c as Record<string, unknown>, `${at}.${key}[${i}]`))
        continue
      }
      const [root, field, ...rest] = key.split('.')
      const ok =
        (field === undefined && known.lead.includes(root!)) ||
        (rest.length === 0 && field !== undefined && ((root === 'facts' && Object.hasOwn(FACT_TYPES, field)) || (root === 'contact' && known.contact.includes(field)) || (root === 'organization' && known.organization.includes(field))))
      if (!ok) errors.push({ path: `${at}.${key}`, message: 'is not a lead field, facts.*, contact.* or organization.* field' })
      if (condition !== null && typeof condition === 'object' && !Array.isArray(condition))
        for (const op of Object.keys(condition)) if (!(OPERATORS as readonly string[]).includes(op)) errors.push({ path: `${at}.${key}.${op}`, message: 'is not an operator' })
    }
  }
  ruleset.rules.forEach((rule, i) => checkWhen(rule.when, `rules[${i}].when`))
  const ids = ruleset.rules.map((r) => r.id)
  if (new Set(ids).size !== ids.length) errors.push({ path: 'rules', message: 'rule ids must be unique' })
  if (ruleset.bands.medium >= ruleset.bands.high) errors.push({ path: 'bands', message: 'medium must be below high' })
  if (errors.length > 0) throw new AppError('validation_failed', 'the scoring ruleset is not valid', errors)
}
