import { Noun } from '../noun/noun'

/**
 * Revenue opportunities. `stage` holds the name of one of the tenant's Stages (data, not an enum),
 * so its rules live in hooks (src/domain/hooks/deal-stages.ts). `value` is in the currency's major
 * unit, as in seed 000 (`value: 48_000` is a $48k deal); analytics report cents.
 */
export const Deal = Noun(
  'Deal',
  {
    name: 'string!',
    value: 'number = 0',
    currency: 'string = USD',
    contact: '-> Contact.deals',
    organization: '-> Organization.deals',
    owner: '-> Contact',
    stage: 'string#',
    probability: 'number',
    plan: '-> Plan',
    source: 'string#',
    campaign: '-> Campaign.deals',
    expectedCloseAt: 'datetime',
    /** When the deal entered its current stage: the SLA clock (stage.slaDays) runs from here. */
    stageEnteredAt: 'datetime#',
    wonAt: 'datetime',
    lostAt: 'datetime',
    lostReason: 'string',
    description: 'text',
    nextStep: 'string',
    leads: '<- Lead.deal[]',
    activities: '<- Activity.deal[]',
    proposals: '<- Proposal.deal[]',
    contracts: '<- Contract.deal[]',
    advance: 'Advanced',
    win: 'Won',
    lose: 'Lost',
    reopen: 'Reopened',
  },
  {
    verbs: {
      advance: { input: { stage: 'string!' } },
      win: { field: 'stage' },
      lose: { field: 'stage', input: { lostReason: 'string' } },
      reopen: { input: { stage: 'string' } },
    },
  },
)
