import { Noun } from '../noun/noun'
import { AMOUNT, CURRENCY } from '../money'

/** A priced offer for a deal, built from one of the tenant's tiers (seed 004). `total` is money in `currency`, always computed. */
export const Proposal = Noun(
  'Proposal',
  {
    title: 'string',
    deal: '-> Deal.proposals!',
    tier: 'string!',
    lineItems: 'json',
    total: 'number',
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
    constraints: { total: AMOUNT, currency: CURRENCY },
    machines: { status: { '': ['Draft'], Draft: ['Sent'], Sent: ['Accepted', 'Rejected'] } },
    verbs: { reject: { input: { rejectionReason: 'string' } } },
  },
)
