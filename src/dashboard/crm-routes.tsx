/**
 * Leads (seed 003's /dashboard/crm): the CRM page, a lead's page, a proposal's document, and the
 * form posts behind them (inline status change, Add Lead). Every action goes through the same
 * tenant object and verb engine as the API, as the signed-in user.
 */
import { Hono, type Context } from 'hono'
import { AppError } from '../domain/errors'
import type { EntityRecord } from '../domain/engine/types'
import { nouns } from '../domain/nouns'
import { parseListQuery } from '../domain/query/list-query'
import type { Operation } from '../durable/operations'
import type { AppEnv } from '../http/types'
import { loadProposal, ProposalDocument } from '../http/proposal-document'
import { CrmPage, query, type Filters, type Summary } from './crm-page'
import { labelOf, readCustomAnswers } from './custom-fields'
import type { DashboardLayout } from '../domain/dashboard-fields'
import { takeFlash, type Flash } from './flash'
import { LeadPage } from './lead-page'
import { isIdOf } from '../domain/ids'
import { LEAD_STATUSES, verbInto } from './lead-moves'
import { eventTypes } from './live'
import { action, field, flashTo, liveFeed, page, run, type Form, type SignedIn } from './request'

export const crmRoutes = new Hono<AppEnv>()
export const LEADS_PER_PAGE = 20

const LEAD = nouns.byName('Lead')!
/**
 * What changes the CRM page: leads (table, figures, sources), deals (pipeline value, won, funnel),
 * contacts (a marked contact column), stages (the funnel's bars), and the configuration behind the
 * marked columns.
 */
const CRM_EVENTS = eventTypes(['Lead', 'Deal', 'Contact', 'Stage'], ['settings.updated', 'schema.changed', 'manifest.applied'])
type LeadFilters = Omit<Filters, 'page' | 'limit'>

function leadQuery(filters: LeadFilters, page: number) {
  const params = new URLSearchParams({ sort: '-$createdAt', limit: String(LEADS_PER_PAGE), page: String(page) })
  if (filters.status) params.set('status', filters.status)
  if (filters.source) params.set('source', filters.source)
  return parseListQuery(LEAD, params, nouns)
}

/** A filter from the address that cannot be used (`?status=Bogus`) is dropped, and the page says so instead of failing. */
function usableFilters(asked: LeadFilters): { filters: LeadFilters; problems: Flash[] } {
  const filters = { ...asked }
  const problems: Flash[] = []
  const quoted = (v: string) => `“${v.length > 60 ? `${v.slice(0, 59)}…` : v}”`
  if (filters.status && !LEAD_STATUSES.includes(filters.status)) {
    problems.push({ kind: 'error', text: `There is no lead status ${quoted(filters.status)}, so the status filter was cleared: showing every status.` })
    delete filters.status
  }
  if (filters.source) {
    try {
      leadQuery({ source: filters.source }, 1)
    } catch (error) {
      if (!(error instanceof AppError)) throw error
      problems.push({ kind: 'error', text: `${quoted(filters.source)} cannot be used as a source filter, so it was cleared: showing every source.` })
      delete filters.source
    }
  }
  return { filters, problems }
}

crmRoutes.get(
  '/dashboard/crm',
  page(async (c, s) => {
    const at = Math.max(1, Math.min(100_000, Number.parseInt(c.req.query('page') ?? '1', 10) || 1))
    const { filters, problems } = usableFilters({ status: c.req.query('status') || undefined, source: c.req.query('source') || undefined })
    const live = await liveFeed(c, s, CRM_EVENTS)
    const [summary, attribution, leads, layout] = await Promise.all([
      run<Summary>(c, s, { kind: 'analytics', report: 'summary' }),
      run<{ bySource: { source: string | null; leads: number; conversions: number }[] }>(c, s, { kind: 'analytics', report: 'attribution' }),
      run<{ data: EntityRecord[]; total: number }>(c, s, { kind: 'list', noun: 'Lead', query: leadQuery(filters, at) }),
      run<DashboardLayout>(c, s, { kind: 'dashboard.layout' }),
    ])
    // A page past the end (a bookmark, leads closed since) goes to the last page there is.
    const last = Math.max(1, Math.ceil(leads.total / LEADS_PER_PAGE))
    if (at > last) return c.redirect(`/~${s.slug}/dashboard/${query(filters, last)}`, 303)
    const contacts = await contactsOf(c, s, layout, leads.data)
    const flash = await takeFlash(c, s.slug)
    return c.html(
      <CrmPage
        s={s}
        summary={summary}
        bySource={attribution.bySource}
        leads={leads}
        filters={{ ...filters, page: at, limit: LEADS_PER_PAGE }}
        notices={[...(flash ? [flash] : []), ...problems]}
        captureUrl={new URL(`/~${s.slug}/capture`, c.req.url).toString()}
        layout={layout}
        contacts={contacts}
        live={live}
      />,
    )
  }),
)

