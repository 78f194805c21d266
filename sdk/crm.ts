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
/**
 * Any noun of the tenant by name, its own ones included: `crm.noun('Project').create({ name: 'Portal' })`
 * (with `import * as crm from './sdk/crm'`); typed with the types `revline types` writes.
 */
export const noun: typeof revline.noun = (name) => revline.noun(name)
/** The tenant's nouns in the Noun DSL (`nouns.put('Project', {...})`) and its manifest. */
export const nouns = revline.nouns
export const manifest = revline.manifest
/** The tenant's event log. */
export const events = revline.events
/** Pipeline reports: `pipeline.summary()`, funnel, attribution, cycle, billing. */
export const pipeline = revline.pipeline
