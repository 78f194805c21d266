/** A deal: its figures and stage (with the move control while it is open), what it relates to, and its timeline. */
import type { EntityRecord } from '../domain/engine/types'
import { money } from './crm-page'
import type { Page } from './contact-page'
import { MoveForm, stageAge, type StageView } from './deal-move'
import type { Flash } from './flash'
import { activityLine, amount, day, expanded, Facts, RecordLink, Related, text, type Fact } from './record-parts'
import { Shell } from './shell'
import type { SignedIn } from './signed-in'
import { Timeline, type TimelineData } from './timeline'

export interface DealPageProps {
  s: SignedIn
  /** With `contact`, `organization` and `owner` expanded. */
  deal: EntityRecord
  /** The open stages, in order (where the deal may move). */
  stages: StageView[]
  leads: Page
  activities: Page
  proposals: Page
  timeline: TimelineData
  notices: Flash[]
  now: number
}

export function DealPage({ s, deal, stages, leads, activities, proposals, timeline, notices, now }: DealPageProps) {
  const contact = expanded(deal.contact)
  const organization = expanded(deal.organization)
  const owner = expanded(deal.owner)
  const open = deal.wonAt == null && deal.lostAt == null
  const age = stageAge(deal, stages.find((st) => st.$id === deal.stageId), now)
  const facts: Fact[] = [
    ['Stage', text(deal.stage)],
    ['In stage since', age ? <span class={age.late ? 'late' : undefined}>{`${day(deal.stageEnteredAt)} (${age.days} ${age.days === 1 ? 'day' : 'days'}${age.late ? ', past SLA' : ''})`}</span> : undefined],
    ['Value', amount(deal.value)],
    ['Probability', typeof deal.probability === 'number' ? `${deal.probability}%` : undefined],
    ['Contact', contact ? <RecordLink slug={s.slug} record={contact} /> : undefined],
    ['Organization', organization ? String(organization.name) : undefined],
    ['Owner', owner ? <RecordLink slug={s.slug} record={owner} /> : undefined],
    ['Expected close', day(deal.expectedCloseAt)],
    ['Next step', text(deal.nextStep)],
    ['Source', text(deal.source)],
    ['Won', day(deal.wonAt)],
    ['Lost', day(deal.lostAt)],
    ['Lost because', text(deal.lostReason)],
    ['Description', text(deal.description)],
  ]
  return (
    <Shell s={s} title={String(deal.name)} section="records" notices={notices} tools={<a href={`/~${s.slug}/dashboard/board`}>← Board</a>}>
      <section aria-labelledby="deal-facts">
        <h2 id="deal-facts">Deal</h2>
        <Facts facts={facts} />
        {open && stages.length > 0 && (
          <div class="inline card-move">
            <span aria-hidden="true">Move to</span>
            <MoveForm s={s} deal={deal} stages={stages} back="deal" />
          </div>
        )}
      </section>
      <div class="two">
        <Related slug={s.slug} title="Leads" id="deal-leads" records={leads.data} total={leads.total} empty="No lead was converted into this deal." line={(l) => `${String(l.status)} · ${String(l.source ?? '')}`} />
        <section aria-labelledby="deal-proposals">
          <h2 id="deal-proposals">
            Proposals <span class="meta">({proposals.total})</span>
          </h2>
          {proposals.data.length === 0 ? (
            <p class="empty">No proposals yet.</p>
          ) : (
            <ul class="list">
              {proposals.data.map((p) => (
                <li data-related={p.$id}>
                  <a href={`/~${s.slug}/dashboard/proposals/${p.$id}`}>{String(p.title ?? `Proposal (${String(p.tier)})`)}</a>
                  <span class="meta">
                    {String(p.status)} · {money(Number(p.total ?? 0))}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <Related slug={s.slug} title="Activities" id="deal-activities" records={activities.data} total={activities.total} empty="No activities yet." line={activityLine} />
      <Timeline data={timeline} />
    </Shell>
  )
}
