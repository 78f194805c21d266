/**
 * `/~{tenant}/dashboard`: login with an API key (→ a server-side session, its token in a cookie),
 * the CRM page, and the form posts behind it (inline status change, Add Lead, logout). Every action
 * goes through the same tenant object and verb engine as the API, as the key the session was opened with.
 */
import { Hono, type Context } from 'hono'
import { csrf as originCheck } from 'hono/csrf'
import { AppError } from '../domain/errors'
import { nouns } from '../domain/nouns'
import { parseListQuery } from '../domain/query/list-query'
import type { Credentials, Operation, Outcome } from '../durable/operations'
import { sha256Hex } from '../http/crypto'
import { readForm } from '../http/body'
import { cleanQuery } from '../http/query-text'
import { tenantSlug, valueOf } from '../http/tenant'
import type { AppEnv } from '../http/types'
import { CrmPage, type Summary } from './crm-page'
import { LoginPage } from './login'
import { csrfToken, endSession, readSession, startSession, type Session } from './session'
import { isIdOf } from '../domain/ids'
import { verbInto } from './lead-moves'
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

dashboard.get('/dashboard/crm', async (c) => {
  const slug = tenantSlug(c)
  const session = await requireSession(c, slug)
  if (session instanceof Response) return session
  const status = c.req.query('status') || undefined
  const source = c.req.query('source') || undefined
  const page = Math.max(1, Math.min(100_000, Number.parseInt(c.req.query('page') ?? '1', 10) || 1))
  const params = new URLSearchParams({ sort: '-$createdAt', limit: String(LEADS_PER_PAGE), page: String(page) })
  if (status) params.set('status', status)
  if (source) params.set('source', source)
  try {
    const query = parseListQuery(nouns.byName('Lead')!, params, nouns)
    const [summary, attribution, leads] = await Promise.all([
      run<Summary>(c, slug, session, { kind: 'analytics', report: 'summary' }),
      run<{ bySource: { source: string | null; leads: number; conversions: number }[] }>(c, slug, session, { kind: 'analytics', report: 'attribution' }),
      run<{ data: never[]; total: number }>(c, slug, session, { kind: 'list', noun: 'Lead', query }),
    ])
    return c.html(
      <CrmPage
        tenant={slug}
        summary={summary}
        bySource={attribution.bySource}
        leads={leads}
        filters={{ ...(status ? { status } : {}), ...(source ? { source } : {}), page, limit: LEADS_PER_PAGE }}
        csrf={await csrfToken(c, session)}
        notice={c.req.query('error')}
        nonce={c.get('secureHeadersNonce')}
      />,
    )
  } catch (error) {
    if (error instanceof AppError && (error.code === 'unauthorized' || error.code === 'forbidden')) return signedOut(c, slug)
    throw error
  }
})

/** The session is over (logged out, expired, key revoked, tenant suspended): drop the cookie, back to the login page. */
async function signedOut(c: Context<AppEnv>, slug: string) {
  await endSession(c, slug)
  return c.redirect(`/~${slug}/dashboard/login`, 303)
}

/** Back to the CRM page (a relative `crm…` path only), with an error notice when the action failed. */
function back(c: Context<AppEnv>, slug: string, target: unknown, error?: string) {
  const path = typeof target === 'string' && /^crm(\?[\w=&%.+-]*)?$/.test(target) ? target : 'crm'
  const url = `/~${slug}/dashboard/${path}`
  return c.redirect(error ? `${url}${path.includes('?') ? '&' : '?'}error=${encodeURIComponent(error)}` : url, 303)
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
    await run(c, slug, session, op)
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    if (error.code === 'unauthorized') return signedOut(c, slug)
    return back(c, slug, form.back, error.detail)
  }
  return back(c, slug, form.back)
})

dashboard.post('/dashboard/leads', async (c) => {
  const post = await sessionForm(c)
  if (post instanceof Response) return post
  const { slug, session, form } = post
  const text = (name: string) => (typeof form[name] === 'string' ? (form[name] as string).trim() : '')
  const [firstName, lastName, email, source] = [text('firstName'), text('lastName'), text('email'), text('source') || 'other']
  try {
    if (!firstName || !lastName || !email) throw new AppError('validation_failed', 'first name, last name and email are required')
    // The same verb as the public form: the contact is found or created by email and a Lead is opened.
    await run(c, slug, session, { kind: 'verb', noun: 'Contact', verb: 'capture', input: { firstName, lastName, email, source } })
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    if (error.code === 'unauthorized') return signedOut(c, slug)
    const detail = error.errors?.length ? `${error.detail}: ${error.errors.map((e) => `${e.path} ${e.message}`).join('; ')}` : error.detail
    return back(c, slug, 'crm', detail)
  }
  return back(c, slug, 'crm')
})
