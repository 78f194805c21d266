/** Helpers for tests of people: a tenant with an owner, sign-in links from the local outbox, requests as a signed-in browser. */
import { expect } from 'vitest'
import { exports } from 'cloudflare:workers'
import { ADMIN_TOKEN, request, tenantApi, type TenantApi } from './helpers'

export const BASE = 'http://revline.test'

/** The sign-in link in the newest message of `kind` to `to` (the local email port's outbox). */
export async function linkFrom(api: TenantApi, to: string, kind = 'sign-in'): Promise<string> {
  const res = await api.get(`/messages?to=${encodeURIComponent(to)}&kind=${kind}&sort=-$createdAt&limit=1`)
  expect(res.status).toBe(200)
  const body = String(res.body.data[0]?.body ?? '')
  const link = /(https?:\/\/\S+\/auth\/link\?token=[A-Za-z0-9_-]{43})/.exec(body)?.[1]
  expect(link, body).toBeTruthy()
  return link!
}

/** Follows a link as a browser would: GET the page (spends nothing), POST its form; the session cookie. */
export async function signInWith(link: string): Promise<{ status: number; cookie?: string; location?: string | null; text: string }> {
  const url = new URL(link)
  const page = await exports.default.fetch(new Request(`${BASE}${url.pathname}${url.search}`))
  expect(page.status).toBe(200)
  await page.text()
  const res = await exports.default.fetch(
    new Request(`${BASE}${url.pathname}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE },
      body: new URLSearchParams({ token: url.searchParams.get('token')! }),
    }),
  )
  const text = await res.text()
  return { status: res.status, cookie: res.headers.get('set-cookie')?.split(';')[0], location: res.headers.get('location'), text }
}

/** A request as a browser of this origin sends it: the cookie (if any), `Origin` on writes, JSON bodies. */
export async function asBrowser(path: string, options: { cookie?: string; method?: string; body?: unknown; origin?: string | null } = {}) {
  const method = options.method ?? 'GET'
  const headers: Record<string, string> = {}
  if (options.cookie) headers.cookie = options.cookie
  if (method !== 'GET' && options.origin !== null) headers.origin = options.origin ?? BASE
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const res = await exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, redirect: 'manual', body: options.body === undefined ? undefined : JSON.stringify(options.body) }))
  const text = await res.text()
  let body: any = text
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    // HTML or JavaScript: keep the text
  }
  return { status: res.status, headers: res.headers, body, cookie: res.headers.get('set-cookie')?.split(';')[0] }
}

/** A tenant created by the operator with an invited owner (Olive); `api` holds its initial admin (service) key. */
export async function tenantWithOwner(prefix = 'p') {
  const slug = `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`
  const res = await request('POST', '/tenants', { key: ADMIN_TOKEN, body: { slug, name: 'People Co', owner: { email: 'Olive@People.dev', name: 'Olive Owner' } } })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return { slug, key: res.body.apiKey as string, api: tenantApi(slug, res.body.apiKey), owner: res.body.tenant.owner as { id: string; email: string } }
}

/** Signs an invited user in by their invitation link: their session cookie. */
export async function signedIn(api: TenantApi, email: string): Promise<string> {
  const session = await signInWith(await linkFrom(api, email, 'invitation'))
  expect(session.status).toBe(303)
  return session.cookie!
}