/** The contacts of a page of leads, by id: read only when a marked column is a contact's field (one list, at most a page). */
async function contactsOf(c: Context<AppEnv>, s: SignedIn, layout: DashboardLayout, leads: EntityRecord[]): Promise<Map<string, EntityRecord>> {
  const ids = [...new Set(leads.map((l) => l.contact).filter((id): id is string => typeof id === 'string'))]
  if (ids.length === 0 || !layout.leadColumns.some((m) => m.noun === 'Contact')) return new Map()
  const params: [string, string][] = [['filter', JSON.stringify({ $id: { $in: ids } })], ['limit', String(ids.length)]]
  const { data } = await run<{ data: EntityRecord[] }>(c, s, { kind: 'list', noun: 'Contact', params })
  return new Map(data.map((contact) => [contact.$id, contact]))
}

/** A missing lead or proposal goes back to the CRM page with a message. */
async function missing<T>(c: Context<AppEnv>, s: SignedIn, what: string, load: () => Promise<T>): Promise<T | Response> {
  try {
    return await load()
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return flashTo(c, s.slug, 'crm', { kind: 'error', text: `That ${what} does not exist (any more).` })
    throw error
  }
}

crmRoutes.get(
  '/dashboard/leads/:id',
  page(async (c, s) => {
    const id = c.req.param('id') ?? ''
    const loaded = await missing(c, s, 'lead', async () => {
      if (!isIdOf('lead', id)) throw new AppError('not_found', 'lead not found')
      const activityQuery = parseListQuery(nouns.byName('Activity')!, new URLSearchParams({ lead: id, sort: '-$createdAt', limit: '50' }), nouns)
      return Promise.all([
        run<EntityRecord>(c, s, { kind: 'get', noun: 'Lead', id, include: ['contact', 'deal'] }),
        run<{ data: EntityRecord[]; total: number }>(c, s, { kind: 'list', noun: 'Activity', query: activityQuery }),
        run<DashboardLayout>(c, s, { kind: 'dashboard.layout' }),
      ])
    })
    if (loaded instanceof Response) return loaded
    const [lead, activities, layout] = loaded
    const deal = typeof lead.deal === 'object' ? (lead.deal as EntityRecord) : undefined
    const proposals = deal
      ? (await run<{ data: EntityRecord[] }>(c, s, { kind: 'list', noun: 'Proposal', query: parseListQuery(nouns.byName('Proposal')!, new URLSearchParams({ deal: deal.$id, sort: '-$createdAt', limit: '20' }), nouns) })).data
      : []
    return c.html(<LeadPage s={s} lead={lead} activities={activities} proposals={proposals} layout={layout} />)
  }),
)

/** A proposal's printable document, read with the dashboard session (the API's route takes a key); the dashboard's headers and CSP apply. */
crmRoutes.get(
  '/dashboard/proposals/:id',
  page(async (c, s) => {
    const id = c.req.param('id') ?? ''
    const view = await missing(c, s, 'proposal', () => {
      if (!isIdOf('proposal', id)) throw new AppError('not_found', 'proposal not found')
      return loadProposal(id, (op) => run(c, s, op))
    })
    if (view instanceof Response) return view
    return c.html(<ProposalDocument {...view} nonce={c.get('secureHeadersNonce')} />)
  }),
)

/** Back to the CRM page (a relative `crm…` path only, as the form's `back` says). */
const backToCrm = (_c: Context<AppEnv>, form: Form) => (typeof form.back === 'string' && /^crm(\?[\w=&%.+-]*)?$/.test(form.back) ? form.back : 'crm')
/** The CRM forms report a refusal in the verb's own words. */
const refusal = (error: unknown, detail = (e: AppError) => e.detail): { flash: Flash } => {
  if (!(error instanceof AppError) || error.code === 'unauthorized') throw error
  return { flash: { kind: 'error', text: detail(error) } }
}

