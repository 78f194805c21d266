/**
 * Issue 17, the dashboard follows the live feed: the CRM page names the feed, the log position its
 * reads started from and the events that change it, loads live.js from this origin under its CSP
 * nonce, and marks the parts live.js may swap (figures, charts, the table) apart from the filters
 * and Add Lead. The session cookie opens the feed from that position on the path and on the
 * tenant's own host; a background refresh leaves a form's one-time message for the page it was
 * meant for; signing out ends the feed. The browser side is test/e2e/dashboard-live.e2e.test.ts.
 */
import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { signInAs } from './dashboard-sign-in'
import { createTenant, sendRaw, tenantApi, type RawResponse } from './helpers'

const ORIGIN = 'http://revline.test'
const BASE_HOST = 'revline.localhost'

const crm = (slug: string, cookie: string, headers: Record<string, string> = {}) => sendRaw({ method: 'GET', path: `/~${slug}/dashboard/crm`, headers: { cookie, ...headers } })

/** The live indicator's attributes, as the page renders them. */
function liveStatus(page: RawResponse) {
  const tag = /<span class="live-status"[^>]*>/.exec(page.text)?.[0]
  if (!tag) throw new Error(`no live indicator on the page: ${page.status}`)
  const attr = (name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1]
  return { feed: attr('data-feed'), after: Number(attr('data-after')), types: (attr('data-types') ?? '').split(' '), hidden: /\shidden(?:="")?(?=[\s/>])/.test(tag) }
}

