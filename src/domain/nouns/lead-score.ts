import { Noun } from '../noun/noun'

/**
 * Seed 003's `lead_scores`: every score a lead has had, with each rule's points, the ruleset
 * version and why it was computed. Immutable: no update, no delete (and triggers in SQLite).
 */
export const LeadScore = Noun(
  'LeadScore',
  {
    lead: '-> Lead.scores!',
    score: 'number!',
    band: 'high | medium | low',
    previousScore: 'number',
    factors: 'json',
    facts: 'json',
    rulesetVersion: 'int',
    reason: 'string',
    update: null,
    delete: null,
  },
  { plural: 'lead-scores', writes: 'system', constraints: { score: { min: 0, max: 100 }, previousScore: { min: 0, max: 100 } } },
)
