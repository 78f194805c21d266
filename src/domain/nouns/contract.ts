import { Noun } from '../noun/noun'
import { AMOUNT, CURRENCY } from '../money'

/** The signed agreement behind a won deal (seed 004: contract signed → Closed-Won → onboarding). */
export const Contract = Noun(
  'Contract',
  {
    title: 'string',
    proposal: '-> Proposal.contracts',
    /** Required; taken from the proposal when only that is given (see hooks/sales.ts). */
    deal: '-> Deal.contracts',
    status: 'Draft | Sent | Signed | Cancelled = Draft',
    /** Money in `currency`: the proposal's total unless given; signing makes it the deal's value. */
    value: 'number',
    currency: 'string = USD',
    terms: 'text',
    sentAt: 'datetime',
    signedAt: 'datetime',
    signedBy: 'string',
    send: 'Sent',
    sign: 'Signed',
    cancel: 'Cancelled',
  },
  {
    constraints: { value: AMOUNT, currency: CURRENCY },
    // Signed only through `sign`, which wins the deal and opens onboarding.
    machines: { status: { '': ['Draft'], Draft: ['Sent', 'Cancelled'], Sent: ['Cancelled'] } },
    // Signed only after it was sent (seed 004: the client signs what they were sent).
    verbs: { sign: { from: ['Sent'], input: { signedBy: 'string' } }, send: { from: ['Draft'] }, cancel: { from: ['Draft', 'Sent'] } },
  },
)
