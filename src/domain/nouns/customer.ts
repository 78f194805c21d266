import { Noun } from '../noun/noun'
import { CURRENCY } from '../money'

/** A billing customer; `externalId` is its id at a payment provider. */
export const Customer = Noun(
  'Customer',
  {
    name: 'string!',
    contact: '-> Contact.customers',
    organization: '-> Organization.customers',
    email: 'email',
    externalId: 'string##',
    currency: 'string = USD',
    deal: '-> Deal',
    subscriptions: '<- Subscription.customer[]',
  },
  { constraints: { currency: CURRENCY } },
)
