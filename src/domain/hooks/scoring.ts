/**
 * Leads are scored inside the verb that changes them (seeds 003, 004): on create, on any change
 * to a scoring input, and by `rescore` (the nightly job). Every new score appends a LeadScore
 * row with its factor breakdown; a lead at the tenant's threshold may be auto-qualified.
 */
import type { TenantHandle } from '../engine/handle'
import type { EntityRecord, EventRecord } from '../engine/types'
import { implement } from '../noun/noun'
import { Contact, Lead, Organization } from '../nouns'
import { bandOf, SCORE_INPUTS, scoreLead, type Score } from '../scoring/score'

export function scoreOf(lead: Record<string, unknown>, $: TenantHandle, now: string): Score {
  const contact = typeof lead.contact === 'string' ? $.Contact.get(lead.contact) : undefined
  const organization = typeof lead.organization === 'string' ? $.Organization.get(lead.organization) : undefined
  return scoreLead({ lead, contact, organization, now: new Date(now) }, $.settings.scoring)
}

/** A score given explicitly is a manual override (seed 001 creates a lead with `score: 65`). */
Lead.creating((draft, input, { $, now }) => {
  if (typeof input.score === 'number') return { ...input, band: bandOf(input.score, $.settings.scoring.bands) }
  const { score, band } = scoreOf({ ...draft, ...input }, $, now)
  return { ...input, score, band }
})

Lead.updating((lead, input, { $, now }) => {
  if (typeof input.score === 'number') return { ...input, band: bandOf(input.score, $.settings.scoring.bands) }
  if (!SCORE_INPUTS.some((field) => field in input)) return
  const { score, band } = scoreOf({ ...lead, ...input }, $, now)
  return score === lead.score ? input : { ...input, score, band }
})

implement(Lead, 'rescore', ({ entity, $, now }) => {
  const { score, band } = scoreOf(entity!, $, now)
  return { patch: { score, band } }
})

function recordScore(lead: EntityRecord, $: TenantHandle, event: EventRecord) {
  const previous = event.before?.score as number | undefined
  if (lead.score == null || (event.verb === 'update' && previous === lead.score)) return
  // A score that matches the rules is explained by them; any other was set by hand.
  const computed = scoreOf(lead, $, event.at)
  const explained = computed.score === lead.score
  $.LeadScore.create({
    lead: lead.$id,
    score: lead.score as number,
    band: lead.band as 'high' | 'medium' | 'low',
    previousScore: previous ?? null,
    factors: explained ? computed.factors : [],
    facts: explained ? computed.facts : null,
    rulesetVersion: computed.rulesetVersion,
    reason: explained ? reasonOf(event) : 'manual',
  })
  const ruleset = $.settings.scoring
  if (ruleset.autoQualify && (lead.score as number) >= ruleset.qualifyThreshold && (lead.status === 'New' || lead.status === 'Contacted'))
    $.Lead.update(lead.$id, { status: 'Qualified' })
}

function reasonOf(event: EventRecord): string {
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
      if (scoreOf(lead, $, event.at).score !== lead.score) $.Lead.rescore(lead.$id)
    }
  }
}
Contact.updated(rescoreLeadsOf('contact', ['title', 'role', 'email', 'phone', 'organization']))
Organization.updated(rescoreLeadsOf('organization', ['industry', 'employeeCount']))
