/**
 * The dashboard's sign-in and sessions: an email form asks for a link (the same answer for every
 * address), following it opens the user's session (the cookie holds only a random token the tenant
 * object knows by its hash), and signing out, deactivating the user or reaching the expiry ends it
 * at once. Every dashboard answer forbids framing and sniffing and carries a strict, nonce-based
 * CSP. Then its pages: confirmations after a form post, addresses that do not fit, empty states, a
 * lead's page and a proposal's document read with the session. The workspace pages (My day, the
 * board, record pages, settings) are test/dashboard-workspace.test.ts.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createTenant, sendRaw, tenantApi, type RawResponse } from './helpers'
import { signInAs } from './dashboard-sign-in'

const ORIGIN = 'http://revline.test'

const login = (slug: string, key: string) => signInAs(slug, key)

const crm = (slug: string, cookie: string) => sendRaw({ method: 'GET', path: `/~${slug}/dashboard/crm`, headers: { cookie } })

const post = (slug: string, path: string, cookie: string, form: Record<string, string>) =>
  sendRaw({ method: 'POST', path: `/~${slug}/dashboard${path}`, headers: { cookie, origin: ORIGIN }, body: new URLSearchParams(form) })

function expectLoginRedirect(res: RawResponse, slug: string, what: string) {
  expect(res.status, `${what}: ${res.text.slice(0, 200)}`).toBe(303)
  expect(res.headers.get('location'), what).toBe(`/~${slug}/dashboard/login`)
}

const leadCount = async (slug: string, key: string) => (await sendRaw({ method: 'GET', path: `/~${slug}/leads`, headers: { authorization: `Bearer ${key}` } })).json.total as number
const sessionRows = (slug: string, where = '1 = 1', ...args: string[]) =>
  runInDurableObject(env.TENANT.getByName(slug), (_i, state) => state.storage.sql.exec<{ token_hash: string; user_id: string }>(`SELECT token_hash, user_id FROM sessions WHERE ${where}`, ...args).toArray())

/** Asks the sign-in page for a link: the redirect and the page it leads to, with its flash. */
async function askForLink(slug: string, email: string, headers: Record<string, string> = { origin: ORIGIN }) {
  const res = await sendRaw({ method: 'POST', path: `/~${slug}/dashboard/login`, headers, body: new URLSearchParams({ email }) })
  if (res.status !== 303) return { res, page: undefined }
  return { res, page: await follow(slug, '', res) }
}

