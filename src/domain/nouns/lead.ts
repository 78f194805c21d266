import { Noun } from '../noun/noun'

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
    // Seed 003's `crm.leads.list` filters that are not lead fields: the pipeline stage of the lead's deal.
    aliases: { stage: 'deal.stage', stageId: 'deal.stage' },
    // The pipeline's everyday views: open leads of a status or a source, best score first.
    indexes: [
      ['status', 'score', '$id'],
      ['source', 'score', '$id'],
    ],
    verbs: {
      convert: { from: ['Qualified'] },
      lose: { from: [...OPEN], input: { lostReason: 'string' } },
    },
  },
)
