/** Leads (seed 001): conversion prerequisites, and a converted lead becomes a deal. */
import type { TenantHandle } from '../engine/tenant-handle'
import type { EntityRecord } from '../engine/types'
import { AppError } from '../errors'
import { Lead } from '../nouns'
import { liveLink } from './live-link'

Lead.creating((_draft, input, { now }) => ({ ...input, firstTouchAt: input.firstTouchAt ?? now }))

/** Seed 001, as written: a lead needs a contact before conversion, and a lost lead cannot convert. */
Lead.converting((lead, _input, { $ }) => {
  // A contact deleted since is no contact: the deal it would make needs one (see ./live-link.ts).
  if (typeof lead.contact !== 'string' || !$.Contact.exists(lead.contact)) throw new AppError('rejected', 'Lead must have a contact before conversion', [{ path: 'contact', message: 'link a contact first' }])
  if (lead.status === 'Lost') throw new AppError('rejected', 'Cannot convert a lost lead', [{ path: 'status', message: 'reopen it (status New) first' }])
})

const DAY_MS = 86_400_000

/** Seed 001: create the deal, link it back, advance the contact, track the conversion. */
function createDealFromLead(lead: EntityRecord, $: TenantHandle) {
  const deal = $.Deal.create({
    name: String(lead.name),
    contact: lead.contact as string,
    organization: liveLink($.Organization, lead.organization),
    owner: liveLink($.Contact, lead.owner),
    value: (lead.budget as number) || 0,
    stage: 'Prospecting',
    source: lead.source as string,
    campaign: liveLink($.Campaign, lead.campaign),
  })
  $.Lead.update(lead.$id, { deal: deal.$id })
  const contact = $.Contact.get(lead.contact as string)
  if (contact && (contact.stage == null || contact.stage === 'Lead')) $.Contact.update(contact.$id, { stage: 'Qualified' })
  const firstTouch = new Date(String(lead.firstTouchAt ?? lead.$createdAt)).getTime()
  const cycleDays = Math.round((new Date(String(lead.convertedAt)).getTime() - firstTouch) / DAY_MS)
  $.TrackedEvent.create({
    name: 'lead_converted',
    properties: { source: lead.source, cycleDays, budget: lead.budget ?? null },
    lead: lead.$id,
    contact: lead.contact as string,
    deal: deal.$id,
    value: (lead.budget as number) ?? null,
  })
}
Lead.converted(createDealFromLead)
