/**
 * The drizzle schema of a tenant object: drizzle-kit generates `migrations/` from these exports
 * (`npm run db:generate`). Noun tables are derived; add one line per noun.
 */
import { NOUNS } from '../../domain/nouns'
import { entityTable } from './entity-table'

export * from './system-tables'

export const contacts = entityTable(NOUNS.Contact.schema)
export const leads = entityTable(NOUNS.Lead.schema)
export const leadScores = entityTable(NOUNS.LeadScore.schema)
export const organizations = entityTable(NOUNS.Organization.schema)
export const deals = entityTable(NOUNS.Deal.schema)
export const activities = entityTable(NOUNS.Activity.schema)
export const stages = entityTable(NOUNS.Stage.schema)
export const campaigns = entityTable(NOUNS.Campaign.schema)
export const customers = entityTable(NOUNS.Customer.schema)
export const plans = entityTable(NOUNS.Plan.schema)
export const subscriptions = entityTable(NOUNS.Subscription.schema)
export const proposals = entityTable(NOUNS.Proposal.schema)
export const contracts = entityTable(NOUNS.Contract.schema)
export const trackedEvents = entityTable(NOUNS.TrackedEvent.schema)
export const messages = entityTable(NOUNS.Message.schema)
export const notifications = entityTable(NOUNS.Notification.schema)
export const users = entityTable(NOUNS.User.schema)
