import { Noun } from '../noun/noun'

/** A price list entry: `price` in cents per `interval`. */
export const Plan = Noun(
  'Plan',
  {
    name: 'string!',
    price: 'int!',
    currency: 'string = USD',
    interval: 'Month | Year = Month',
    trialDays: 'int = 0',
    description: 'text',
    features: 'string[]',
    status: 'Active | Archived = Active',
    archive: 'Archived',
  },
  { machines: { status: { '': ['Active'], Active: ['Archived'], Archived: ['Active'] } } },
)