describe('Dashboard sign-in', () => {
  it('has no API key field: the page asks for an email, with a place for the passkey button', async () => {
    const { slug } = await createTenant()
    const page = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/login` })
    expect(page.status).toBe(200)
    expect(page.text).toContain('<input name="email" type="email"')
    expect(page.text).toContain('Email me a sign-in link')
    expect(page.text).not.toMatch(/api ?key/i)
    // the old key form signs nobody in any more
    const { key } = await createTenant()
    const old = await sendRaw({ method: 'POST', path: `/~${slug}/dashboard/login`, headers: { origin: ORIGIN }, body: new URLSearchParams({ apiKey: key }) })
    expect(old.headers.get('set-cookie') ?? '').not.toContain('rvl_session=')
  })

  it('gives the same answer for a user and an unknown address, and mails a link only to the user', async () => {
    const { slug, key } = await createTenant()
    const api = tenantApi(slug, key)
    await api.post('/users', { email: 'ines@team.test', name: 'Ines', role: 'member' })
    const known = await askForLink(slug, 'Ines@Team.test')
    const unknown = await askForLink(slug, 'nobody@team.test')
    expect(known.res.headers.get('location')).toBe(`/~${slug}/dashboard/login`)
    expect(unknown.res.headers.get('location')).toBe(`/~${slug}/dashboard/login`)
    const said = (html = '') => decode(statusMessage(html))
    expect(said(known.page!.text)).toBe('Check your email. If this address belongs to a user of this team, a sign-in link is on its way. It works once, within 15 minutes.')
    expect(said(unknown.page!.text)).toBe(said(known.page!.text))
    const messages = (await api.get('/messages?kind=sign-in')).body.data
    expect(messages.map((m: { to: string }) => m.to)).toEqual(['ines@team.test'])
    expect(messages[0].body).toContain(`/~${slug}/auth/link?token=`)
  })

  it('refuses a sign-in request from another origin, and says what is wrong with a malformed address', async () => {
    const { slug, key } = await createTenant()
    const api = tenantApi(slug, key)
    await api.post('/users', { email: 'ines@team.test', name: 'Ines' })
    const forged = await sendRaw({ method: 'POST', path: `/~${slug}/dashboard/login`, headers: { origin: 'https://evil.example' }, body: new URLSearchParams({ email: 'ines@team.test' }) })
    expect(forged.status).toBe(403)
    expect((await api.get('/messages?kind=sign-in')).body.data).toHaveLength(0)
    const bad = await askForLink(slug, 'not an address')
    expect(decode(alertMessage(bad.page!.text))).toBe('Enter the email address you were invited with.')
  })

  it('signs the operator-made owner in from the invitation, onto My day, naming them in the header', async () => {
    const slug = `own-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`
    const made = await sendRaw({ method: 'POST', path: '/tenants', headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' }, body: JSON.stringify({ slug, name: 'Own Co', owner: { email: 'olive@own.test', name: 'Olive Owner' } }) })
    expect(made.status).toBe(201)
    const { followLink, linkFor } = await import('./dashboard-sign-in')
    const cookie = await followLink(await linkFor(slug, made.json.apiKey, 'olive@own.test'))
    const home = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard`, headers: { cookie } })
    expect(home.headers.get('location')).toBe(`/~${slug}/dashboard/my-day`)
    const page = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/my-day`, headers: { cookie } })
    expect(page.status).toBe(200)
    expect(page.text).toMatch(/Signed in as <a href="\/~[\w-]+\/dashboard\/account"[^>]*><strong>Olive Owner<\/strong><\/a> <span class="role">owner<\/span>/)
    expect(page.text).toContain(`href="/~${slug}/dashboard/settings"`)
  })
})

describe('Dashboard sessions', () => {
  it('keeps no secret in the cookie: a random token the tenant object knows by its hash, in the user sessions', async () => {
    const { slug, key } = await createTenant()
    const { cookie, user } = await login(slug, key)
    const value = decodeURIComponent(cookie.slice('rvl_session='.length))
    const rows = await sessionRows(slug)
    expect(rows).toEqual([{ token_hash: expect.any(String), user_id: user }])
    expect(value).not.toContain(rows[0]!.token_hash)
    expect(value).not.toContain(key)
    // a second sign-in is a second session; the API-key sessions of before are gone with their table
    await login(slug, key)
    expect(await sessionRows(slug)).toHaveLength(2)
    expect(await runInDurableObject(env.TENANT.getByName(slug), (_i, state) => state.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'dashboard_sessions'").toArray().length)).toBe(0)
  })

  it('ends the session on sign-out: the old cookie gets the sign-in redirect, and its forms change nothing', async () => {
    const { slug, key } = await createTenant()
    const { cookie, csrf } = await login(slug, key)
    const other = await login(slug, key)
    const out = await post(slug, '/logout', cookie, { csrf })
    expectLoginRedirect(out, slug, 'logout')
    expect(out.headers.get('set-cookie')).toMatch(/rvl_session=;.*Max-Age=0/i)
    expect(decode(statusMessage((await follow(slug, '', out)).text))).toBe('You are signed out.')

    // the browser forgot the cookie; someone who kept a copy gets nothing with it
    expectLoginRedirect(await crm(slug, cookie), slug, 'CRM page after logout')
    const before = await leadCount(slug, key)
    expectLoginRedirect(await post(slug, '/leads', cookie, { csrf, firstName: 'After', lastName: 'Logout', email: 'after@logout.dev' }), slug, 'Add Lead after logout')
    expect(await leadCount(slug, key)).toBe(before)
    // another session is untouched
    expect((await crm(slug, other.cookie)).status).toBe(200)
  })

  it('refuses a sign-out without the session’s CSRF token', async () => {
    const { slug, key } = await createTenant()
    const { cookie } = await login(slug, key)
    expect((await post(slug, '/logout', cookie, { csrf: 'f'.repeat(32) })).status).toBe(403)
    expect((await crm(slug, cookie)).status).toBe(200)
  })

  it("ends every session of a deactivated user at once, and only that user's", async () => {
    const { slug, key } = await createTenant()
    const member = await signInAs(slug, key, { role: 'member' })
    const admin = await login(slug, key)
    expect((await crm(slug, member.cookie)).status).toBe(200)

    expect((await tenantApi(slug, key).post(`/users/${member.user}/deactivate`)).status).toBe(200)
    expectLoginRedirect(await crm(slug, member.cookie), slug, "deactivated user's session")
    expectLoginRedirect(await post(slug, '/leads', member.cookie, { csrf: member.csrf, firstName: 'De', lastName: 'Activated', email: 'gone@dash.dev' }), slug, "deactivated user's form")
    expect(await sessionRows(slug, 'user_id = ?', member.user)).toHaveLength(0)
    expect((await crm(slug, admin.cookie)).status).toBe(200)
  })

  it('refuses an expired session', async () => {
    const { slug, key } = await createTenant()
    const { cookie } = await login(slug, key)
    await runInDurableObject(env.TENANT.getByName(slug), (_i, state) => {
      state.storage.sql.exec('UPDATE sessions SET expires_at = ?', new Date(Date.now() - 1000).toISOString())
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
      ['POST /dashboard/login', await sendRaw({ method: 'POST', path: `/~${slug}/dashboard/login`, headers: { origin: ORIGIN }, body: new URLSearchParams({ email: 'who@dash.dev' }) })],
      ['POST /dashboard/login from another origin', await sendRaw({ method: 'POST', path: `/~${slug}/dashboard/login`, headers: { origin: 'https://evil.example' }, body: new URLSearchParams({ email: 'who@dash.dev' }) })],
      ['GET /dashboard/my-day', await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/my-day`, headers: { cookie } })],
      ['GET /dashboard/board', await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/board`, headers: { cookie } })],
      ['GET /dashboard/settings/users', await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/settings/users`, headers: { cookie } })],
      ['POST /dashboard/leads from another origin', await sendRaw({ method: 'POST', path: `/~${slug}/dashboard/leads`, headers: { origin: 'https://evil.example', cookie }, body: new URLSearchParams({ firstName: 'E' }) })],
      ['GET /dashboard/nope', await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/nope`, headers: { cookie } })],
    ]
    for (const [what, res] of answers) expectSecurityHeaders(res, `${what} (${res.status})`)
  })

  it('renders every page in standards mode: HTML that starts with a doctype', async () => {
    const { slug, key } = await createTenant()
    const { cookie } = await login(slug, key)
    const pages: [string, RawResponse][] = [['login', await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/login` })], ['crm', await crm(slug, cookie)]]
    for (const path of ['my-day', 'board', 'settings/users', 'settings/keys', 'settings/stages']) pages.push([path, await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/${path}`, headers: { cookie } })])
    for (const [what, res] of pages) expect(res.text.slice(0, 15).toLowerCase(), what).toBe('<!doctype html>')
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

/** The flash cookie a redirect set (name=value), to send with the page it leads to, as a browser would. */
function flashCookie(res: RawResponse): string {
  const set = res.headers.getSetCookie().find((c) => c.startsWith('rvl_flash='))
  if (!set) throw new Error(`no flash cookie on ${res.status} ${res.headers.get('location')}`)
  return set.split(';')[0]!
}

/** Follows a dashboard redirect with the session and the flash it set: the page the browser would show. */
async function follow(slug: string, session: string, res: RawResponse) {
  expect(res.status, res.text.slice(0, 200)).toBe(303)
  const location = res.headers.get('location')!
  expect(location.startsWith(`/~${slug}/dashboard/`), location).toBe(true)
  return sendRaw({ method: 'GET', path: location, headers: { cookie: session ? `${session}; ${flashCookie(res)}` : flashCookie(res) } })
}

const statusMessage = (html: string) => /<p class="notice notice-ok" role="status">([^<]*)<\/p>/.exec(html)?.[1]
const alertMessage = (html: string) => /<p class="notice" role="alert">([^<]*)<\/p>/.exec(html)?.[1]
const decode = (html = '') => html.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>')

describe('Dashboard confirmations', () => {
  it('confirms Add Lead on the page it redirects to, once (a reload does not repeat it)', async () => {
    const { slug, key } = await createTenant()
    const { cookie, csrf } = await login(slug, key)
    const added = await post(slug, '/leads', cookie, { csrf, firstName: 'Jane', lastName: 'Smith', email: 'jane@dash.dev', source: 'referral', note: 'Met at the meetup.\nWants a demo.' })
    expect(added.headers.get('location')).toBe(`/~${slug}/dashboard/crm`)
    const page = await follow(slug, cookie, added)
    expect(page.status).toBe(200)
    expect(decode(statusMessage(page.text))).toBe('Lead added: “Jane Smith (referral)”.')
    // the flash is dropped as it is shown; the address carries nothing
    expect(page.headers.getSetCookie().some((c) => /^rvl_flash=;.*Max-Age=0/i.test(c))).toBe(true)
    expect(statusMessage((await crm(slug, cookie)).text)).toBeUndefined()
    // what was typed, the note included, is on the lead's timeline
    const [lead] = (await sendRaw({ method: 'GET', path: `/~${slug}/leads`, headers: { authorization: `Bearer ${key}` } })).json.data
    const notes = (await sendRaw({ method: 'GET', path: `/~${slug}/activities?lead=${lead.$id}`, headers: { authorization: `Bearer ${key}` } })).json.data
    expect(notes.map((n: { body: string }) => n.body)).toEqual(['firstName: Jane\nlastName: Smith\nemail: jane@dash.dev\nsource: referral\nnote:\n  Met at the meetup.\n  Wants a demo.'])
  })

  it('adds a second Add Lead for the same email to the open lead and says so, keeping the other name in the note', async () => {
    const { slug, key } = await createTenant()
    const { cookie, csrf } = await login(slug, key)
    await post(slug, '/leads', cookie, { csrf, firstName: 'Jane', lastName: 'Smith', email: 'jane@dash.dev', source: 'website' })
    const again = await post(slug, '/leads', cookie, { csrf, firstName: 'Janet', lastName: 'Smithers', email: 'JANE@dash.dev', source: 'event' })
    const page = await follow(slug, cookie, again)
    expect(decode(statusMessage(page.text))).toBe(
      'Jane Smith already has an open lead, “Jane Smith (website)”: what you entered was added to its timeline instead of opening a second lead. The contact is on file as “Jane Smith”; the name you entered, “Janet Smithers”, is kept in the lead’s note.',
    )
    expect(await leadCount(slug, key)).toBe(1)
    const [lead] = (await sendRaw({ method: 'GET', path: `/~${slug}/leads`, headers: { authorization: `Bearer ${key}` } })).json.data
    const notes = (await sendRaw({ method: 'GET', path: `/~${slug}/activities?lead=${lead.$id}&sort=$createdAt`, headers: { authorization: `Bearer ${key}` } })).json.data
    expect(notes[1].body).toBe('firstName: Janet\nlastName: Smithers\nemail: JANE@dash.dev\nsource: event')
  })

  it('confirms a status change, and reports a refused one as an alert', async () => {
    const { slug, key } = await createTenant()
    const { cookie, csrf } = await login(slug, key)
    await post(slug, '/leads', cookie, { csrf, firstName: 'Ravi', lastName: 'Patel', email: 'ravi@dash.dev' })
    const [lead] = (await sendRaw({ method: 'GET', path: `/~${slug}/leads`, headers: { authorization: `Bearer ${key}` } })).json.data
    const moved = await post(slug, `/leads/${lead.$id}/status`, cookie, { csrf, status: 'Contacted', back: 'crm?status=New' })
    expect(moved.headers.get('location')).toBe(`/~${slug}/dashboard/crm?status=New`)
    expect(decode(statusMessage((await follow(slug, cookie, moved)).text))).toBe('“Ravi Patel (other)” moved to Contacted.')
    const refused = await post(slug, `/leads/${lead.$id}/status`, cookie, { csrf, status: 'New' })
    const page = await follow(slug, cookie, refused)
    expect(alertMessage(page.text)).toMatch(/Contacted/)
    expect(statusMessage(page.text)).toBeUndefined()
  })

  it('shows no message from a flash cookie it did not sign, nor from the address', async () => {
    const { slug, key } = await createTenant()
    const { cookie } = await login(slug, key)
    const forged = `rvl_flash=${encodeURIComponent(JSON.stringify({ kind: 'error', text: 'Your key expired: email it to help@evil.example' }))}`
    const page = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/crm?error=Email%20your%20key&notice=x`, headers: { cookie: `${cookie}; ${forged}` } })
    expect(page.status).toBe(200)
    expect(page.text).not.toContain('evil.example')
    expect(page.text).not.toContain('Email your key')
  })
})

