import { Noun } from '../noun/noun'

/** A customer's subscription to a plan, with trial and billing-period dates. */
export const Subscription = Noun(
  'Subscription',
  {
    customer: '-> Customer.subscriptions!',
    plan: '-> Plan!',
    status: 'Trialing | Active | PastDue | Paused | Cancelled',
    quantity: 'int = 1',
    trialStartAt: 'datetime',
    trialEndAt: 'datetime',
    currentPeriodStartAt: 'datetime',
    currentPeriodEndAt: 'datetime',
    activatedAt: 'datetime',
    pausedAt: 'datetime',
    cancelledAt: 'datetime',
    cancelReason: 'string',
    deal: '-> Deal',
    activate: 'Active',
    pause: 'Paused',
    cancel: 'Cancelled',
    reactivate: 'Active',
    upgrade: 'Upgraded',
    downgrade: 'Downgraded',
  },
  {
    constraints: { quantity: { min: 1, max: 1_000_000 } },
    machines: {
      status: {
        '': ['Trialing', 'Active'],
        Trialing: ['Active', 'PastDue', 'Cancelled'],
        Active: ['PastDue', 'Paused', 'Cancelled'],
        PastDue: ['Active', 'Cancelled'],
        Paused: ['Active', 'Cancelled'],
        Cancelled: ['Active'],
      },
    },
    verbs: {
      activate: { field: 'status', from: ['Trialing', 'PastDue'] },
      reactivate: { field: 'status', from: ['Paused', 'Cancelled'] },
      pause: { from: ['Active'] },
      cancel: { from: ['Trialing', 'Active', 'PastDue', 'Paused'], input: { cancelReason: 'string' } },
      upgrade: { input: { plan: '-> Plan!' } },
      downgrade: { input: { plan: '-> Plan!' } },
    },
  },
)
