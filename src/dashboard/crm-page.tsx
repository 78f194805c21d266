/** Seed 003's /dashboard/crm: KPI cards, pipeline funnel, lead table with inline status, source attribution, Add Lead. */
import { LEAD_SOURCES } from '../domain/capture'
import type { EntityRecord } from '../domain/engine/types'
import type { DashboardLayout } from '../domain/dashboard-fields'
import { BarChart } from './charts'
import { CustomCells, CustomInput } from './custom-fields'
import type { Flash } from './flash'
import { LEAD_STATUSES, NEXT_STATUSES } from './lead-moves'
import type { LiveFeed } from './live'
import { Shell } from './shell'
import type { SignedIn } from './signed-in'

export interface Summary {
  total: number
  active: number
  won: number
  lost: number
  totalPipelineValue: number
  weightedPipelineValue: number
  conversionRate: number
  avgScore: number
  byStage: { stageId: string; stageName: string; count: number; value: number }[]
}

export interface CrmPageProps {
  s: SignedIn
  summary: Summary
  bySource: { source: string | null; leads: number; conversions: number }[]
  leads: { data: EntityRecord[]; total: number }
  filters: Filters
  /** Confirmations and problems to show above everything else (an action's outcome, a filter that could not be used). */
  notices: Flash[]
  /** Where the tenant's website form posts (shown when there are no leads yet). */
  captureUrl: string
  /** The tenant's own fields the admin marked for the table and the Add Lead form. */
  layout: DashboardLayout
  /** The contacts of the page's leads, by id, when a marked column is a contact's field. */
  contacts: ReadonlyMap<string, EntityRecord>
  /** The live feed: the figures, charts and table follow it (the filters and Add Lead are never swapped). */
  live?: LiveFeed
}

export interface Filters {
  status?: string
  source?: string
  page: number
  limit: number
}

/**
 * The page's own script: open and close the dialog, submit a status change as soon as it is picked.
 * Listened for on the document, so rows the live feed swaps in (live.js) work the same.
 */
const SCRIPT = `
document.addEventListener('click', e => {
  const open = e.target.closest('[data-open]'), close = e.target.closest('[data-close]');
  if (open) document.getElementById(open.dataset.open).showModal();
  if (close) document.getElementById(close.dataset.close).close();
});
document.addEventListener('change', e => { if (e.target.matches('[data-autosubmit]')) e.target.form.requestSubmit(); });
`

/** An amount in major units (src/domain/money.ts), shown to the dollar. */
export const money = (amount: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 }).format(amount)

/** The CRM page's address for these filters and page (relative to /dashboard/). */
export function query(filters: Omit<Filters, 'page' | 'limit'>, page: number) {
  const params = new URLSearchParams()
  if (filters.status) params.set('status', filters.status)
  if (filters.source) params.set('source', filters.source)
  if (page > 1) params.set('page', String(page))
  const text = params.toString()
  return text ? `crm?${text}` : 'crm'
}

export function CrmPage({ s, summary, bySource, leads, filters, notices, captureUrl, layout, contacts, live }: CrmPageProps) {
  const csrf = s.csrf
  const pages = Math.max(1, Math.ceil(leads.total / filters.limit))
  const here = query(filters, filters.page)
  const filtered = Boolean(filters.status || filters.source)
  const noDeals = summary.byStage.every((s) => s.count === 0)
  return (
    <Shell s={s} title="Leads" section="leads" notices={notices} script={SCRIPT} live={live} tools={<button type="button" data-open="add-lead">Add Lead</button>}>
        <section aria-labelledby="kpi-title">
          <h2 id="kpi-title">Key figures</h2>
          <ul class="kpis" data-live="kpis">
            <li data-kpi="total"><span class="label">Total leads</span><span class="value">{summary.total}</span></li>
            <li data-kpi="active"><span class="label">Active leads</span><span class="value">{summary.active}</span></li>
            <li data-kpi="pipeline"><span class="label">Pipeline value</span><span class="value">{money(summary.totalPipelineValue)}</span></li>
            <li data-kpi="won"><span class="label">Won deals</span><span class="value">{summary.won}</span></li>
            <li data-kpi="conversion"><span class="label">Conversion rate</span><span class="value">{summary.conversionRate}%</span></li>
            <li data-kpi="score"><span class="label">Average lead score</span><span class="value">{summary.avgScore}</span></li>
          </ul>
        </section>
        <div class="charts" data-live="charts">
          <section aria-labelledby="funnel-title">
            <h2 id="funnel-title">Pipeline funnel</h2>
            <BarChart title="Deals per pipeline stage (count, value)" bars={summary.byStage.map((s) => ({ label: s.stageName, value: s.count, note: money(s.value) }))} />
            {noDeals && <p class="empty">No deals yet: converting a lead (status Converted) opens its deal in Prospecting.</p>}
          </section>
          <section aria-labelledby="sources-title">
            <h2 id="sources-title">Source attribution</h2>
            <BarChart
              title="Leads per source"
              colour="#7c3aed"
              bars={bySource.map((s) => ({ label: s.source ?? 'none', value: s.leads, note: `${s.conversions} converted` }))}
              empty="No leads yet: each source appears here, with its conversions, as leads arrive."
            />
          </section>
        </div>
        <section aria-labelledby="leads-title">
          <h2 id="leads-title">Leads</h2>
          <form class="filters" method="get" action="crm">
            <div class="field">
              <label for="filter-status">Status</label>
              <select id="filter-status" name="status">
                <option value="">All</option>
                {LEAD_STATUSES.map((s) => <option value={s} selected={filters.status === s}>{s}</option>)}
              </select>
            </div>
            <div class="field">
              <label for="filter-source">Source</label>
              <select id="filter-source" name="source">
                <option value="">All</option>
                {LEAD_SOURCES.map((s) => <option value={s} selected={filters.source === s}>{s}</option>)}
                {filters.source && !(LEAD_SOURCES as readonly string[]).includes(filters.source) ? <option value={filters.source} selected>{filters.source}</option> : null}
              </select>
            </div>
            <button type="submit">Filter</button>
            {filtered && <a href="crm">Clear filters</a>}
          </form>
          <div data-live="leads">
            {leads.total === 0 ? (
              filtered ? <NoMatch filters={filters} /> : <NoLeadsYet captureUrl={captureUrl} />
            ) : (
              <LeadTable leads={leads.data} csrf={csrf} here={here} layout={layout} contacts={contacts} />
            )}
            {leads.total > 0 && (
              <nav class="pager" aria-label="Lead pages">
                {filters.page > 1 ? <a href={query(filters, filters.page - 1)}>Previous</a> : <span />}
                <span>Page {filters.page} of {pages} · {leads.total} leads</span>
                {filters.page < pages ? <a href={query(filters, filters.page + 1)}>Next</a> : <span />}
              </nav>
            )}
          </div>
        </section>
      <dialog id="add-lead" aria-labelledby="add-lead-title">
        <form method="post" action="leads">
          <h2 id="add-lead-title">Add Lead</h2>
          <input type="hidden" name="csrf" value={csrf} />
          <label>First name<input name="firstName" required autocomplete="off" /></label>
          <label>Last name<input name="lastName" required autocomplete="off" /></label>
          <label>Email<input name="email" type="email" required autocomplete="off" /></label>
          <label>
            Source
            <select name="source">{LEAD_SOURCES.map((s) => <option value={s}>{s}</option>)}</select>
          </label>
          {layout.leadForm.map((marked) => <CustomInput marked={marked} />)}
          <label>
            Note <span class="hint">(optional: what they asked for, how you met)</span>
            <textarea name="note" rows={3} maxlength={5000} />
          </label>
          <p class="hint">An email that already has an open lead adds this to that lead rather than opening a second one.</p>
          <div class="actions">
            <button type="button" class="secondary" data-close="add-lead">Cancel</button>
            <button type="submit">Add lead</button>
          </div>
        </form>
      </dialog>
    </Shell>
  )
}

