/**
 * One lead: what is known (contact, source, BANT answers, score), its deal and proposals, and its
 * timeline, newest first, where each form submission shows everything the visitor wrote.
 */
import type { EntityRecord } from '../domain/engine/types'
import type { DashboardLayout } from '../domain/dashboard-fields'
import { money } from './crm-page'
import { EMPTY, formatValue } from './custom-fields'
import { Shell } from './shell'
import type { SignedIn } from './signed-in'

export interface LeadPageProps {
  s: SignedIn
  /** The lead with `contact` and `deal` expanded where they exist. */
  lead: EntityRecord
  activities: { data: EntityRecord[]; total: number }
  proposals: EntityRecord[]
  /** The tenant's own fields (`leadPage`): shown with the built-in facts when they hold a value. */
  layout: DashboardLayout
}

const text = (value: unknown) => (value == null || value === '' ? undefined : String(value))
const when = (iso: unknown) => (typeof iso === 'string' ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '')

export function LeadPage({ s, lead, activities, proposals, layout }: LeadPageProps) {
  const contact = typeof lead.contact === 'object' ? (lead.contact as EntityRecord) : undefined
  const deal = typeof lead.deal === 'object' ? (lead.deal as EntityRecord) : undefined
  const facts: [string, string | undefined][] = [
    ['Status', text(lead.status)],
    ['Score', lead.score == null ? undefined : `${String(lead.score)}${lead.band ? ` (${String(lead.band)})` : ''}${lead.scoreSource === 'manual' ? ', set by hand' : ''}`],
    ['Contact', contact ? [contact.name, contact.email, contact.phone].filter(Boolean).map(String).join(' · ') : undefined],
    ['Source', [lead.source, lead.sourceDetail].filter(Boolean).map(String).join(' · ') || undefined],
    ['Budget', typeof lead.budget === 'number' ? money(lead.budget) : undefined],
    ['Authority', text(lead.authority)],
    ['Need', text(lead.need)],
    ['Timeline', text(lead.timeline)],
    ['First touch', when(lead.firstTouchAt) || undefined],
    ['Last activity', when(lead.lastActivityAt) || undefined],
    ...layout.leadPage.map((marked): [string, string | undefined] => {
      const value = formatValue(marked.field, (marked.noun === 'Lead' ? lead : contact)?.[marked.field.name])
      return [marked.label, value === EMPTY ? undefined : value]
    }),
  ]
  return (
    <Shell s={s} title={String(lead.name)} section="leads" tools={<a href="../crm">← All leads</a>}>
        <section aria-labelledby="lead-facts">
          <h2 id="lead-facts">Lead</h2>
          <dl class="facts">
            {facts.filter(([, v]) => v !== undefined).map(([label, value]) => (
              <>
                <dt>{label}</dt>
                <dd>{label === 'Contact' && contact ? <a href={`../contacts/${contact.$id}`}>{value}</a> : value}</dd>
              </>
            ))}
          </dl>
        </section>
        {deal && (
          <section aria-labelledby="lead-deal">
            <h2 id="lead-deal">Deal</h2>
            <p>
              <a href={`../deals/${deal.$id}`}>{String(deal.name)}</a> · {String(deal.stage ?? '')} · {money(Number(deal.value ?? 0))}
            </p>
            {proposals.length === 0 ? (
              <p class="empty">No proposals yet.</p>
            ) : (
              <ul>
                {proposals.map((p) => (
                  <li data-proposal={p.$id}>
                    <a href={`../proposals/${p.$id}`}>{String(p.title ?? `Proposal (${String(p.tier)})`)}</a> · {String(p.status)} · {money(Number(p.total ?? 0))}
                  </li>
                ))}
              </ul>
            )}
          </section>
        )}
        <section aria-labelledby="lead-timeline">
          <h2 id="lead-timeline">Timeline</h2>
          {activities.data.length === 0 ? (
            <p class="empty">Nothing on this lead’s timeline yet. Calls, emails, notes and form submissions appear here.</p>
          ) : (
            <ol class="timeline">
              {activities.data.map((a) => (
                <li data-activity={a.$id}>
                  <strong>{String(a.subject)}</strong>{' '}
                  <span class="meta">
                    {String(a.type ?? '')} · {when(a.$createdAt)}
                    {a.status && a.status !== 'Done' ? ` · ${String(a.status)}` : ''}
                  </span>
                  {a.body ? <pre class="note">{String(a.body)}</pre> : null}
                </li>
              ))}
            </ol>
          )}
          {activities.total > activities.data.length && <p class="hint">Showing the latest {activities.data.length} of {activities.total}.</p>}
        </section>
    </Shell>
  )
}
