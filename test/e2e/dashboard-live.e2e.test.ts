/**
 * Issue 17 in a real browser (Debian's Chromium through playwright-core) against `wrangler dev`: the
 * CRM page follows the live feed. A lead a website form captures (posted from outside the browser)
 * appears in the lead table and moves the figures without a reload or a navigation; a burst of
 * captures is one or two refreshes; what the user is doing stays as it was (an unsent filter choice,
 * a status list they are in, where they scrolled to); a capture while the connection is down
 * arrives when it is back; a tab hidden for a while lets its stream go and catches up when shown;
 * signing out in another tab stops it; the tenant's own host works the same; a browser without
 * script gets the same page, and no indicator. Screenshots go to test-artifacts/dashboard-live*.png.
 */
import { mkdirSync } from 'node:fs'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { chromium, type Browser, type BrowserContext, type Cookie, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, freePort, startDevServer, type DevServer } from './dev-server'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const SLUG = 'live'
const OWNER = { email: 'lena@live.test', name: 'Lena Live' }
let server: DevServer
let browser: Browser
let apiKey: string
let session: Cookie

beforeAll(async () => {
  server = await startDevServer()
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // The tenant's own host (live.revline.localhost) is this machine, whatever the resolver says.
      '--host-resolver-rules=MAP *.revline.localhost 127.0.0.1',
    ],
  })
  const res = await fetch(`${server.baseUrl}/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ slug: SLUG, name: 'Live Co', owner: OWNER }),
  })
  expect(res.status).toBe(201)
  apiKey = ((await res.json()) as { apiKey: string }).apiKey
  // Enough leads that a phone can scroll the table's second row to the top of its screen.
  for (const name of ['Acme', 'Globex', 'Umbrella', 'Initech', 'Hooli', 'Soylent', 'Wonka', 'Tyrell', 'Cyberdyne', 'Vandelay']) await api('POST', '/leads', { name: `${name} evaluation`, source: 'referral' })
  await api('POST', '/deals', { name: 'Initech rollout', value: 15000, stage: 'Proposal' })
  // Sign in once, by the owner's invitation link, in a browser; later contexts reuse the cookie.
  const context = await browser.newContext()
  const page = await context.newPage()
  const invitation = (await (await api('GET', `/messages?kind=invitation&to=${encodeURIComponent(OWNER.email)}`)).json()) as { data: { body: string }[] }
  const link = /(https?:\/\/\S+\/auth\/link\?token=[A-Za-z0-9_-]{43})/.exec(invitation.data[0]!.body)![1]!
  await page.goto(link)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.waitForURL(/\/dashboard\/my-day/)
  session = (await context.cookies()).find((c) => c.name === 'rvl_session')!
  await context.close()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

function api(method: string, path: string, body?: unknown) {
  return fetch(`${server.baseUrl}/~${SLUG}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
}

let visitor = 0
/** The tenant's public website form, posted from outside the browser as a visitor's browser would (its own IP each). */
async function capture(name: string): Promise<string> {
  visitor += 1
  const res = await fetch(`${server.baseUrl}/~${SLUG}/capture`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'cf-connecting-ip': `198.51.100.${visitor}` },
    body: new URLSearchParams({ name, email: `${name.split(' ')[0]!.toLowerCase()}.${visitor}@visitor.test`, message: 'Saw your pricing page.' }),
  })
  expect(res.status).toBe(201)
  return ((await res.json()) as { lead: string }).lead
}

interface Watched {
  page: Page
  violations: string[]
  /** Background reads of the page (live.js's refreshes). */
  refreshes: () => number
  /** Top-level navigations after the first load. */
  navigations: () => number
}

/** A signed-in page at the CRM page, watched for CSP violations, refreshes and navigations; live once its indicator says so. */
async function openCrm(context: BrowserContext, base = `${server.baseUrl}/~${SLUG}`, options: { live?: boolean; prepare?: (page: Page) => Promise<void> } = {}): Promise<Watched> {
  const page = await context.newPage()
  await options.prepare?.(page)
  const violations: string[] = []
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text())
  })
  let refreshes = 0
  page.on('request', (request) => {
    if (request.headers()['x-revline-live'] === 'refresh') refreshes += 1
  })
  let navigations = -1
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations += 1
  })
  await page.goto(`${base}/dashboard/crm`)
  await page.waitForURL(/\/dashboard\/crm/)
  if (options.live !== false) await expect.poll(() => indicator(page)).toBe('Live')
  // Set before anything changes: a reload or a navigation would lose it.
  await page.evaluate('window.__marker = "still here"')
  return { page, violations, refreshes: () => refreshes, navigations: () => navigations }
}

