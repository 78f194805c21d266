/**
 * `/~{tenant}/dashboard`: login with an API key (→ a server-side session, its token in a cookie),
 * the CRM page, a lead's page, a proposal's document, and the form posts behind them (inline
 * status change, Add Lead, logout), each answered by a redirect that carries its outcome (flash.ts).
 * Every action goes through the same tenant object and verb engine as the API, as the key the
 * session was opened with.
 */
import { Hono, type Context } from 'hono'
import { csrf as originCheck } from 'hono/csrf'
import { AppError } from '../domain/errors'
import type { EntityRecord } from '../domain/engine/types'
import { nouns } from '../domain/nouns'
import { parseListQuery } from '../domain/query/list-query'
import type { Credentials, Operation, Outcome } from '../durable/operations'
import { sha256Hex } from '../http/crypto'
import { readForm } from '../http/body'
import { cleanQuery } from '../http/query-text'
import { tenantSlug, valueOf } from '../http/tenant'
import type { AppEnv } from '../http/types'
import { loadProposal, ProposalDocument } from '../http/proposal-document'
import { CrmPage, query, type Filters, type Summary } from './crm-page'
import { labelOf, readCustomAnswers } from './custom-fields'
import type { DashboardLayout } from '../domain/dashboard-fields'
import { setFlash, takeFlash, type Flash } from './flash'
import { LeadPage } from './lead-page'
import { LoginPage } from './login'
import { csrfToken, endSession, readSession, startSession, type Session } from './session'
import { isIdOf } from '../domain/ids'
import { LEAD_STATUSES, verbInto } from './lead-moves'
import { dashboardHeaders } from './security-headers'

export const dashboard = new Hono<AppEnv>()
export const LEADS_PER_PAGE = 20

// Every answer carries the security headers (CSP with a per-response nonce, no framing, nosniff);
// the pattern also matches /dashboard itself.
dashboard.use('/dashboard/*', dashboardHeaders)
// Unsafe methods must come from our own origin (the Origin header) and carry the session's token.
dashboard.use('/dashboard/*', originCheck(), cleanQuery)

async function run<T>(c: Context<AppEnv>, slug: string, session: Session, op: Operation): Promise<T> {
  const credentials: Credentials = { sessionHash: session.hash, requestId: c.get('requestId') }
  return valueOf<T>((await c.env.TENANT.getByName(slug).call(credentials, op)) as Outcome<T>)
}

async function requireSession(c: Context<AppEnv>, slug: string): Promise<Session | Response> {
  const session = await readSession(c)
  return session ?? c.redirect(`/~${slug}/dashboard/login`, 303)
}

const formOf = (c: Context<AppEnv>): Promise<Record<string, unknown>> => readForm(c)

async function checkCsrf(c: Context<AppEnv>, session: Session, form: Record<string, unknown>) {
  if (form.csrf !== (await csrfToken(c, session))) throw new AppError('forbidden', 'the form has expired; reload the page and try again')
}

dashboard.get('/dashboard', (c) => c.redirect(`/~${tenantSlug(c)}/dashboard/crm`, 303))

dashboard.get('/dashboard/login', (c) => c.html(<LoginPage tenant={tenantSlug(c)} nonce={c.get('secureHeadersNonce')} />))

dashboard.post('/dashboard/login', async (c) => {
  const slug = tenantSlug(c)
  const form = await formOf(c)
  const key = typeof form.apiKey === 'string' ? form.apiKey.trim() : ''
  const keyHash = await sha256Hex(key)
  try {
    if (!key) throw new AppError('unauthorized', 'enter an API key')
    await startSession(c, slug, keyHash)
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    const message = error.code === 'forbidden' ? 'This tenant is suspended.' : 'That key is not valid for this tenant.'
    return c.html(<LoginPage tenant={slug} error={message} nonce={c.get('secureHeadersNonce')} />, 401)
  }
  return c.redirect(`/~${slug}/dashboard/crm`, 303)
})

dashboard.post('/dashboard/logout', async (c) => {
  const post = await sessionForm(c)
  if (post instanceof Response) return post
  await endSession(c, post.slug, post.session)
  return c.redirect(`/~${post.slug}/dashboard/login`, 303)
})

const LEAD = nouns.byName('Lead')!
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

