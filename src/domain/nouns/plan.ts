import { Noun } from '../noun/noun'
import { AMOUNT, CURRENCY } from '../money'

/** A price list entry: `price` (money in `currency`) per `interval`. */
export const Plan = Noun(
  'Plan',
  {
    name: 'string!',
    price: 'number!',
    currency: 'string = USD',
    interval: 'Month | Year = Month',
    trialDays: 'int = 0',
    description: 'text',
    features: 'string[]',
    status: 'Active | Archived = Active',
    archive: 'Archived',
  },
  {
    // A trial of up to two years.
    constraints: { price: AMOUNT, currency: CURRENCY, trialDays: { min: 0, max: 730 } },
    machines: { status: { '': ['Active'], Active: ['Archived'], Archived: ['Active'] } } },
)