const indicator = (page: Page) => page.locator('[data-live-status]').textContent()
const kpi = async (page: Page, name: string) => (await page.locator(`[data-kpi="${name}"] .value`).textContent())?.trim()
const marker = (page: Page) => page.evaluate<string | undefined>('window.__marker')
const row = (page: Page, lead: string) => page.locator(`table.leads tbody tr[data-lead="${lead}"]`)

async function signedInContext(options: Parameters<Browser['newContext']>[0] = {}, domain?: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, ...options })
  // On the tenant's own host the cookie is the host's (path /), as signing in there sets it.
  await context.addCookies([domain ? { ...session, domain, path: '/' } : session])
  return context
}

describe('the live CRM page', () => {
  it('shows a lead a website form captures, in the table and the figures, without a reload', async () => {
    const context = await signedInContext()
    const { page, violations, refreshes, navigations } = await openCrm(context)
    const total = Number(await kpi(page, 'total'))
    const active = Number(await kpi(page, 'active'))
    const rows = await page.locator('table.leads tbody tr').count()
    // The indicator sits beside the heading: a green dot and "Live".
    expect(await page.locator('[data-live-status]').getAttribute('data-state')).toBe('live')

    const lead = await capture('Hana Mori')
    await expect.poll(() => row(page, lead).count(), { timeout: 10_000 }).toBe(1)
    expect(await row(page, lead).locator('td.lead-name').textContent()).toBe('Hana Mori (website)')
    expect(await row(page, lead).locator('td.lead-source').textContent()).toBe('website')
    // Newest first: the captured lead heads the table.
    expect(await page.locator('table.leads tbody tr').first().getAttribute('data-lead')).toBe(lead)
    await expect.poll(() => kpi(page, 'total')).toBe(String(total + 1))
    expect(await kpi(page, 'active')).toBe(String(active + 1))
    expect(await page.locator('table.leads tbody tr').count()).toBe(rows + 1)
    expect(await page.locator('.pager').textContent()).toContain(`${total + 1} leads`)
    // The source chart grew a bar for the website.
    expect(await page.locator('[data-live="charts"]').textContent()).toContain('website')

    // The same document: no navigation, the marker set before survives, the address is the same.
    expect(await marker(page)).toBe('still here')
    expect(navigations()).toBe(0)
    expect(page.url()).toBe(`${server.baseUrl}/~${SLUG}/dashboard/crm`)
    expect(refreshes()).toBeGreaterThanOrEqual(1)
    mkdirSync('test-artifacts', { recursive: true })
    await page.screenshot({ path: 'test-artifacts/dashboard-live.png', fullPage: true })
    // Rows swapped in work as the page's own: picking a status submits it.
    await row(page, lead).locator('select[name=status]').selectOption('Contacted')
    await page.waitForLoadState('load')
    await expect.poll(() => page.getByRole('status').textContent()).toBe('“Hana Mori (website)” moved to Contacted.')
    await expect.poll(() => indicator(page)).toBe('Live')
    expect(violations).toEqual([])
    await context.close()
  }, 90_000)

  it('refreshes once or twice for a burst of captures, and keeps what the user is doing', async () => {
    const context = await signedInContext({ viewport: { width: 390, height: 844 } })
    const { page, violations, refreshes } = await openCrm(context)
    const total = Number(await kpi(page, 'total'))

    // An unsent filter choice (outside the swapped parts) stays as the user left it.
    await page.getByLabel('Status', { exact: true }).selectOption('Lost')
    // Scrolled down to the table: the row at the top of the screen stays where it is as rows arrive above it.
    const first = page.locator('table.leads tbody tr').nth(1)
    await first.evaluate((el) => el.scrollIntoView())
    const anchorId = (await first.getAttribute('data-lead'))!
    const before = (await row(page, anchorId).boundingBox())!.y
    expect(before).toBeLessThan(5)

    const burst = await Promise.all(['Ivo One', 'Ivo Two', 'Ivo Three', 'Ivo Four', 'Ivo Five'].map(capture))
    await expect.poll(() => kpi(page, 'total'), { timeout: 10_000 }).toBe(String(total + 5))
    for (const lead of burst) await expect.poll(() => row(page, lead).count()).toBe(1)
    // Five captures, each several events (contact, lead, score…): one refresh, two when one was under way.
    expect(refreshes()).toBeLessThanOrEqual(2)
    expect(await page.getByLabel('Status', { exact: true }).inputValue()).toBe('Lost')
    expect(Math.abs((await row(page, anchorId).boundingBox())!.y - before)).toBeLessThanOrEqual(2)
    expect(await marker(page)).toBe('still here')

    // A status list the user is in is not swapped out from under them: the table waits until they leave it.
    await page.evaluate('window.scrollTo(0, 0)')
    const focused = page.locator('table.leads tbody tr').first().locator('select[name=status]')
    await focused.focus()
    const waiting = await capture('Mia Waits')
    await expect.poll(() => kpi(page, 'total'), { timeout: 10_000 }).toBe(String(total + 6))
    expect(await row(page, waiting).count()).toBe(0)
    expect(await page.evaluate<string>('document.activeElement.name')).toBe('status')
    await page.getByRole('heading', { name: 'Leads', level: 1 }).click()
    await expect.poll(() => row(page, waiting).count(), { timeout: 10_000 }).toBe(1)
    await page.screenshot({ path: 'test-artifacts/dashboard-live-phone.png', fullPage: true })
    expect(violations).toEqual([])
    await context.close()
  }, 90_000)

  it('says it is reconnecting when the connection drops, and shows what was captured meanwhile once it is back', async () => {
    // The browser reaches the server through a relay the test can cut, as a network drop would.
    const relay = await startRelay(new URL(server.baseUrl))
    try {
      const context = await signedInContext()
      const { page, navigations, violations } = await openCrm(context, `${relay.baseUrl}/~${SLUG}`)
      const total = Number(await kpi(page, 'total'))
      await relay.cut()
      await expect.poll(() => indicator(page), { timeout: 15_000 }).toBe('Reconnecting…')
      expect(await page.locator('[data-live-status]').getAttribute('data-state')).toBe('reconnecting')
      await page.locator('.page-head').screenshot({ path: 'test-artifacts/dashboard-live-reconnecting.png' })
      const lead = await capture('Otto Offline')
      await relay.restore()
      await expect.poll(() => indicator(page), { timeout: 40_000 }).toBe('Live')
      await expect.poll(() => row(page, lead).count(), { timeout: 10_000 }).toBe(1)
      expect(await kpi(page, 'total')).toBe(String(total + 1))
      expect(await marker(page)).toBe('still here')
      expect(navigations()).toBe(0)
      expect(violations).toEqual([])
      await context.close()
    } finally {
      await relay.cut()
    }
  }, 90_000)

  it('lets the stream go while the tab is hidden, and catches up when it is shown again', async () => {
    const context = await signedInContext()
    // The test says when the tab is hidden (headless Chromium's tabs are always visible), and its
    // clock runs the page's timers (the 30 seconds before a hidden tab parks).
    const prepare = async (page: Page) => {
      await page.addInitScript(`
        const hidden = () => window.__hidden === true
        Object.defineProperty(document, 'hidden', { get: hidden })
        Object.defineProperty(document, 'visibilityState', { get: () => (hidden() ? 'hidden' : 'visible') })
      `)
      await page.clock.install()
    }
    const { page, refreshes, navigations } = await openCrm(context, undefined, { prepare })
    const total = Number(await kpi(page, 'total'))
    const streams: string[] = []
    page.on('request', (request) => {
      if (request.url().includes('/events/stream')) streams.push(request.url())
    })
    const setHidden = (hidden: boolean) => page.evaluate(`window.__hidden = ${hidden}; document.dispatchEvent(new Event('visibilitychange'))`)

    await setHidden(true)
    await page.clock.runFor(29_000)
    expect(await indicator(page)).toBe('Live')
    await page.clock.runFor(2_000)
    expect(await indicator(page)).toBe('Paused while hidden')
    const lead = await capture('Pia Parked')
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    await page.clock.runFor(2_000)
    // Nothing read while hidden and parked.
    expect(refreshes()).toBe(0)
    expect(await row(page, lead).count()).toBe(0)

    await setHidden(false)
    // A new stream from now on, and the page read once it is open.
    await expect.poll(() => indicator(page), { timeout: 10_000 }).toBe('Live')
    expect(streams).toHaveLength(1)
    expect(new URL(streams[0]!).searchParams.has('after')).toBe(false)
    await expect
      .poll(
        async () => {
          await page.clock.runFor(500)
          return row(page, lead).count()
        },
        { timeout: 10_000 },
      )
      .toBe(1)
    expect(await kpi(page, 'total')).toBe(String(total + 1))
    expect(await marker(page)).toBe('still here')
    expect(navigations()).toBe(0)
    await context.close()
  }, 60_000)

  it('works the same on the tenant’s own host', async () => {
    const host = `${SLUG}.revline.localhost`
    const context = await signedInContext({}, host)
    const { page, violations } = await openCrm(context, `http://${host}:${new URL(server.baseUrl).port}`)
    const total = Number(await kpi(page, 'total'))
    const lead = await capture('Hugo Host')
    await expect.poll(() => row(page, lead).count(), { timeout: 10_000 }).toBe(1)
    expect(await kpi(page, 'total')).toBe(String(total + 1))
    expect(await marker(page)).toBe('still here')
    expect(violations).toEqual([])
    await context.close()
  }, 60_000)

  it('says so when the session ends in another tab, and stops', async () => {
    // A session of its own (asked for by email), so the others' cookie stays good.
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } })
    const signIn = await context.newPage()
    expect((await fetch(`${server.baseUrl}/~${SLUG}/auth/email`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: OWNER.email }) })).status).toBe(202)
    const mail = (await (await api('GET', `/messages?kind=sign-in&to=${encodeURIComponent(OWNER.email)}&sort=-$createdAt&limit=1`)).json()) as { data: { body: string }[] }
    await signIn.goto(/(https?:\/\/\S+\/auth\/link\?token=[A-Za-z0-9_-]{43})/.exec(mail.data[0]!.body)![1]!)
    await signIn.getByRole('button', { name: 'Sign in', exact: true }).click()
    await signIn.waitForURL(/\/dashboard\/my-day/)
    const { page, navigations } = await openCrm(context)
    // The other tab signs out: the server ends the session and its feed.
    await signIn.getByRole('button', { name: 'Sign out' }).click()
    await signIn.waitForURL(/\/dashboard\/login/)
    await expect.poll(() => indicator(page), { timeout: 20_000 }).toBe('Signed out: reload to sign in')
    expect(await page.locator('[data-live-status]').getAttribute('data-state')).toBe('off')
    expect(navigations()).toBe(0)
    await page.locator('.page-head').screenshot({ path: 'test-artifacts/dashboard-live-signed-out.png' })
    await context.close()
  }, 60_000)

  it('is the same page without script: no indicator, the new lead there on a reload', async () => {
    const context = await signedInContext({ javaScriptEnabled: false })
    const { page } = await openCrm(context, undefined, { live: false })
    expect(await page.locator('[data-live-status]').isVisible()).toBe(false)
    const total = Number(await kpi(page, 'total'))
    const lead = await capture('Nina Noscript')
    await page.reload()
    expect(await row(page, lead).count()).toBe(1)
    expect(await kpi(page, 'total')).toBe(String(total + 1))
    // Filters still post as a plain form.
    await page.getByLabel('Status', { exact: true }).selectOption('New')
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.waitForURL(/status=New/)
    expect(await row(page, lead).count()).toBe(1)
    await context.close()
  }, 60_000)
})

/** A TCP relay to the dev server on a port of its own: `cut` drops every connection and refuses new ones until `restore`. */
async function startRelay(target: URL) {
  const port = await freePort()
  const sockets = new Set<Socket>()
  const relay = (client: Socket) => {
    const upstream = connect(Number(target.port), target.hostname)
    const drop = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    sockets.add(client).add(upstream)
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    client.pipe(upstream).pipe(client)
  }
  let server: Server | undefined
  const restore = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer(relay).once('error', reject)
      server.listen(port, '127.0.0.1', () => resolve())
    })
  await restore()
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    restore,
    async cut() {
      const closing = server ? new Promise((resolve) => server!.close(resolve)) : Promise.resolve()
      server = undefined
      for (const socket of sockets) socket.destroy()
      sockets.clear()
      await closing
    },
  }
}
