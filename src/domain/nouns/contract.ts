import { Noun } from '../noun/noun'
import { MAX_AMOUNT_CENTS } from '../money'

/** The signed agreement behind a won deal (seed 004: contract signed → Closed-Won → onboarding). */
export const Contract = Noun(
  'Contract',
  {
    title: 'string',
    proposal: '-> Proposal.contracts',
    /** Required; taken from the proposal when only that is given (see hooks/sales.ts). */
    deal: '-> Deal.contracts',
    status: 'Draft | Sent | Signed | Cancelled = Draft',
    value: 'int',
    terms: 'text',
    sentAt: 'datetime',
    signedAt: 'datetime',
    signedBy: 'string',
    send: 'Sent',
    sign: 'Signed',
    cancel: 'Cancelled',
  },
  {
    constraints: { value: { min: 0, max: MAX_AMOUNT_CENTS } },
    // Signed only through `sign`, which wins the deal and opens onboarding.
    machines: { status: { '': ['Draft'], Draft: ['Sent', 'Cancelled'], Sent: ['Cancelled'] } },
    verbs: { sign: { from: ['Draft', 'Sent'], input: { signedBy: 'string' } }, send: { from: ['Draft'] }, cancel: { from: ['Draft', 'Sent'] } },
  },
)