dashboard.get('/dashboard/crm', async (c) => {
  const slug = tenantSlug(c)
  const session = await requireSession(c, slug)
  if (session instanceof Response) return session
  const page = Math.max(1, Math.min(100_000, Number.parseInt(c.req.query('page') ?? '1', 10) || 1))
  const { filters, problems } = usableFilters({ status: c.req.query('status') || undefined, source: c.req.query('source') || undefined })
  try {
    const [summary, attribution, leads, layout] = await Promise.all([
      run<Summary>(c, slug, session, { kind: 'analytics', report: 'summary' }),
      run<{ bySource: { source: string | null; leads: number; conversions: number }[] }>(c, slug, session, { kind: 'analytics', report: 'attribution' }),
      run<{ data: EntityRecord[]; total: number }>(c, slug, session, { kind: 'list', noun: 'Lead', query: leadQuery(filters, page) }),
      run<DashboardLayout>(c, slug, session, { kind: 'dashboard.layout' }),
    ])
    // A page past the end (a bookmark, leads closed since) goes to the last page there is.
    const last = Math.max(1, Math.ceil(leads.total / LEADS_PER_PAGE))
    if (page > last) return c.redirect(`/~${slug}/dashboard/${query(filters, last)}`, 303)
    const contacts = await contactsOf(c, slug, session, layout, leads.data)
    const flash = await takeFlash(c, slug)
    return c.html(
      <CrmPage
        tenant={slug}
        summary={summary}
        bySource={attribution.bySource}
        leads={leads}
        filters={{ ...filters, page, limit: LEADS_PER_PAGE }}
        csrf={await csrfToken(c, session)}
        notices={[...(flash ? [flash] : []), ...problems]}
        captureUrl={new URL(`/~${slug}/capture`, c.req.url).toString()}
        nonce={c.get('secureHeadersNonce')}
        layout={layout}
        contacts={contacts}
      />,
    )
  } catch (error) {
    if (error instanceof AppError && (error.code === 'unauthorized' || error.code === 'forbidden')) return signedOut(c, slug)
    throw error
  }
})

/** The contacts of a page of leads, by id: read only when a marked column is a contact's field (one list, at most a page). */
async function contactsOf(c: Context<AppEnv>, slug: string, session: Session, layout: DashboardLayout, leads: EntityRecord[]): Promise<Map<string, EntityRecord>> {
  const ids = [...new Set(leads.map((l) => l.contact).filter((id): id is string => typeof id === 'string'))]
  if (ids.length === 0 || !layout.leadColumns.some((m) => m.noun === 'Contact')) return new Map()
  const params: [string, string][] = [['filter', JSON.stringify({ $id: { $in: ids } })], ['limit', String(ids.length)]]
  const { data } = await run<{ data: EntityRecord[] }>(c, slug, session, { kind: 'list', noun: 'Contact', params })
  return new Map(data.map((contact) => [contact.$id, contact]))
}

dashboard.get('/dashboard/leads/:id', async (c) => {
  const slug = tenantSlug(c)
  const session = await requireSession(c, slug)
  if (session instanceof Response) return session
  const id = c.req.param('id')
  try {
    if (!isIdOf('lead', id)) throw new AppError('not_found', 'lead not found')
    const activityQuery = parseListQuery(nouns.byName('Activity')!, new URLSearchParams({ lead: id, sort: '-$createdAt', limit: '50' }), nouns)
    const [lead, activities, layout] = await Promise.all([
      run<EntityRecord>(c, slug, session, { kind: 'get', noun: 'Lead', id, include: ['contact', 'deal'] }),
      run<{ data: EntityRecord[]; total: number }>(c, slug, session, { kind: 'list', noun: 'Activity', query: activityQuery }),
      run<DashboardLayout>(c, slug, session, { kind: 'dashboard.layout' }),
    ])
    const deal = typeof lead.deal === 'object' ? (lead.deal as EntityRecord) : undefined
    const proposals = deal
      ? (await run<{ data: EntityRecord[] }>(c, slug, session, { kind: 'list', noun: 'Proposal', query: parseListQuery(nouns.byName('Proposal')!, new URLSearchParams({ deal: deal.$id, sort: '-$createdAt', limit: '20' }), nouns) })).data
      : []
    return c.html(<LeadPage tenant={slug} lead={lead} activities={activities} proposals={proposals} layout={layout} nonce={c.get('secureHeadersNonce')} />)
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    if (error.code === 'unauthorized' || error.code === 'forbidden') return signedOut(c, slug)
    if (error.code === 'not_found') return back(c, slug, 'crm', 'That lead does not exist (any more).')
    throw error
  }
})

/** A proposal's printable document, read with the dashboard session (the API's route takes a key); the dashboard's headers and CSP apply. */
dashboard.get('/dashboard/proposals/:id', async (c) => {
  const slug = tenantSlug(c)
  const session = await requireSession(c, slug)
  if (session instanceof Response) return session
  const id = c.req.param('id')
  try {
    if (!isIdOf('proposal', id)) throw new AppError('not_found', 'proposal not found')
    const view = await loadProposal(id, (op) => run(c, slug, session, op))
    return c.html(<ProposalDocument {...view} nonce={c.get('secureHeadersNonce')} />)
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    if (error.code === 'unauthorized' || error.code === 'forbidden') return signedOut(c, slug)
    if (error.code === 'not_found') return back(c, slug, 'crm', 'That proposal does not exist (any more).')
    throw error
  }
})

/** The session is over (logged out, expired, key revoked, tenant suspended): drop the cookie, back to the login page. */
async function signedOut(c: Context<AppEnv>, slug: string) {
  await endSession(c, slug)
  return c.redirect(`/~${slug}/dashboard/login`, 303)
}

