import { Noun } from '../noun/noun'
import { AMOUNT } from '../money'
import { ASSIGN_VERB } from '../ownership'

const OPEN = ['New', 'Contacted', 'Qualified'] as const

/** Inbound leads with BANT qualification, campaign attribution and conversion tracking (seed 001). */
export const Lead = Noun(
  'Lead',
  {
    name: 'string!',
    contact: '-> Contact.leads',
    organization: '-> Organization',
    owner: '-> Contact',
    status: 'New | Contacted | Qualified | Converted | Lost# = New',
    source: 'string!#',
    sourceDetail: 'string',
    campaign: '-> Campaign.leads',
    score: 'number#',
    /** Seed 003's score bands; computed with the score. */
    band: 'high | medium | low',
    /**
     * Who set the score: the tenant's `rules`, or `manual` when a person or integration gave one
     * (seed 001's form sets `score: 65`). A manual score stays until cleared with `score: null`.
     */
    scoreSource: 'rules | manual',
    /** Seed 004's "previous agency experience" criterion. */
    agencyExperience: 'boolean',
    budget: 'number',
    authority: 'string',
    need: 'string',
    timeline: 'string',
    deal: '-> Deal.leads',
    convertedAt: 'datetime',
    lostReason: 'string',
    lostAt: 'datetime',
    firstTouchAt: 'datetime',
    lastActivityAt: 'datetime',
    activities: '<- Activity.lead[]',
    scores: '<- LeadScore.lead[]',
    convert: 'Converted',
    lose: 'Lost',
    /** Recompute the score with the tenant's current ruleset (the nightly job calls it too). */
    rescore: 'Rescored',
    /** Set the owner: `{ user }` (that user's contact) or `{ owner }` (a contact); tenant rules assign new leads (settings `assignment`). */
    assign: 'Assigned',
  },
  {
    machines: {
      // New → Contacted → Qualified by update; Converted and Lost only through the convert and
      // lose verbs (which stamp convertedAt / lostAt and run their hooks). Both are terminal,
      // except that a Lost lead is reopened by setting its status back to New (seed 001).
      status: {
        '': [...OPEN],
        New: ['Contacted', 'Qualified'],
        Contacted: ['Qualified'],
        Lost: ['New'],
      },
    },
    constraints: { score: { min: 0, max: 100 }, budget: AMOUNT },
    // Seed 003's `crm.leads.list` filters that are not lead fields: the pipeline stage of the lead's
    // deal, by the id pipelineSummary.byStage reports (`stageId`) or by name (`stage`).
    aliases: { stage: 'deal.stage', stageId: 'deal.stageId' },
    // The pipeline's everyday views: open leads of a status or a source, best score first.
    indexes: [
      ['status', 'score', '$id'],
      ['source', 'score', '$id'],
    ],
    verbs: {
      // Seed 001: convert works from any open status; its before hook is what refuses a Lost lead
      // (and one without a contact), so Lost is let through the state check to reach it.
      convert: { from: [...OPEN, 'Lost'] },
      // Seed 001: "Lost: Disqualified or unresponsive, with a recorded reason".
      lose: { from: [...OPEN], input: { lostReason: 'string!' } },
      assign: ASSIGN_VERB,
    },
  },
)
