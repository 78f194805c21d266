/**
 * Billing nouns bound to the default client (seeds: `import { Customer, Subscription } from '@headlessly/billing'`).
 * Configure as for ./crm (it is the same default client).
 */
import { revline } from './default'

export { configure } from './default'

export const Customer = revline.Customer
export const Plan = revline.Plan
export const Subscription = revline.Subscription
