/**
 * Leads are scored inside the verb that changes them (seeds 003, 004): on create, on any change
 * to a scoring input, and by `rescore` (the nightly job). Every new score appends a LeadScore
 * row with its factor breakdown; a lead at the tenant's threshold may be auto-qualified.
 */
import type { TenantHandle } from '../engine/tenant-handle'
import type { EntityRecord, EventRecord } from '../engine/types'
import { AppError } from '../errors'
import { implement } from '../noun/noun'
import { Contact, Lead, Organization } from '../nouns'
import { scoreOf } from '../scoring/of-lead'
import { bandOf, SCORE_INPUTS, type Score } from '../scoring/score'
import { readsOwnScore } from '../scoring/rules'

/**
 * Is this write pinning a score by hand? A number given as `score` (seed 001 creates a lead with
 * `score: 65`), or `scoreSource: 'manual'` with one (an exported lead imported again). Giving
 * `scoreSource: 'rules'` or `score: null` hands the score back to the rules.
 */
const pinsScore = (input: Record<string, unknown>) => typeof input.score === 'number' && input.scoreSource !== 'rules'
const isManual = (lead: Record<string, unknown>) => lead.scoreSource === 'manual'

/**
 * The score a verb's before hook or body computed, kept for the same call's after hook (one `$` per
 * verb call), so a write scores its lead once: recordScore takes its factors and facts from here
 * when the lead it records has the very inputs that score was computed from.
 */
const scoredInCall = new WeakMap<TenantHandle, { subject: Record<string, unknown>; at: string; computed: Score }>()

function scoreFor(subject: Record<string, unknown>, $: TenantHandle, now: string): Score {
  const computed = scoreOf(subject, $, now)
  scoredInCall.set($, { subject, at: now, computed })
  return computed
}

/** What recordScore records: the score computed earlier in this call when nothing it read has changed, else a fresh one. */
function scoreToRecord(lead: EntityRecord, $: TenantHandle, at: string): Score {
  const kept = scoredInCall.get($)
  scoredInCall.delete($)
  const ruleset = $.settings.scoring
  if (kept && kept.at === at && kept.computed.score === lead.score && kept.computed.rulesetVersion === ruleset.version && !readsOwnScore(ruleset) && sameInputs(kept.subject, lead))
    return kept.computed
  return scoreOf(lead, $, at)
}

/** The score's own fields and the meta fields: what rules and facts never read (readsOwnScore checks the rules). */
const NOT_READ = new Set(['score', 'band', 'scoreSource'])
const jsonEqual = (a: unknown, b: unknown) => a === b || (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null && JSON.stringify(a) === JSON.stringify(b))

/** Whether two states of a lead read the same to scoring (a missing value reads as null, as in rules). */
function sameInputs(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  for (const key of Object.keys(a)) if (key[0] !== '$' && !NOT_READ.has(key) && !jsonEqual(a[key] ?? null, b[key] ?? null)) return false
  for (const key of Object.keys(b)) if (key[0] !== '$' && !NOT_READ.has(key) && !(key in a) && b[key] != null) return false
  return true
}

Lead.creating((draft, input, { $, now }) => {
  if (pinsScore(input)) return { ...input, band: bandOf(input.score as number, $.settings.scoring.bands), scoreSource: 'manual' }
  const { score, band } = scoreFor({ ...draft, ...input }, $, now)
  return { ...input, score, band, scoreSource: 'rules' }
})

Lead.updating((lead, input, { $, now }) => {
  if (pinsScore(input)) return { ...input, band: bandOf(input.score as number, $.settings.scoring.bands), scoreSource: 'manual' }
  const released = input.score === null || input.scoreSource === 'rules'
  if (released || (!isManual(lead) && SCORE_INPUTS.some((field) => field in input))) {
    const { score, band } = scoreFor({ ...lead, ...input }, $, now)
    return { ...input, score, band, scoreSource: 'rules' }
  }
  // A manual score stands until it is cleared: neither rule inputs nor a stray scoreSource move it.
  if ('scoreSource' in input && input.scoreSource !== lead.scoreSource) return { ...input, scoreSource: lead.scoreSource ?? 'rules' }
})

/** Rescoring leaves a manual score alone: the nightly job and related changes skip it, and asking for it explicitly is refused. */
implement(Lead, 'rescore', ({ entity, $, now }) => {
  if (isManual(entity!))
    throw new AppError('rejected', 'this lead has a manual score, which rescoring leaves alone', [{ path: 'score', message: 'PATCH the lead with score: null to hand it back to the rules' }])
  const { score, band } = scoreFor(entity!, $, now)
  return { patch: { score, band, scoreSource: 'rules' } }
})

function recordScore(lead: EntityRecord, $: TenantHandle, event: EventRecord) {
  const previous = event.before?.score as number | undefined
  const sourceChanged = event.before != null && (event.before.scoreSource ?? 'rules') !== (lead.scoreSource ?? 'rules')
  if (lead.score == null || (event.verb !== 'create' && previous === lead.score && !sourceChanged)) return
  // A manual score is recorded as such; a score from the rules carries each rule's points.
  const computed = scoreToRecord(lead, $, event.at)
  const explained = !isManual(lead)
  // Built from the lead and its score in the noun's field order, as validation would return it. A
  // value it does not have (no previous score, no facts for a manual score) is left out, not null:
  // the record reads the same, and its event's data is then exactly its after (stored as `[]`).
  $.LeadScore.create(
    {
      lead: lead.$id,
      score: lead.score as number,
      band: lead.band as 'high' | 'medium' | 'low',
      ...(previous != null && { previousScore: previous }),
      factors: explained ? computed.factors : [],
      ...(explained && { facts: computed.facts }),
      rulesetVersion: computed.rulesetVersion,
      reason: explained ? reasonOf(event) : 'manual',
    },
    { trusted: true },
  )
  const ruleset = $.settings.scoring
  if (ruleset.autoQualify && (lead.score as number) >= ruleset.qualifyThreshold && (lead.status === 'New' || lead.status === 'Contacted'))
    $.Lead.update(lead.$id, { status: 'Qualified' })
}

function reasonOf(event: EventRecord): string {
  if (event.before?.scoreSource === 'manual') return 'manual score cleared'
  if (event.verb === 'create') return 'created'
  if (event.verb === 'rescore') return 'rescored'
  const changed = SCORE_INPUTS.filter((f) => event.data && f in event.data)
  return `updated: ${changed.join(', ') || 'score'}`
}

for (const register of [Lead.created, Lead.updated, Lead.rescored]) register(recordScore)

/** A contact's title or role, or an organization's size or industry, feeds its open leads' scores. */
const OPEN = ['New', 'Contacted', 'Qualified']
const MAX_RESCORED = 500
function rescoreLeadsOf(field: 'contact' | 'organization', inputs: readonly string[]) {
  return (entity: EntityRecord, $: TenantHandle, event: EventRecord) => {
    if (!inputs.some((f) => event.data && f in event.data)) return
    for (const lead of $.Lead.find({ [field]: entity.$id, status: { $in: OPEN } }, { limit: MAX_RESCORED })) {
      if (!isManual(lead) && scoreOf(lead, $, event.at).score !== lead.score) $.Lead.rescore(lead.$id)
    }
  }
}
Contact.updated(rescoreLeadsOf('contact', ['title', 'role', 'email', 'phone', 'organization']))
Organization.updated(rescoreLeadsOf('organization', ['industry', 'employeeCount']))
