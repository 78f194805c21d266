/**
 * CRM nouns bound to the default client, as the seeds import them:
 *
 *   import { Contact, Deal } from '../sdk/crm'      // seeds: '@headlessly/crm'
 *   const contact = await Contact.create({ name: 'Alice Chen', email: 'alice@acme.dev', stage: 'Lead' })
 *   await Contact.qualify({ id: contact.$id })
 *
 * Configure with REVLINE_URL, REVLINE_TENANT, REVLINE_API_KEY or `configure({ baseUrl, tenant, apiKey })`.
 * `Deal.won(async (deal) => …)` follows deal.won events live; "before" hooks (`Contact.qualifying`) are server-side and throw.
 */
import { revline } from './default'

export { configure } from './default'

export const Contact = revline.Contact
export const Lead = revline.Lead
export const Organization = revline.Organization
export const Deal = revline.Deal
export const Activity = revline.Activity
export const Stage = revline.Stage
export const Campaign = revline.Campaign
export const Proposal = revline.Proposal
export const Contract = revline.Contract
export const LeadScore = revline.LeadScore
export const TrackedEvent = revline.TrackedEvent
export const Message = revline.Message
export const Notification = revline.Notification
/** The tenant's event log. */
export const events = revline.events
/** Pipeline reports: `pipeline.summary()`, funnel, attribution, cycle, billing. */
export const pipeline = revline.pipeline