/** Back to the CRM page (a relative `crm…` path only), with a notice of how the action went. */
async function back(c: Context<AppEnv>, slug: string, target: unknown, error?: string, done?: string) {
  const path = typeof target === 'string' && /^crm(\?[\w=&%.+-]*)?$/.test(target) ? target : 'crm'
  if (error) await setFlash(c, slug, { kind: 'error', text: error })
  else if (done) await setFlash(c, slug, { kind: 'ok', text: done })
  return c.redirect(`/~${slug}/dashboard/${path}`, 303)
}

/** A dashboard form post: the tenant, a live session (or the redirect to log in), the form, its CSRF token checked. */
async function sessionForm(c: Context<AppEnv>): Promise<{ slug: string; session: Session; form: Record<string, unknown> } | Response> {
  const slug = tenantSlug(c)
  const session = await requireSession(c, slug)
  if (session instanceof Response) return session
  const form = await formOf(c)
  await checkCsrf(c, session, form)
  return { slug, session, form }
}

dashboard.post('/dashboard/leads/:id/status', async (c) => {
  const post = await sessionForm(c)
  if (post instanceof Response) return post
  const { slug, session, form } = post
  const id = c.req.param('id')
  const status = String(form.status ?? '')
  try {
    if (!isIdOf('lead', id)) throw new AppError('not_found', 'lead not found')
    // Converted and Lost have verbs of their own (conversion creates the deal; loss stamps lostAt).
    const verb = verbInto(status)?.verb
    const op: Operation = verb
      ? { kind: 'verb', noun: 'Lead', verb, id, ...(verb === 'lose' ? { input: { lostReason: 'Marked lost on the dashboard' } } : {}) }
      : { kind: 'verb', noun: 'Lead', verb: 'update', id, input: { status } }
    const lead = await run<EntityRecord>(c, slug, session, op)
    const done = lead.status === 'Converted' ? `“${String(lead.name)}” converted: its deal is open in Prospecting.` : `“${String(lead.name)}” moved to ${String(lead.status)}.`
    return back(c, slug, form.back, undefined, done)
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    if (error.code === 'unauthorized') return signedOut(c, slug)
    return back(c, slug, form.back, error.detail)
  }
})

dashboard.post('/dashboard/leads', async (c) => {
  const post = await sessionForm(c)
  if (post instanceof Response) return post
  const { slug, session, form } = post
  const text = (name: string) => (typeof form[name] === 'string' ? (form[name] as string).trim() : '')
  const [firstName, lastName, email, source, note] = [text('firstName'), text('lastName'), text('email'), text('source') || 'other', text('note')]
  let layout: DashboardLayout = { leadColumns: [], leadForm: [], leadPage: [] }
  try {
    layout = await run<DashboardLayout>(c, slug, session, { kind: 'dashboard.layout' })
    if (!firstName || !lastName || !email) throw new AppError('validation_failed', 'first name, last name and email are required')
    const custom = readCustomAnswers(layout, form)
    if (custom.errors.length > 0) throw new AppError('validation_failed', 'the lead was not added', custom.errors)
    // The same verb as the public form: the contact is found or created by email, and what was entered
    // goes on the contact's open lead or a new one, as a Form submission note (names included). The
    // tenant's own fields go on the lead and contact (blanks only, when they are on file already).
    const submission = { firstName, lastName, email, source, ...custom.lines, ...(note ? { note } : {}) }
    const fields = { ...(Object.keys(custom.leadFields).length > 0 ? { leadFields: custom.leadFields } : {}), ...(Object.keys(custom.contactFields).length > 0 ? { contactFields: custom.contactFields } : {}) }
    const contact = await run<EntityRecord>(c, slug, session, { kind: 'verb', noun: 'Contact', verb: 'capture', input: { firstName, lastName, email, source, submission, ...fields } })
    // The lead this capture touched is the one whose last activity is the capture's own instant.
    const touched = new URLSearchParams({ contact: contact.$id, lastActivityAt: String(contact.lastEngagement), limit: '1' })
    const [lead] = (await run<{ data: EntityRecord[] }>(c, slug, session, { kind: 'list', noun: 'Lead', query: parseListQuery(LEAD, touched, nouns) })).data
    return back(c, slug, 'crm', undefined, addedMessage(contact, lead, `${firstName} ${lastName}`))
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    if (error.code === 'unauthorized') return signedOut(c, slug)
    const detail = error.errors?.length ? `${error.detail}: ${error.errors.map((e) => `${labelOf(layout, e.path)} ${e.message}`).join('; ')}` : error.detail
    return back(c, slug, 'crm', detail)
  }
})

/** What Add Lead did: a new lead, or the contact's open lead joined; and whether the contact was on file under another name. */
function addedMessage(contact: EntityRecord, lead: EntityRecord | undefined, entered: string): string {
  const joined = lead !== undefined && lead.$createdAt !== contact.lastEngagement
  const said = joined
    ? `${String(contact.name)} already has an open lead, “${String(lead.name)}”: what you entered was added to its timeline instead of opening a second lead.`
    : `Lead added: “${String(lead?.name ?? contact.name)}”.`
  const renamed = contact.name !== entered ? ` The contact is on file as “${String(contact.name)}”; the name you entered, “${entered}”, is kept in the lead’s note.` : ''
  return said + renamed
}
