/**
 * Which records are about a person, and how each is reached: from the person's contact, and from
 * the records already found to be theirs (a lead's scores, a deal's proposals). One map, read by the
 * subject access export (`GET /contacts/{id}/export`) to show what Revline holds about someone and
 * by forgetting a person to erase exactly the same set.
 *
 * Left out on purpose: `owner` (on Contact, Lead, Deal, Activity) and `Contact.manager` name the
 * colleague who works the record or manages the person, not the person it is about; Organization,
 * Campaign, Plan and Stage are the tenant's, shared by many people. A tenant's own nouns join
 * through every relation they have to Contact (see `personLinks`).
 */
import type { NounSchema } from './noun/noun'
import type { NounRegistry } from './noun/registry'
import { own } from './own'

export type PersonLink =
  /** Its relation `field` points at one of the person's `from` records: `Lead.contact` → a Contact. */
  | { field: string; from: string }
  /** One of the person's `pointedBy` records names it in its relation `field`: the deal a lead converted into (`Lead.deal`). */
  | { pointedBy: string; field: string }
  /**
   * Its `email` field holds one of the person's contacts' emails: a copy, not a link (`Message.to`).
   * `whenDeclared`: a field the built-in noun lacks but a tenant may add (seed 001's `Lead.email`).
   */
  | { email: string; whenDeclared?: true }

/** The built-in nouns' links, by noun name; a noun not listed is never about one person. */
export const PERSON_LINKS: Readonly<Record<string, readonly PersonLink[]>> = {
  // The same person's other contact records: duplicates merged into this one, the one it was merged
  // into, and (soft-deleted) contacts that had the same email.
  Contact: [{ field: 'mergedInto', from: 'Contact' }, { pointedBy: 'Contact', field: 'mergedInto' }, { email: 'email' }],
  Lead: [{ field: 'contact', from: 'Contact' }, { email: 'email', whenDeclared: true }],
  Deal: [{ field: 'contact', from: 'Contact' }, { pointedBy: 'Lead', field: 'deal' }],
  Activity: [{ field: 'contact', from: 'Contact' }, { field: 'lead', from: 'Lead' }, { field: 'deal', from: 'Deal' }],
  LeadScore: [{ field: 'lead', from: 'Lead' }],
  Proposal: [{ field: 'deal', from: 'Deal' }],
  Contract: [{ field: 'deal', from: 'Deal' }, { field: 'proposal', from: 'Proposal' }],
  Customer: [{ field: 'contact', from: 'Contact' }, { field: 'deal', from: 'Deal' }, { email: 'email' }],
  Subscription: [{ field: 'customer', from: 'Customer' }, { field: 'deal', from: 'Deal' }],
  // Emails to the person, and to a rep about the person's lead, deal or activity (their name, their email in the body).
  Message: [{ field: 'contact', from: 'Contact' }, { field: 'lead', from: 'Lead' }, { field: 'deal', from: 'Deal' }, { field: 'activity', from: 'Activity' }, { email: 'to' }],
  // Alerts the person received (as a rep), and alerts about their lead, deal or activity.
  Notification: [{ field: 'recipient', from: 'Contact' }, { field: 'lead', from: 'Lead' }, { field: 'deal', from: 'Deal' }, { field: 'activity', from: 'Activity' }],
  TrackedEvent: [{ field: 'contact', from: 'Contact' }, { field: 'lead', from: 'Lead' }, { field: 'deal', from: 'Deal' }],
  // The person as a member of the tenant's team.
  User: [{ field: 'contact', from: 'Contact' }, { email: 'email' }],
}

/**
 * The links as this tenant has them: the built-in map for the nouns and fields it has, plus one
 * `{ field, from: 'Contact' }` per relation to Contact of each noun of the tenant's own. (A custom
 * field on a built-in noun adds nothing: `Deal.referrer -> Contact` does not make the deal the referrer's.)
 *
 *   personLinks(registry).Lead // [{ field: 'contact', from: 'Contact' }]
 */
export function personLinks(nouns: NounRegistry): Record<string, PersonLink[]> {
  const out: Record<string, PersonLink[]> = {}
  for (const noun of nouns.all()) {
    const links = (own(PERSON_LINKS, noun.name) ?? []).filter((link) => holds(noun, link, nouns))
    if (noun.tenantDefined)
      for (const field of Object.values(noun.fields)) if (field.kind === 'relation' && field.target === 'Contact') links.push({ field: field.name, from: 'Contact' })
    if (links.length > 0) out[noun.name] = links
  }
  return out
}

/** Whether this tenant's nouns have what the link names (a `whenDeclared` email only if the tenant added it). */
function holds(noun: NounSchema, link: PersonLink, nouns: NounRegistry): boolean {
  if ('email' in link) {
    const field = own(noun.fields, link.email)
    return field?.kind === 'scalar' && !field.list && (field.type === 'email' || field.type === 'string')
  }
  if ('from' in link) return relationTo(noun, link.field, link.from) && nouns.byName(link.from) !== undefined
  const source = nouns.byName(link.pointedBy)
  return source !== undefined && relationTo(source, link.field, noun.name)
}

function relationTo(noun: NounSchema, field: string, target: string): boolean {
  const spec = own(noun.fields, field)
  return spec?.kind === 'relation' && spec.target === target
}