function LeadTable({ leads, csrf, here, layout, contacts }: { leads: EntityRecord[]; csrf: string; here: string; layout: DashboardLayout; contacts: ReadonlyMap<string, EntityRecord> }) {
  return (
    <div class="table-wrap">
      <table class="leads">
        <thead>
          <tr><th scope="col">Lead</th><th scope="col">Source</th><th scope="col">Score</th>{layout.leadColumns.map((m) => <th scope="col" data-field={m.ref}>{m.label}</th>)}<th scope="col">Status</th><th scope="col">Created</th></tr>
        </thead>
        <tbody>
          {leads.map((lead) => (
            <tr data-lead={lead.$id}>
              <td class="lead-name"><a href={`leads/${lead.$id}`}>{String(lead.name)}</a></td>
              <td class="lead-source" data-label="Source">{String(lead.source ?? '')}</td>
              <td class="lead-score" data-label="Score">{lead.score ?? '–'} {lead.band ? <span class={`band band-${String(lead.band)}`}>{String(lead.band)}</span> : null}</td>
              <CustomCells layout={layout} lead={lead} contacts={contacts} />
              <td class="lead-status">
                {(NEXT_STATUSES[String(lead.status)] ?? []).length === 0 ? (
                  <span class="status">{String(lead.status)}</span>
                ) : (
                  <form class="inline" method="post" action={`leads/${lead.$id}/status`}>
                    <input type="hidden" name="csrf" value={csrf} />
                    <input type="hidden" name="back" value={here} />
                    <label class="visually-hidden" for={`status-${lead.$id}`}>Status of {String(lead.name)}</label>
                    <select id={`status-${lead.$id}`} name="status" data-autosubmit>
                      <option value={String(lead.status)} selected>{String(lead.status)}</option>
                      {NEXT_STATUSES[String(lead.status)]!.map((s) => <option value={s}>{s}</option>)}
                    </select>
                    <button type="submit" class="secondary">Update</button>
                  </form>
                )}
              </td>
              <td class="lead-created" data-label="Created">{String(lead.$createdAt).slice(0, 10)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** The first-run state: how leads arrive (Add Lead, or the website's form posting to the capture URL). */
function NoLeadsYet({ captureUrl }: { captureUrl: string }) {
  const snippet = `<form method="post" action="${captureUrl}">
  <input name="name" placeholder="Your name">
  <input name="email" type="email" required>
  <textarea name="message"></textarea>
  <button>Send</button>
</form>`
  return (
    <div class="empty" data-empty="no-leads">
      <p><strong>No leads yet.</strong> Add one with <em>Add Lead</em> above, or connect your website’s form: it posts to <code>{captureUrl}</code>, with no key.</p>
      <pre><code>{snippet}</code></pre>
      <p>Every field the visitor fills in is kept on the lead’s timeline; a contact who writes again is added to their open lead.</p>
    </div>
  )
}

function NoMatch({ filters }: { filters: Filters }) {
  const what = [filters.status && `status ${filters.status}`, filters.source && `source ${filters.source}`].filter(Boolean).join(' and ')
  return (
    <div class="empty" data-empty="no-match">
      <p>No leads with {what}. <a href="crm">Clear the filters</a> to see every lead.</p>
    </div>
  )
}
