import { Noun } from '../noun/noun'
import { CURRENCY, MAX_AMOUNT_CENTS } from '../money'

/** A priced offer for a deal, built from one of the tenant's tiers (seed 004). `total` is in cents. */
export const Proposal = Noun(
  'Proposal',
  {
    title: 'string',
    deal: '-> Deal.proposals!',
    tier: 'string!',
    lineItems: 'json',
    total: 'int',
    currency: 'string = USD',
    status: 'Draft | Sent | Accepted | Rejected = Draft',
    sentAt: 'datetime',
    acceptedAt: 'datetime',
    rejectedAt: 'datetime',
    rejectionReason: 'string',
    validUntil: 'date',
    notes: 'text',
    contracts: '<- Contract.proposal[]',
    send: 'Sent',
    accept: 'Accepted',
    reject: 'Rejected',
  },
  {
    constraints: { total: { min: 0, max: MAX_AMOUNT_CENTS }, currency: CURRENCY },
    machines: { status: { '': ['Draft'], Draft: ['Sent'], Sent: ['Accepted', 'Rejected'] } },
    verbs: { reject: { input: { rejectionReason: 'string' } } },
  },
)
