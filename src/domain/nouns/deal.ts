import { Noun } from '../noun/noun'
import { AMOUNT, CURRENCY } from '../money'
import { ASSIGN_VERB } from '../ownership'

/**
 * Revenue opportunities. `stage` holds the name of one of the tenant's Stages (data, not an enum)
 * and `stageId` that Stage's id, kept together by the hooks (src/domain/hooks/deal.ts), which hold
 * the stage rules. `value` is money in `currency` (`value: 48_000` is a $48k deal, seed 000).
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
    /** The Stage `stage` names: give either on create or update; the other follows. */
    stageId: '-> Stage',
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
    /** Set the owner: `{ user }` (that user's contact) or `{ owner }` (a contact). */
    assign: 'Assigned',
  },
  {
    constraints: { value: AMOUNT, currency: CURRENCY, probability: { min: 0, max: 100 } },
    verbs: {
      advance: { input: { stage: 'string!' } },
      win: { field: 'stage' },
      lose: { field: 'stage', input: { lostReason: 'string' } },
      reopen: { input: { stage: 'string' } },
      assign: ASSIGN_VERB,
    },
  },
)