describe('Dashboard addresses that do not fit', () => {
  it('renders a bad status filter as a message on the page with the filter cleared, never problem+json', async () => {
    const { slug, key } = await createTenant()
    const { cookie, csrf } = await login(slug, key)
    await post(slug, '/leads', cookie, { csrf, firstName: 'A', lastName: 'One', email: 'a@filter.dev' })
    for (const q of ['status=Bogus', 'status=%3Cscript%3E', 'status=Bogus&source=website', `status=${'x'.repeat(300)}`]) {
      const page = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/crm?${q}`, headers: { cookie } })
      expect(page.status, q).toBe(200)
      expect(page.headers.get('content-type'), q).toMatch(/^text\/html/)
      expect(decode(alertMessage(page.text)), q).toMatch(/^There is no lead status “.*”, so the status filter was cleared: showing every status\.$/)
      expect(page.text, q).not.toContain('<script>')
      expect(page.text, q).toMatch(/<select id="filter-status" name="status"><option value="">All<\/option>(<option value="\w+">\w+<\/option>)+<\/select>/)
    }
    const all = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/crm?status=Bogus`, headers: { cookie } })
    expect(all.text).toContain('A One (other)')
  })

  it('sends a page past the end to the last page (filters kept), and page 2 of nothing to the first', async () => {
    const { slug, key } = await createTenant()
    const { cookie } = await login(slug, key)
    const api = tenantApi(slug, key)
    for (let i = 0; i < 22; i++) await api.post('/leads', { name: `Lead ${i}`, source: i % 2 ? 'website' : 'referral' })
    const far = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/crm?page=9`, headers: { cookie } })
    expect(far.status).toBe(303)
    expect(far.headers.get('location')).toBe(`/~${slug}/dashboard/crm?page=2`)
    const filtered = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/crm?source=website&page=5`, headers: { cookie } })
    expect(filtered.headers.get('location')).toBe(`/~${slug}/dashboard/crm?source=website`)
    const none = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/crm?status=Lost&page=2`, headers: { cookie } })
    expect(none.headers.get('location')).toBe(`/~${slug}/dashboard/crm?status=Lost`)
    expect((await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/crm?page=2`, headers: { cookie } })).status).toBe(200)
  })
})

