/** A contact: who they are, their leads, deals and activities, and their timeline from the event log. */
import type { EntityRecord } from '../domain/engine/types'
import { money } from './crm-page'
import type { Flash } from './flash'
import { activityLine, expanded, Facts, RecordLink, Related, text, day, type Fact } from './record-parts'
import { Shell } from './shell'
import type { SignedIn } from './signed-in'
import { Timeline, type TimelineData } from './timeline'
import { ForgetForm } from './forget-form'

export interface Page<T = EntityRecord> {
  data: T[]
  total: number
}

export interface ContactPageProps {
  s: SignedIn
  /** With `organization` and `owner` expanded. */
  contact: EntityRecord
  leads: Page
  deals: Page
  activities: Page
  timeline: TimelineData
  notices: Flash[]
}

export function ContactPage({ s, contact, leads, deals, activities, timeline, notices }: ContactPageProps) {
  const organization = expanded(contact.organization)
  const owner = expanded(contact.owner)
  const facts: Fact[] = [
    ['Email', text(contact.email)],
    ['Phone', text(contact.phone ?? contact.mobile)],
    ['Title', text(contact.title)],
    ['Organization', organization ? String(organization.name) : undefined],
    ['Stage', text(contact.stage)],
    ['Status', text(contact.status)],
    ['Source', text(contact.source)],
    ['Lead score', text(contact.leadScore)],
    ['Owner', owner ? <RecordLink slug={s.slug} record={owner} /> : undefined],
    ['Last engagement', day(contact.lastEngagement)],
    ['Added', day(contact.$createdAt)],
  ]
  return (
    <Shell s={s} title={String(contact.name)} section="records" notices={notices}>
      <section aria-labelledby="contact-facts">
        <h2 id="contact-facts">Contact</h2>
        <Facts facts={facts} />
      </section>
      <div class="two">
        <Related slug={s.slug} title="Leads" id="contact-leads" records={leads.data} total={leads.total} empty="No leads." line={(l) => `${String(l.status)} · ${String(l.source ?? '')}`} />
        <Related slug={s.slug} title="Deals" id="contact-deals" records={deals.data} total={deals.total} empty="No deals." line={(d) => `${String(d.stage)} · ${money(Number(d.value ?? 0))}`} />
      </div>
      <Related slug={s.slug} title="Activities" id="contact-activities" records={activities.data} total={activities.total} empty="No calls, emails, meetings, notes or tasks yet." line={activityLine} />
      <Timeline data={timeline} />
      <ForgetForm s={s} contact={contact} />
    </Shell>
  )
}
