/**
 * Signing in to the dashboard as a browser does (issue 16): an admin key invites a user (or the
 * operator's tenant has its owner), the invitation's link comes from the local outbox
 * (`GET /messages?kind=invitation`), its page is opened and its form posted; the session cookie and
 * the page's CSRF token come back.
 */
import { sendRaw } from './helpers'

const ORIGIN = 'http://revline.test'

export interface DashboardSession {
  cookie: string
  csrf: string
  user: string
  email: string
}

const api = (slug: string, key: string, method: string, path: string, body?: unknown) =>
  sendRaw({ method, path: `/~${slug}${path}`, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) })

/** The newest sign-in link (invitation or sign-in) mailed to `email`. */
export async function linkFor(slug: string, key: string, email: string, kind: 'invitation' | 'sign-in' = 'invitation'): Promise<string> {
  const res = await api(slug, key, 'GET', `/messages?to=${encodeURIComponent(email.toLowerCase())}&kind=${kind}&sort=-$createdAt&limit=1`)
  const body = String(res.json?.data?.[0]?.body ?? '')
  const link = /(https?:\/\/\S+\/auth\/link\?token=[A-Za-z0-9_-]{43})/.exec(body)?.[1]
  if (!link) throw new Error(`no ${kind} link for ${email}: ${res.status} ${res.text.slice(0, 300)}`)
  return link
}

/** Follows a sign-in link: its page (spends nothing), then its form; the session cookie. */
export async function followLink(link: string): Promise<string> {
  const url = new URL(link)
  const page = await sendRaw({ method: 'GET', path: `${url.pathname}${url.search}` })
  if (page.status !== 200) throw new Error(`link page → ${page.status}`)
  const res = await sendRaw({ method: 'POST', path: url.pathname, headers: { origin: ORIGIN }, body: new URLSearchParams({ token: url.searchParams.get('token')! }) })
  const cookie = /rvl_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0]
  if (res.status !== 303 || !cookie) throw new Error(`sign-in → ${res.status} ${res.text.slice(0, 300)}`)
  return cookie
}

/** The CSRF token on a dashboard page read with the session. */
export async function csrfOf(slug: string, cookie: string): Promise<string> {
  const page = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/my-day`, headers: { cookie } })
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1]
  if (page.status !== 200 || !csrf) throw new Error(`My day → ${page.status} ${page.text.slice(0, 300)}`)
  return csrf
}

let n = 0
/**
 * Invites a user with the tenant's admin key and signs them in. `role` admin by default (the old
 * key sign-in acted as the admin key); `email` when the test names the person.
 */
export async function signInAs(slug: string, key: string, options: { role?: 'owner' | 'admin' | 'member'; email?: string; name?: string } = {}): Promise<DashboardSession> {
  const email = options.email ?? `person${n++}.${Math.random().toString(36).slice(2, 8)}@team.test`
  const created = await api(slug, key, 'POST', '/users', { email, name: options.name ?? `Person ${email.split('@')[0]}`, role: options.role ?? 'admin' })
  if (created.status !== 201) throw new Error(`invite → ${created.status} ${created.text.slice(0, 300)}`)
  const cookie = await followLink(await linkFor(slug, key, email))
  return { cookie, csrf: await csrfOf(slug, cookie), user: created.json.$id, email: created.json.email }
}