describe('Dashboard empty states', () => {
  it('tells a new tenant how leads arrive: Add Lead, or the website form posting to the capture URL', async () => {
    const { slug, key } = await createTenant()
    const { cookie } = await login(slug, key)
    const page = await crm(slug, cookie)
    expect(page.text).toContain('data-empty="no-leads"')
    expect(page.text).toContain(`<code>http://revline.test/~${slug}/capture</code>`)
    expect(page.text).toContain('No leads yet: each source appears here')
    expect(page.text).not.toContain('<table class="leads"')
  })

  it('says when no lead matches the filters, and offers to clear them', async () => {
    const { slug, key } = await createTenant()
    const { cookie, csrf } = await login(slug, key)
    await post(slug, '/leads', cookie, { csrf, firstName: 'A', lastName: 'One', email: 'a@empty.dev' })
    const page = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/crm?status=Lost&source=website`, headers: { cookie } })
    expect(page.status).toBe(200)
    expect(page.text).toContain('data-empty="no-match"')
    expect(page.text).toContain('No leads with status Lost and source website. <a href="crm">Clear the filters</a>')
    expect(page.text).not.toContain('data-empty="no-leads"')
  })
})

describe('Dashboard lead page and proposal documents', () => {
  it('shows a lead with its timeline, each form submission in full; an unknown lead goes back with a message', async () => {
    const { slug, key } = await createTenant()
    const { cookie } = await login(slug, key)
    const captured = await sendRaw({ method: 'POST', path: `/~${slug}/capture`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ name: 'Ana Lima', email: 'ana@lead.dev', message: 'Call me <after> 5' }).toString() })
    expect(captured.status).toBe(201)
    const page = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/leads/${captured.json.lead}`, headers: { cookie } })
    expect(page.status).toBe(200)
    expect(page.text).toContain('<h1>Ana Lima (website)</h1>')
    expect(page.text).toContain('<pre class="note">name: Ana Lima\nemail: ana@lead.dev\nmessage: Call me &lt;after&gt; 5</pre>')
    expect((await crm(slug, cookie)).text).toContain(`<a href="leads/${captured.json.lead}">Ana Lima (website)</a>`)
    const missing = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/leads/lead_000000000`, headers: { cookie } })
    expect(alertMessage((await follow(slug, cookie, missing)).text)).toBe('That lead does not exist (any more).')
    expectLoginRedirect(await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/leads/${captured.json.lead}` }), slug, 'lead page without a session')
  })

  it('opens a proposal document with the dashboard session, under the dashboard headers, linked from its lead', async () => {
    const { slug, key } = await createTenant()
    const { cookie } = await login(slug, key)
    const api = tenantApi(slug, key)
    const contact = (await api.post('/contacts', { name: 'Pat Doc', email: 'pat@doc.dev' })).body
    const lead = (await api.post('/leads', { name: 'Doc lead', source: 'website', contact: contact.$id, budget: 30000 })).body
    const converted = (await api.post(`/leads/${lead.$id}/convert`)).body
    const proposal = (await api.post('/proposals', { deal: converted.deal, tier: 'warrior', title: 'Warrior plan for Pat' })).body
    expect(proposal.$id).toMatch(/^proposal_/)

    const leadPage = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/leads/${lead.$id}`, headers: { cookie } })
    expect(leadPage.text).toContain(`<a href="../proposals/${proposal.$id}">Warrior plan for Pat</a>`)
    const doc = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/proposals/${proposal.$id}`, headers: { cookie } })
    expect(doc.status).toBe(200)
    expect(doc.text).toContain('<h1>Warrior plan for Pat</h1>')
    expect(doc.text).toContain('Pat Doc')
    const nonce = /'nonce-([^']+)'/.exec(doc.headers.get('content-security-policy') ?? '')?.[1]
    expect(nonce).toBeTruthy()
    expect(doc.text).toContain(`<style nonce="${nonce}">`)
    expect(doc.headers.get('x-frame-options')).toBe('DENY')
    // without the session: the login page, as for every dashboard page; the API's route still takes a key
    expectLoginRedirect(await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/proposals/${proposal.$id}` }), slug, 'document without a session')
    expect((await sendRaw({ method: 'GET', path: `/~${slug}/proposals/${proposal.$id}/document`, headers: { cookie } })).status).toBe(401)
    expect((await sendRaw({ method: 'GET', path: `/~${slug}/proposals/${proposal.$id}/document`, headers: { authorization: `Bearer ${key}` } })).status).toBe(200)
    const missing = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/proposals/proposal_000000000`, headers: { cookie } })
    expect(alertMessage((await follow(slug, cookie, missing)).text)).toBe('That proposal does not exist (any more).')
  })
})