crmRoutes.post(
  '/dashboard/leads/:id/status',
  action(backToCrm, async (c, s, form) => {
    const id = c.req.param('id') ?? ''
    const status = String(form.status ?? '')
    try {
      if (!isIdOf('lead', id)) throw new AppError('not_found', 'lead not found')
      // Converted and Lost have verbs of their own (conversion creates the deal; loss stamps lostAt).
      const verb = verbInto(status)?.verb
      const op: Operation = verb
        ? { kind: 'verb', noun: 'Lead', verb, id, ...(verb === 'lose' ? { input: { lostReason: 'Marked lost on the dashboard' } } : {}) }
        : { kind: 'verb', noun: 'Lead', verb: 'update', id, input: { status } }
      const lead = await run<EntityRecord>(c, s, op)
      const done = lead.status === 'Converted' ? `“${String(lead.name)}” converted: its deal is open in Prospecting.` : `“${String(lead.name)}” moved to ${String(lead.status)}.`
      return { flash: { kind: 'ok', text: done } }
    } catch (error) {
      return refusal(error)
    }
  }),
)

crmRoutes.post(
  '/dashboard/leads',
  action(
    () => 'crm',
    async (c, s, form) => {
      const [firstName, lastName, email, source, note] = [field(form, 'firstName'), field(form, 'lastName'), field(form, 'email'), field(form, 'source') || 'other', field(form, 'note')]
      let layout: DashboardLayout = { leadColumns: [], leadForm: [], leadPage: [] }
      try {
        layout = await run<DashboardLayout>(c, s, { kind: 'dashboard.layout' })
        if (!firstName || !lastName || !email) throw new AppError('validation_failed', 'first name, last name and email are required')
        const custom = readCustomAnswers(layout, form)
        if (custom.errors.length > 0) throw new AppError('validation_failed', 'the lead was not added', custom.errors)
        // The same verb as the public form: the contact is found or created by email, and what was entered
        // goes on the contact's open lead or a new one, as a Form submission note (names included). The
        // tenant's own fields go on the lead and contact (blanks only, when they are on file already).
        const submission = { firstName, lastName, email, source, ...custom.lines, ...(note ? { note } : {}) }
        const fields = { ...(Object.keys(custom.leadFields).length > 0 ? { leadFields: custom.leadFields } : {}), ...(Object.keys(custom.contactFields).length > 0 ? { contactFields: custom.contactFields } : {}) }
        const contact = await run<EntityRecord>(c, s, { kind: 'verb', noun: 'Contact', verb: 'capture', input: { firstName, lastName, email, source, submission, ...fields } })
        // The lead this capture touched is the one whose last activity is the capture's own instant.
        const touched = new URLSearchParams({ contact: contact.$id, lastActivityAt: String(contact.lastEngagement), limit: '1' })
        const [lead] = (await run<{ data: EntityRecord[] }>(c, s, { kind: 'list', noun: 'Lead', query: parseListQuery(LEAD, touched, nouns) })).data
        return { flash: { kind: 'ok', text: addedMessage(contact, lead, `${firstName} ${lastName}`) } }
      } catch (error) {
        return refusal(error, (e) => (e.errors?.length ? `${e.detail}: ${e.errors.map((x) => `${labelOf(layout, x.path)} ${x.message}`).join('; ')}` : e.detail))
      }
    },
  ),
)

/** What Add Lead did: a new lead, or the contact's open lead joined; and whether the contact was on file under another name. */
function addedMessage(contact: EntityRecord, lead: EntityRecord | undefined, entered: string): string {
  const joined = lead !== undefined && lead.$createdAt !== contact.lastEngagement
  const said = joined
    ? `${String(contact.name)} already has an open lead, “${String(lead.name)}”: what you entered was added to its timeline instead of opening a second lead.`
    : `Lead added: “${String(lead?.name ?? contact.name)}”.`
  const renamed = contact.name !== entered ? ` The contact is on file as “${String(contact.name)}”; the name you entered, “${entered}”, is kept in the lead’s note.` : ''
  return said + renamed
}
