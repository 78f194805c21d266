import { Noun } from '../noun/noun'

/** The signed agreement behind a won deal (seed 004: contract signed → Closed-Won → onboarding). */
export const Contract = Noun(
  'Contract',
  {
    title: 'string',
    proposal: '-> Proposal.contracts',
    deal: '-> Deal.contracts!',
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
    machines: { status: { '': ['Draft'], Draft: ['Sent', 'Signed', 'Cancelled'], Sent: ['Signed', 'Cancelled'] } },
    verbs: { sign: { input: { signedBy: 'string' } } },
  },
)
