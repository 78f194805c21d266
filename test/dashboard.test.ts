/**
 * The dashboard's sessions and headers: a session lives in the tenant object (the cookie holds only
 * a random token), so logging out, revoking the key or reaching the expiry ends it at once; every
 * dashboard answer forbids framing and sniffing and carries a strict, nonce-based CSP.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createTenant, issueKey, sendRaw, type RawResponse } from './helpers'

const ORIGIN = 'http://revline.test'

async function login(slug: string, key: string): Promise<{ cookie: string; csrf: string }> {
  const res = await sendRaw({ method: 'POST', path: `/~${slug}/dashboard/login`, headers: { origin: ORIGIN }, body: new URLSearchParams({ apiKey: key }) })
  const cookie = /rvl_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0]
  if (res.status !== 303 || !cookie) throw new Error(`login → ${res.status} ${res.text}`)
  const page = await crm(slug, cookie)
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1]
  if (page.status !== 200 || !csrf) throw new Error(`CRM page → ${page.status}`)
  return { cookie, csrf }
}

const crm = (slug: string, cookie: string) => sendRaw({ method: 'GET', path: `/~${slug}/dashboard/crm`, headers: { cookie } })

const post = (slug: string, path: string, cookie: string, form: Record<string, string>) =>
  sendRaw({ method: 'POST', path: `/~${slug}/dashboard${path}`, headers: { cookie, origin: ORIGIN }, body: new URLSearchParams(form) })

function expectLoginRedirect(res: RawResponse, slug: string, what: string) {
  expect(res.status, `${what}: ${res.text.slice(0, 200)}`).toBe(303)
  expect(res.headers.get('location'), what).toBe(`/~${slug}/dashboard/login`)
}

const leadCount = async (slug: string, key: string) => (await sendRaw({ method: 'GET', path: `/~${slug}/leads`, headers: { authorization: `Bearer ${key}` } })).json.total as number

describe('Dashboard sessions', () => {
  it('keeps no key material in the cookie: a random token the tenant object knows by its hash', async () => {
    const { slug, key } = await createTenant()
    const { cookie } = await login(slug, key)
    const keyHash = [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)))].map((b) => b.toString(16).padStart(2, '0')).join('')
    const value = decodeURIComponent(cookie.slice('rvl_session='.length))
    expect(value).not.toContain(key)
    expect(value).not.toContain(keyHash)
    const rows = await runInDurableObject(env.TENANT.getByName(slug), (_instance, state) => state.storage.sql.exec<{ token_hash: string; key_id: string }>('SELECT token_hash, key_id FROM dashboard_sessions').toArray())
    expect(rows).toHaveLength(1)
    expect(value).not.toContain(rows[0]!.token_hash)
    // a second sign-in is a second session
    await login(slug, key)
    expect(await runInDurableObject(env.TENANT.getByName(slug), (_i, state) => state.storage.sql.exec('SELECT 1 FROM dashboard_sessions').toArray().length)).toBe(2)
  })

  it('ends the session on logout: the old cookie gets the login redirect, and its forms change nothing', async () => {
    const { slug, key } = await createTenant()
    const { cookie, csrf } = await login(slug, key)
    const other = await login(slug, key)
    const out = await post(slug, '/logout', cookie, { csrf })
    expectLoginRedirect(out, slug, 'logout')
    expect(out.headers.get('set-cookie')).toMatch(/rvl_session=;.*Max-Age=0/i)

    // the browser forgot the cookie; someone who kept a copy gets nothing with it
    expectLoginRedirect(await crm(slug, cookie), slug, 'CRM page after logout')
    const before = await leadCount(slug, key)
    expectLoginRedirect(await post(slug, '/leads', cookie, { csrf, firstName: 'After', lastName: 'Logout', email: 'after@logout.dev' }), slug, 'Add Lead after logout')
    expect(await leadCount(slug, key)).toBe(before)
    // another session of the same key is untouched
    expect((await crm(slug, other.cookie)).status).toBe(200)
  })

  it('refuses a logout without the session’s CSRF token', async () => {
    const { slug, key } = await createTenant()
    const { cookie } = await login(slug, key)
    expect((await post(slug, '/logout', cookie, { csrf: 'f'.repeat(32) })).status).toBe(403)
    expect((await crm(slug, cookie)).status).toBe(200)
  })

  it("ends every session of a revoked key at once, and only that key's", async () => {
    const { slug, key } = await createTenant()
    const member = await issueKey(slug, key, 'member')
    const memberSession = await login(slug, member.key)
    const adminSession = await login(slug, key)
    expect((await crm(slug, memberSession.cookie)).status).toBe(200)
    expect((await member.api.get('/contacts')).status).toBe(200)

    const revoked = await sendRaw({ method: 'DELETE', path: `/~${slug}/keys/${member.id}`, headers: { authorization: `Bearer ${key}` } })
    expect(revoked.status).toBe(200)
    expectLoginRedirect(await crm(slug, memberSession.cookie), slug, "revoked key's session")
    expectLoginRedirect(await post(slug, '/leads', memberSession.cookie, { csrf: memberSession.csrf, firstName: 'Re', lastName: 'Voked', email: 'revoked@dash.dev' }), slug, "revoked key's form")
    expect(await runInDurableObject(env.TENANT.getByName(slug), (_i, state) => state.storage.sql.exec('SELECT 1 FROM dashboard_sessions WHERE key_id = ?', member.id).toArray().length)).toBe(0)
    expect((await crm(slug, adminSession.cookie)).status).toBe(200)
    // and the revoked key cannot sign in again
    expect((await sendRaw({ method: 'POST', path: `/~${slug}/dashboard/login`, headers: { origin: ORIGIN }, body: new URLSearchParams({ apiKey: member.key }) })).status).toBe(401)
  })

  it('refuses an expired session', async () => {
    const { slug, key } = await createTenant()
    const { cookie } = await login(slug, key)
    await runInDurableObject(env.TENANT.getByName(slug), (_i, state) => {
      state.storage.sql.exec('UPDATE dashboard_sessions SET expires_at = ?', new Date(Date.now() - 1000).toISOString())
    })
    expectLoginRedirect(await crm(slug, cookie), slug, 'expired session')
  })

  it("does not take another tenant's session", async () => {
    const a = await createTenant()
    const b = await createTenant()
    const { cookie } = await login(a.slug, a.key)
    expectLoginRedirect(await crm(b.slug, cookie), b.slug, "A's session on B")
  })
})

describe('Dashboard headers', () => {
  function expectSecurityHeaders(res: RawResponse, what: string) {
    expect(res.headers.get('x-frame-options'), what).toBe('DENY')
    expect(res.headers.get('x-content-type-options'), what).toBe('nosniff')
    expect(res.headers.get('referrer-policy'), what).toBe('same-origin')
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp, what).toContain("frame-ancestors 'none'")
    expect(csp, what).toContain("default-src 'self'")
    expect(csp, what).toMatch(/script-src 'nonce-[A-Za-z0-9+/=_-]+'/)
    expect(csp, what).not.toContain('unsafe-inline')
    expect(csp, what).not.toContain('unsafe-eval')
  }

  it('sends them on every dashboard answer: pages, redirects, refusals and unknown paths', async () => {
    const { slug, key } = await createTenant()
    const { cookie } = await login(slug, key)
    const answers: [string, RawResponse][] = [
      ['GET /dashboard', await sendRaw({ method: 'GET', path: `/~${slug}/dashboard` })],
      ['GET /dashboard/login', await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/login` })],
      ['GET /dashboard/crm without a session', await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/crm` })],
      ['GET /dashboard/crm', await crm(slug, cookie)],
      ['POST /dashboard/login with a wrong key', await sendRaw({ method: 'POST', path: `/~${slug}/dashboard/login`, headers: { origin: ORIGIN }, body: new URLSearchParams({ apiKey: 'rvl_wrong' }) })],
      ['POST /dashboard/leads from another origin', await sendRaw({ method: 'POST', path: `/~${slug}/dashboard/leads`, headers: { origin: 'https://evil.example', cookie }, body: new URLSearchParams({ firstName: 'E' }) })],
      ['GET /dashboard/nope', await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/nope`, headers: { cookie } })],
    ]
    for (const [what, res] of answers) expectSecurityHeaders(res, `${what} (${res.status})`)
  })

  it('gives the inline script and style the nonce of their own response, a new one each time', async () => {
    const { slug, key } = await createTenant()
    const { cookie } = await login(slug, key)
    const nonces: string[] = []
    for (let i = 0; i < 2; i++) {
      const page = await crm(slug, cookie)
      const nonce = /'nonce-([^']+)'/.exec(page.headers.get('content-security-policy') ?? '')?.[1]
      expect(nonce).toBeTruthy()
      const tags = page.text.match(/<(script|style)\b[^>]*>/g) ?? []
      expect(tags.length).toBeGreaterThanOrEqual(2)
      for (const tag of tags) expect(tag).toContain(`nonce="${nonce}"`)
      expect(page.text).not.toMatch(/\son[a-z]+="/) // no inline event handlers, which no nonce can allow
      nonces.push(nonce!)
    }
    expect(nonces[0]).not.toBe(nonces[1])
    const loginPage = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/login` })
    const nonce = /'nonce-([^']+)'/.exec(loginPage.headers.get('content-security-policy') ?? '')?.[1]
    for (const tag of loginPage.text.match(/<(script|style)\b[^>]*>/g) ?? []) expect(tag).toContain(`nonce="${nonce}"`)
  })

  it('forbids framing the API docs page too', async () => {
    const docs = await sendRaw({ method: 'GET', path: '/docs' })
    expect(docs.status).toBe(200)
    expect(docs.headers.get('x-frame-options')).toBe('DENY')
    expect(docs.headers.get('x-content-type-options')).toBe('nosniff')
    expect(docs.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
  })
})