/** Reads an event stream until `until` holds for the text so far (or `ms` pass); then lets it go. */
async function readStream(response: Response, until: (text: string) => boolean, ms = 10_000): Promise<string> {
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  const deadline = Date.now() + ms
  // One read outstanding at a time, raced against a tick so the deadline is checked while the stream idles.
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined
  try {
    while (!until(text) && Date.now() < deadline) {
      pending ??= reader.read()
      const next = await Promise.race([pending, new Promise<'idle'>((resolve) => setTimeout(() => resolve('idle'), 250))])
      if (next === 'idle') continue
      pending = undefined
      if (next.done) break
      text += decoder.decode(next.value, { stream: true })
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
  return text
}

const openFeed = (slug: string, cookie: string, query = '', host?: string) =>
  exports.default.fetch(new Request(`http://${host ?? 'revline.test'}/~${slug}/events/stream${query}`, { headers: { cookie } }))

/** The CRM page's feed filter: the nouns it shows, each as `noun.*`, and the configuration events it re-reads on. */
const CRM_FILTER = 'lead.*,deal.*,contact.*,stage.*,settings.updated,schema.changed,manifest.applied'

describe('The live CRM page', () => {
  it('names its feed, the log position its reads began at and the events that change it; loads live.js under its nonce', async () => {
    const { slug, key } = await createTenant()
    const api = tenantApi(slug, key)
    const { cookie } = await signInAs(slug, key)
    await api.post('/leads', { name: 'Acme evaluation', source: 'referral' })
    const head = (await api.get('/events?limit=500')).body.data.at(-1).seq as number

    const page = await crm(slug, cookie)
    expect(page.status).toBe(200)
    const live = liveStatus(page)
    expect(live.feed).toBe(`/~${slug}/events/stream?type=${CRM_FILTER}`)
    expect(live.after).toBe(head)
    // hidden until the script runs: a page without script shows no indicator that never turns on
    expect(live.hidden).toBe(true)
    expect(live.types).toEqual(expect.arrayContaining(['lead.created', 'lead.updated', 'lead.converted', 'lead.lost', 'contact.captured', 'deal.won', 'deal.advanced', 'stage.created', 'settings.updated']))
    expect(live.types).not.toContain('activity.created')

    const nonce = /'nonce-([^']+)'/.exec(page.headers.get('content-security-policy') ?? '')?.[1]
    expect(page.text).toContain(`<script nonce="${nonce}" src="/~${slug}/dashboard/assets/live.js" defer`)
    // The stream and the page's own address are this origin: default-src 'self' lets EventSource and fetch reach them.
    const csp = page.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'self'")
    expect(csp).not.toMatch(/connect-src/)
    expect(csp).not.toContain('unsafe-inline')

    // What live.js swaps, and what it never touches: the filters and the Add Lead form are outside every part.
    for (const part of ['kpis', 'charts', 'leads']) expect(page.text).toContain(`data-live="${part}"`)
    const parts = [...page.text.matchAll(/data-live="(\w+)"/g)].map((m) => m[1])
    expect(parts).toEqual(['kpis', 'charts', 'leads'])
    const leadsPart = page.text.slice(page.text.indexOf('data-live="leads"'))
    expect(leadsPart.slice(0, leadsPart.indexOf('</section>'))).not.toContain('<form class="filters"')
    expect(page.text.indexOf('<form class="filters"')).toBeLessThan(page.text.indexOf('data-live="leads"'))

    const script = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/assets/live.js` })
    expect(script.status).toBe(200)
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(script.headers.get('x-content-type-options')).toBe('nosniff')
    expect(script.text).toContain('new EventSource(')
    // The other pages do not follow the feed (yet): no indicator, no script.
    const myDay = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/my-day`, headers: { cookie } })
    expect(myDay.text).not.toContain('live.js')
  })

  it('opens the feed with the session cookie from the page’s position: a capture made after the page was read arrives', async () => {
    const { slug, key } = await createTenant()
    const { cookie } = await signInAs(slug, key)
    const { after } = liveStatus(await crm(slug, cookie))
    // A website form posts between the page's render and the script's connection.
    const capture = await sendRaw({ method: 'POST', path: `/~${slug}/capture`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ name: 'Hana Mori', email: 'hana@mori.dev' }) })
    expect(capture.status).toBe(201)
    const stream = await openFeed(slug, cookie, `?after=${after}`)
    expect(stream.status).toBe(200)
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    const text = await readStream(stream, (t) => t.includes('event: lead.created'))
    expect(text).toContain('event: lead.created')
    const frame = text.split('\n\n').find((f) => f.includes('event: lead.created'))!
    const data = JSON.parse(/^data: (.*)$/m.exec(frame)![1]!)
    expect(data).toMatchObject({ type: 'lead.created', entityId: capture.json.lead })
    expect(Number(/^id: (\d+)$/m.exec(frame)![1])).toBeGreaterThan(after)

    // Without the cookie, or with another tenant's, there is no feed.
    expect((await openFeed(slug, '')).status).toBe(401)
    const other = await createTenant()
    const { cookie: otherCookie } = await signInAs(other.slug, other.key)
    expect((await openFeed(slug, otherCookie)).status).toBe(401)
  })

  it('works on the tenant’s own host: the page names the same feed, and the host’s cookie opens it', async () => {
    const { slug, key } = await createTenant()
    const { cookie } = await signInAs(slug, key)
    const host = `${slug}.${BASE_HOST}`
    const page = await sendRaw({ method: 'GET', path: '/dashboard/crm', host, headers: { cookie } })
    expect(page.status).toBe(200)
    const live = liveStatus(page)
    expect(live.feed).toBe(`/~${slug}/events/stream?type=${CRM_FILTER}`)
    const stream = await openFeed(slug, cookie, `?after=${live.after}`, host)
    expect(stream.status).toBe(200)
    await tenantApi(slug, key).post('/leads', { name: 'Host lead', source: 'website' })
    expect(await readStream(stream, (t) => t.includes('event: lead.created'))).toContain('event: lead.created')
  })

  it('leaves a form’s one-time message for the page it was meant for when live.js reads the page in the background', async () => {
    const { slug, key } = await createTenant()
    const { cookie, csrf } = await signInAs(slug, key)
    const added = await sendRaw({
      method: 'POST',
      path: `/~${slug}/dashboard/leads`,
      headers: { cookie, origin: ORIGIN },
      body: new URLSearchParams({ csrf, firstName: 'Jane', lastName: 'Smith', email: 'jane@example.com', source: 'referral' }),
    })
    expect(added.status).toBe(303)
    const flash = added.headers.getSetCookie().find((c) => c.startsWith('rvl_flash='))!.split(';')[0]!
    const background = await crm(slug, `${cookie}; ${flash}`, { 'x-revline-live': 'refresh' })
    expect(background.status).toBe(200)
    expect(background.text).toContain('Jane Smith')
    expect(background.text).not.toContain('role="status"')
    expect(background.headers.getSetCookie().some((c) => c.startsWith('rvl_flash='))).toBe(false)
    const shown = await crm(slug, `${cookie}; ${flash}`)
    expect(shown.text).toMatch(/<p class="notice notice-ok" role="status">Lead added: /)
  })

  it('ends the page’s feed when the user signs out', async () => {
    const { slug, key } = await createTenant()
    const session = await signInAs(slug, key)
    const stream = await openFeed(slug, session.cookie)
    expect(stream.status).toBe(200)
    const reading = readStream(stream, (t) => t.includes(': closed:'))
    // Let the stream open before signing out.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const out = await sendRaw({ method: 'POST', path: `/~${slug}/dashboard/logout`, headers: { cookie: session.cookie, origin: ORIGIN }, body: new URLSearchParams({ csrf: session.csrf }) })
    expect(out.status).toBe(303)
    expect(await reading).toContain(': closed: signed out')
    expect((await openFeed(slug, session.cookie)).status).toBe(401)
  })
})

