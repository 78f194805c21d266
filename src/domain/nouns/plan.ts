import { Noun } from '../noun/noun'
import { CURRENCY, MAX_AMOUNT_CENTS } from '../money'

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
  {
    // A trial of up to two years; prices in cents.
    constraints: { price: { min: 0, max: MAX_AMOUNT_CENTS }, currency: CURRENCY, trialDays: { min: 0, max: 730 } },
    machines: { status: { '': ['Active'], Active: ['Archived'], Archived: ['Active'] } } },
)
