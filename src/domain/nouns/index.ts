/** Every noun of Revline. Adding a noun here adds its routes, validators and types (and a table: see src/durable/schema). */
import type { HandleFor } from '../engine/tenant-handle'
import type { NounSchema } from '../noun/noun'
import type { NounRegistry } from '../noun/registry'
import { Activity } from './activity'
import { Campaign } from './campaign'
import { Contact } from './contact'
import { Contract } from './contract'
import { Customer } from './customer'
import { Deal } from './deal'
import { Lead } from './lead'
import { Message } from './message'
import { Notification } from './notification'
import { LeadScore } from './lead-score'
import { Organization } from './organization'
import { Plan } from './plan'
import { Proposal } from './proposal'
import { Stage } from './stage'
import { Subscription } from './subscription'
import { TrackedEvent } from './tracked-event'
import { User } from './user'

export { Activity, Campaign, Contact, Contract, Customer, Deal, Lead, LeadScore, Message, Notification, Organization, Plan, Proposal, Stage, Subscription, TrackedEvent, User }

export const NOUNS = { Contact, Lead, LeadScore, Organization, Deal, Activity, Stage, Campaign, Customer, Plan, Subscription, Proposal, Contract, TrackedEvent, Message, Notification, User }

export type NounName = keyof typeof NOUNS

/** `$.Lead`, `$.Deal`, …: one member of the hooks' handle per noun (the handle is declared open, below the nouns). */
type NounHandles = { [K in NounName]: HandleFor<(typeof NOUNS)[K]> }
declare module '../engine/tenant-handle' {
  interface TenantHandle extends NounHandles {}
}

const byName = new Map<string, NounSchema>(Object.values(NOUNS).map((n) => [n.schema.name, n.schema]))
const byPlural = new Map<string, NounSchema>(Object.values(NOUNS).map((n) => [n.schema.plural, n.schema]))

export const nouns: NounRegistry & { byPlural(plural: string): NounSchema | undefined } = {
  byName: (name) => byName.get(name),
  byPlural: (plural) => byPlural.get(plural),
  all: () => [...byName.values()],
}
