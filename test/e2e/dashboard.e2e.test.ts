/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core) against `wrangler
 * dev`: sign in by the emailed link (read from the local outbox with the tenant's operator-issued
 * key), read the KPIs, add a lead through the modal, change a status inline, see the confirmations
 * and the figures follow; at phone width the status control stays in view; a lead's page shows what
 * the visitor wrote and opens its proposal with the session; no chart text runs past its chart at
 * any width; the fields an admin marks show as columns and Add Lead inputs. Then the workspace: My
 * day, the board (a deal moved with the keyboard, seen in its new column, on its timeline and as
 * `deal.advanced`), settings for admins only, and the header's search box (Enter, the marked hit,
 * its record). Screenshots (desktop and phone, with sample data) go to test-artifacts/ (not
 * committed); docs/dashboard*.png are copies of them.
 */
import { mkdirSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext, type Cookie, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, startDevServer, type DevServer } from './dev-server'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const OWNER = { email: 'olive@dash.test', name: 'Olive Owner' }
let server: DevServer
let browser: Browser
let apiKey: string

beforeAll(async () => {
  server = await startDevServer()
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  apiKey = await newTenant('dash', 'Dashboard Co', OWNER)
  // Some data so the page has something to show: two leads, one deal in Proposal.
  const post = (path: string, body: unknown) =>
    fetch(`${server.baseUrl}/~dash${path}`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  await post('/leads', { name: 'Acme evaluation', source: 'referral', budget: 20000, timeline: 'ASAP' })
  await post('/leads', { name: 'Globex inquiry', source: 'website' })
  await post('/deals', { name: 'Initech rollout', value: 15000, stage: 'Proposal' })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

async function kpi(page: Page, name: string) {
  return (await page.locator(`[data-kpi="${name}"] .value`).textContent())?.trim()
}

describe('the CRM dashboard', () => {
  it('signs in, shows the figures, adds a lead and changes a status inline', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } })
    const page = await context.newPage()
    // The page's own script and style run under its strict CSP: the browser reports no violation.
    const violations: string[] = []
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text())
    })
    await page.goto(`${server.baseUrl}/~dash/dashboard/crm`)
    expect(page.url()).toContain('/dashboard/login')
    expect(await page.getByLabel(/api key/i).count()).toBe(0)

    // Asking for a link: the same answer for an unknown address and for the owner; only the owner gets mail.
    const answer = 'Check your email. If this address belongs to a user of this team, a sign-in link is on its way. It works once, within 15 minutes.'
    await page.getByLabel('Work email').fill('nobody@dash.test')
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click()
    await expect.poll(() => page.getByRole('status').textContent()).toBe(answer)
    await page.getByLabel('Work email').fill(OWNER.email)
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click()
    await expect.poll(() => page.getByRole('status').textContent()).toBe(answer)
    mkdirSync('test-artifacts', { recursive: true })
    await page.screenshot({ path: 'test-artifacts/dashboard-sign-in.png' })
    const sent = (await (await api('GET', '/messages?kind=sign-in')).json()) as { data: { to: string }[] }
    expect(sent.data.map((m) => m.to)).toEqual([OWNER.email])

    // The invitation the operator's POST /tenants sent: open it, confirm, land on My day.
    await page.goto(await linkFor('dash', apiKey, OWNER.email, 'invitation'))
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.waitForURL(/\/dashboard\/my-day/)
    await expect.poll(() => page.locator('[data-signed-in]').textContent()).toContain('Signed in as Olive Owner')
    const cookies = await context.cookies()
    const session = cookies.find((c) => c.name === 'rvl_session')!
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/~dash' })
    expect(session.value).not.toContain(apiKey)
    expect(await page.content()).not.toContain(apiKey)

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Leads' }).click()
    await page.waitForURL(/\/dashboard\/crm/)
    expect(await kpi(page, 'total')).toBe('2')
    expect(await kpi(page, 'active')).toBe('2')
    expect(await kpi(page, 'pipeline')).toBe('$15,000')
    expect(await page.locator('table.leads tbody tr').count()).toBe(2)

    // Add Lead modal (first name, last name, email required).
    await page.getByRole('button', { name: 'Add Lead' }).click()
    const dialog = page.getByRole('dialog', { name: 'Add Lead' })
    await dialog.getByLabel('First name').fill('Jane')
    await dialog.getByLabel('Last name').fill('Smith')
    await dialog.getByLabel('Email').fill('jane@example.com')
    await dialog.getByRole('button', { name: 'Add lead' }).click()
    await page.waitForLoadState('load')
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Lead added: “Jane Smith (website)”.')
    await expect.poll(() => kpi(page, 'total')).toBe('3')
    const row = page.locator('table.leads tbody tr', { hasText: 'Jane Smith' })
    await expect.poll(() => row.count()).toBe(1)

    // Inline status: Jane's lead → Lost (through the lose verb): active drops to 2.
    const select = row.locator('select[name=status]')
    expect(await select.getAttribute('id')).toBe(await row.locator('label.visually-hidden').getAttribute('for'))
    await select.selectOption('Lost')
    await page.waitForLoadState('load')
    await expect.poll(() => page.getByRole('status').textContent()).toBe('“Jane Smith (website)” moved to Lost.')
    await expect.poll(() => kpi(page, 'active')).toBe('2')
    await expect.poll(() => page.locator('table.leads tbody tr', { hasText: 'Jane Smith' }).textContent()).toContain('Lost')

    // Filter by status.
    await page.getByLabel('Status', { exact: true }).selectOption('Lost')
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.waitForURL(/status=Lost/)
    expect(await page.locator('table.leads tbody tr').count()).toBe(1)

    // A filter the address makes up is a message on the page, with the filter cleared.
    await page.goto(`${server.baseUrl}/~dash/dashboard/crm?status=Bogus`)
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('There is no lead status “Bogus”')
    expect(await page.locator('table.leads tbody tr').count()).toBe(3)

    // A form posted from another origin is refused (CSRF), and logging out ends the session.
    const forged = await fetch(`${server.baseUrl}/~dash/dashboard/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', cookie: `rvl_session=${session.value}` },
      body: 'firstName=E&lastName=Vil&email=evil@example.com',
    })
    expect(forged.status).toBe(403)
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(/\/dashboard\/login/)
    await expect.poll(() => page.getByRole('status').textContent()).toBe('You are signed out.')
    await page.goto(`${server.baseUrl}/~dash/dashboard/crm`)
    expect(page.url()).toContain('/dashboard/login')
    // The session ended on the server: the old cookie, replayed by hand, is no longer a session.
    const replayed = await fetch(`${server.baseUrl}/~dash/dashboard/crm`, { headers: { cookie: `rvl_session=${session.value}` }, redirect: 'manual' })
    expect(replayed.status).toBe(303)
    expect(replayed.headers.get('location')).toBe('/~dash/dashboard/login')
    expect(violations).toEqual([])
    await context.close()
  }, 90_000)

  it('fits a phone-width screen, with every lead’s status control in view', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } })
    const page = await signIn(context)
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')
    expect(overflow).toBeLessThanOrEqual(1)
    const selects = page.locator('table.leads select[name=status]')
    expect(await selects.count()).toBeGreaterThan(0)
    for (const select of await selects.all()) {
      const box = (await select.boundingBox())!
      expect(box.x, 'status control starts on screen').toBeGreaterThanOrEqual(0)
      expect(box.x + box.width, 'status control ends on screen').toBeLessThanOrEqual(390)
    }
    await context.close()
  }, 60_000)

  it('shows what a visitor wrote on the lead’s page, and opens its proposal with the dashboard session', async () => {
    const capture = await fetch(`${server.baseUrl}/~dash/capture`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'Hana Mori', email: 'hana@mori.dev', message: 'We need a CRM for 40 sellers.\nCan you start in March?', company_size: '40' }),
    })
    const { lead } = (await capture.json()) as { lead: string }
    const converted = (await (await api('POST', `/leads/${lead}/convert`)).json()) as { deal: string }
    await api('POST', '/proposals', { deal: converted.deal, tier: 'warrior', title: 'Warrior plan for Mori' })

    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } })
    const violations = watchCsp(context)
    const page = await signIn(context)
    await page.getByRole('link', { name: 'Hana Mori (website)' }).click()
    await page.waitForURL(/\/dashboard\/leads\//)
    await expect.poll(() => page.locator('pre.note').first().textContent()).toBe('name: Hana Mori\nemail: hana@mori.dev\nmessage:\n  We need a CRM for 40 sellers.\n  Can you start in March?\ncompany_size: 40')
    await page.screenshot({ path: 'test-artifacts/dashboard-lead.png', fullPage: true })
    await page.getByRole('link', { name: 'Warrior plan for Mori' }).click()
    await page.waitForURL(/\/dashboard\/proposals\//)
    await expect.poll(() => page.locator('h1').textContent()).toBe('Warrior plan for Mori')
    // the document's own style ran under the dashboard's CSP (its table is laid out, no violation)
    expect(await page.evaluate<string>("getComputedStyle(document.querySelector('table')).borderCollapse")).toBe('collapse')
    expect(violations).toEqual([])
    await context.close()
  }, 60_000)

  it('tells a tenant with no leads how they arrive, with its capture URL', async () => {
    const emptyKey = await newTenant('empty', 'Empty Co', { email: 'eve@empty.test', name: 'Eve Empty' })
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } })
    const page = await signIn(context, 'empty', emptyKey, 'eve@empty.test')
    await expect.poll(() => page.locator('[data-empty="no-leads"] p code').textContent()).toBe(`${server.baseUrl}/~empty/capture`)
    expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(1)
    await page.screenshot({ path: 'test-artifacts/dashboard-empty.png', fullPage: true })
    await context.close()
  }, 60_000)

  it('keeps every chart label inside its chart at desktop, tablet and phone widths; screenshots with sample data', async () => {
    await seedSampleData()
    mkdirSync('test-artifacts', { recursive: true })
    for (const width of [1200, 800, 390, 320]) {
      const context = await browser.newContext({ viewport: { width, height: 900 } })
      const page = await signIn(context)
      const texts = page.locator('figure.chart svg text')
      expect(await texts.count()).toBeGreaterThan(4)
      for (const chart of await page.locator('figure.chart svg').all()) {
        const frame = (await chart.boundingBox())!
        for (const text of await chart.locator('text').all()) {
          const box = (await text.boundingBox())!
          const what = `${await text.textContent()} at ${width}px`
          expect(box.x, what).toBeGreaterThanOrEqual(frame.x - 0.5)
          expect(box.x + box.width, what).toBeLessThanOrEqual(frame.x + frame.width + 0.5)
        }
      }
      if (width === 1200) await page.screenshot({ path: 'test-artifacts/dashboard.png', fullPage: true })
      if (width === 390) {
        await page.screenshot({ path: 'test-artifacts/dashboard-phone-full.png', fullPage: true })
        // The README's phone picture: one screen at the lead list, where the layout changes most.
        await page.evaluate("document.getElementById('leads-title').closest('section').scrollIntoView(); window.scrollBy(0, -12)")
        await page.screenshot({ path: 'test-artifacts/dashboard-phone.png' })
      }
      await context.close()
    }
  }, 120_000)

  it('shows the fields an admin marked: a column in the table, a control in Add Lead, the typed value on the new lead', async () => {
    const key = await newTenant('fields', 'Fields Co', { email: 'fay@fields.test', name: 'Fay Fields' })
    const call = (method: string, path: string, body?: unknown) => api(method, path, body, { slug: 'fields', key })
    expect((await call('PUT', '/nouns/Lead', { budgetTier: 'Bronze | Silver | Gold', seats: 'int', onSite: 'boolean', tags: 'string[]' })).status).toBe(200)
    expect((await call('PUT', '/nouns/Contact', { shoeSize: 'number' })).status).toBe(200)
    const leads: [string, Record<string, unknown>][] = [
      ['Acme evaluation', { source: 'referral', budgetTier: 'Gold', seats: 1200, onSite: true, tags: ['enterprise', 'eu'] }],
      ['Globex inquiry', { source: 'website', budgetTier: 'Bronze', seats: 5, onSite: false }],
      ['Initech pilot', { source: 'event' }],
    ]
    for (const [name, fields] of leads) expect((await call('POST', '/leads', { name, ...fields })).status).toBe(201)
    // The admin marks them (the API: the dashboard's settings pages are users, keys and stages).
    const marked = await call('PUT', '/settings/dashboard', { leadColumns: ['budgetTier', 'seats', 'onSite', 'tags', 'contact.shoeSize'], leadForm: ['budgetTier', 'seats', 'onSite', 'contact.shoeSize'] })
    expect(marked.status).toBe(200)

    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } })
    const violations = watchCsp(context)
    const page = await signIn(context, 'fields', key, 'fay@fields.test')
    const headers = await page.locator('table.leads thead th').allTextContents()
    expect(headers).toEqual(['Lead', 'Source', 'Score', 'Budget tier', 'Seats', 'On site', 'Tags', 'Shoe size (contact)', 'Status', 'Created'])
    const acme = page.locator('table.leads tbody tr', { hasText: 'Acme evaluation' })
    expect(await acme.locator('td.lead-custom').allTextContents()).toEqual(['Gold', '1,200', 'Yes', 'enterprise, eu', '–'])

    await page.getByRole('button', { name: 'Add Lead' }).click()
    const dialog = page.getByRole('dialog', { name: 'Add Lead' })
    await dialog.getByLabel('First name').fill('Mara')
    await dialog.getByLabel('Last name').fill('Quinn')
    await dialog.getByLabel('Email').fill('mara@quinn.dev')
    expect(await dialog.getByLabel('Budget tier').evaluate((el) => el.tagName)).toBe('SELECT')
    await dialog.getByLabel('Budget tier').selectOption('Silver')
    expect(await dialog.getByLabel('Seats').getAttribute('type')).toBe('number')
    await dialog.getByLabel('Seats').fill('40')
    await dialog.getByLabel('On site').check()
    await dialog.getByLabel('Shoe size (contact)').fill('39.5')
    await dialog.getByLabel(/^Note/).fill('Wants the Silver tier for 40 seats.')
    await page.screenshot({ path: 'test-artifacts/dashboard-fields-form.png' })
    await dialog.getByRole('button', { name: 'Add lead' }).click()
    await page.waitForLoadState('load')
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Lead added: “Mara Quinn (website)”.')
    const mara = page.locator('table.leads tbody tr', { hasText: 'Mara Quinn' })
    await expect.poll(() => mara.locator('td.lead-custom').allTextContents()).toEqual(['Silver', '40', 'Yes', '–', '39.5'])
    const stored = (await (await call('GET', '/leads?budgetTier=Silver')).json()) as { data: Record<string, unknown>[] }
    expect(stored.data).toHaveLength(1)
    expect(stored.data[0]).toMatchObject({ name: 'Mara Quinn (website)', budgetTier: 'Silver', seats: 40, onSite: true })
    mkdirSync('test-artifacts', { recursive: true })
    await page.locator('#leads-title').scrollIntoViewIfNeeded()
    await page.screenshot({ path: 'test-artifacts/dashboard-fields.png', fullPage: true })
    expect(violations).toEqual([])
    await context.close()

    // At phone width each marked field is a line of the lead's card, and nothing runs off the screen.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } })
    const small = await signIn(phone, 'fields', key, 'fay@fields.test')
    expect(await small.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(1)
    for (const cell of await small.locator('table.leads td.lead-custom, table.leads select[name=status]').all()) {
      const box = (await cell.boundingBox())!
      expect(box.x).toBeGreaterThanOrEqual(0)
      expect(box.x + box.width).toBeLessThanOrEqual(390)
    }
    const card = small.locator('table.leads tbody tr', { hasText: 'Mara Quinn' })
    const before = `getComputedStyle(document.querySelector('tr[data-lead] td.lead-custom[data-field="budgetTier"]'), '::before').content`
    expect(await small.evaluate<string>(before)).toBe('"Budget tier: "')
    // the status control stays last in the card, below the marked fields
    const statusBox = (await card.locator('select[name=status]').boundingBox())!
    const lastField = (await card.locator('td.lead-custom').last().boundingBox())!
    expect(statusBox.y).toBeGreaterThan(lastField.y)
    await small.evaluate("document.querySelector('table.leads tbody tr').scrollIntoView(); window.scrollBy(0, -12)")
    await small.screenshot({ path: 'test-artifacts/dashboard-fields-phone.png' })
    await small.getByRole('button', { name: 'Add Lead' }).click()
    await small.screenshot({ path: 'test-artifacts/dashboard-fields-form-phone.png' })
    await phone.close()
  }, 90_000)
})

describe('the workspace', () => {
  const DAY = 86_400_000
  let owner: { id: string; contact: string }

  beforeAll(async () => {
    const users = (await (await api('GET', `/users?email=${OWNER.email}`)).json()) as { data: { $id: string; contact: string }[] }
    owner = { id: users.data[0]!.$id, contact: users.data[0]!.contact }
    // Olive's day: a deal sitting in Qualification for 12 days (SLA 7), an overdue task on it, one due later today.
    const deal = (await (await api('POST', '/deals', { name: 'Wayne Enterprises pilot', value: 27000, stage: 'Qualification', owner: owner.contact })).json()) as { $id: string }
    await api('PATCH', `/deals/${deal.$id}`, { stageEnteredAt: new Date(Date.now() - 12 * DAY).toISOString() })
    const now = Date.now()
    const endOfToday = Math.floor(now / DAY) * DAY + DAY
    await api('POST', '/activities', { subject: 'Send the security questionnaire', type: 'Task', priority: 'High', owner: owner.contact, deal: deal.$id, dueAt: new Date(now - 2 * DAY).toISOString() })
    await api('POST', '/activities', { subject: 'Call Bruce about pricing', type: 'Task', owner: owner.contact, deal: deal.$id, dueAt: new Date(Math.min(now + 2 * 3_600_000, endOfToday - 60_000)).toISOString() })
  })

  it('shows My day: my overdue and due tasks and my deals past their SLA, linking to the deal', async () => {
    mkdirSync('test-artifacts', { recursive: true })
    for (const width of [1200, 390]) {
      const context = await browser.newContext({ viewport: { width, height: 900 } })
      const violations = watchCsp(context)
      const page = await signIn(context, 'dash', apiKey, OWNER.email, 'my-day')
      await expect.poll(() => page.locator('section[aria-labelledby="overdue"] [data-task]').count()).toBe(1)
      expect(await page.locator('section[aria-labelledby="overdue"]').textContent()).toContain('Send the security questionnaire')
      expect(await page.locator('section[aria-labelledby="due-today"]').textContent()).toContain('Call Bruce about pricing')
      const late = page.locator('section[aria-labelledby="late-deals"] [data-late-deal]')
      expect(await late.count()).toBe(1)
      expect(await late.textContent()).toMatch(/Wayne Enterprises pilot.*Qualification for 12 days \(SLA 7\)/s)
      expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(1)
      await page.screenshot({ path: `test-artifacts/dashboard-my-day${width < 600 ? '-phone' : ''}.png`, fullPage: true })
      if (width === 1200) {
        await late.getByRole('link').click()
        await page.waitForURL(/\/dashboard\/deals\/deal_/)
        await expect.poll(() => page.locator('h1').textContent()).toBe('Wayne Enterprises pilot')
      }
      expect(violations).toEqual([])
      await context.close()
    }
  }, 90_000)

  it('moves a deal on the board with the keyboard: the new column, the deal.advanced event, the deal’s timeline', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } })
    const violations = watchCsp(context)
    const page = await signIn(context, 'dash', apiKey, OWNER.email, 'board')
    const columns = page.locator('section.column h2 > span:first-child')
    expect((await columns.allTextContents()).map((t) => t.trim())).toEqual(['Prospecting', 'Qualification', 'Proposal', 'Negotiation'])
    const card = page.locator('[data-stage="Proposal"] [data-card]', { hasText: 'Initech rollout' })
    const deal = (await card.getAttribute('data-card'))!
    await page.screenshot({ path: 'test-artifacts/dashboard-board-before.png', fullPage: true })

    // Keyboard only: from the card's link, Tab to its stage list, type to pick Negotiation, Tab to Move, Enter.
    await card.getByRole('link', { name: 'Initech rollout' }).focus()
    await page.keyboard.press('Tab')
    expect(await page.evaluate<string>('document.activeElement.id')).toBe(`move-${deal}`)
    await page.keyboard.press('N')
    expect(await card.getByLabel('Stage of Initech rollout').inputValue()).toBe('Negotiation')
    await page.keyboard.press('Tab')
    expect(await page.evaluate<string | null>('document.activeElement.getAttribute("aria-label")')).toBe('Move Initech rollout')
    await page.keyboard.press('Enter')
    await page.waitForLoadState('load')
    await expect.poll(() => page.getByRole('status').textContent()).toBe('“Initech rollout” moved to Negotiation.')
    await expect.poll(() => page.locator('[data-stage="Negotiation"] [data-card]').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-card')))).toContain(deal)
    expect(await page.locator('[data-stage="Proposal"] [data-card]', { hasText: 'Initech rollout' }).count()).toBe(0)
    await page.screenshot({ path: 'test-artifacts/dashboard-board.png', fullPage: true })

    const events = (await (await api('GET', `/events?entity=${deal}`)).json()) as { data: { type: string; actor: string; via: string | null }[] }
    expect(events.data.at(-1)).toMatchObject({ type: 'deal.advanced', actor: owner.id, via: expect.stringMatching(/^ses_/) })

    // The deal's page: its timeline, newest first, names Olive and what changed.
    await page.locator(`[data-card="${deal}"]`).getByRole('link', { name: 'Initech rollout' }).click()
    await page.waitForURL(new RegExp(`/dashboard/deals/${deal}`))
    const first = page.locator('[data-timeline] > li').first()
    expect(await first.getAttribute('data-event')).toBe('deal.advanced')
    expect(await first.textContent()).toMatch(/Advanced\s+by Olive Owner/)
    expect(await first.textContent()).toContain('stage: Proposal → Negotiation')
    await page.screenshot({ path: 'test-artifacts/dashboard-deal.png', fullPage: true })
    await page.setViewportSize({ width: 390, height: 844 })
    expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(1)
    await page.screenshot({ path: 'test-artifacts/dashboard-deal-phone.png', fullPage: true })
    expect(violations).toEqual([])
    await context.close()
  }, 90_000)

  it('fits the board on a phone: columns stacked, every card’s control on screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } })
    const page = await signIn(context, 'dash', apiKey, OWNER.email, 'board')
    expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(1)
    const controls = page.locator('[data-card] select, [data-card] button')
    expect(await controls.count()).toBeGreaterThan(1)
    for (const control of await controls.all()) {
      const box = (await control.boundingBox())!
      expect(box.x).toBeGreaterThanOrEqual(0)
      expect(box.x + box.width).toBeLessThanOrEqual(390)
    }
    await page.screenshot({ path: 'test-artifacts/dashboard-board-phone.png', fullPage: true })
    await context.close()
  }, 60_000)

  it('lets the owner invite a member from Settings; the member has no Settings and gets 403 there', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } })
    const violations = watchCsp(context)
    const page = await signIn(context, 'dash', apiKey, OWNER.email, 'my-day')
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click()
    await page.waitForURL(/\/dashboard\/settings\/users/)
    const invite = page.locator('section[aria-labelledby="invite-title"]')
    await invite.getByLabel('Name').fill('Max Member')
    await invite.getByLabel('Email').fill('max@dash.test')
    await invite.getByLabel('Role').selectOption('member')
    await invite.getByRole('button', { name: 'Send invitation' }).click()
    await page.waitForLoadState('load')
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Invitation sent to max@dash.test (member).')
    await expect.poll(() => page.locator('tr[data-user]', { hasText: 'Max Member' }).count()).toBe(1)
    const invitation = (await (await api('GET', '/messages?kind=invitation&to=max@dash.test')).json()) as { data: { status: string; body: string }[] }
    expect(invitation.data[0]).toMatchObject({ status: 'Sent' })
    expect(invitation.data[0]!.body).toContain(`${server.baseUrl}/~dash/auth/link?token=`)
    await page.screenshot({ path: 'test-artifacts/dashboard-settings-users.png', fullPage: true })
    for (const tab of ['API keys', 'Stages']) {
      await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: tab }).click()
      await page.waitForLoadState('load')
      await page.screenshot({ path: `test-artifacts/dashboard-settings-${tab === 'Stages' ? 'stages' : 'keys'}.png`, fullPage: true })
    }
    expect(violations).toEqual([])
    await context.close()

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } })
    const member = await signIn(phone, 'dash', apiKey, 'max@dash.test', 'my-day')
    await expect.poll(() => member.locator('[data-signed-in]').textContent()).toContain('Max Member')
    expect(await member.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual(['My day', 'Leads', 'Board'])
    const refused = await member.goto(`${server.baseUrl}/~dash/dashboard/settings/users`)
    expect(refused!.status()).toBe(403)
    await expect.poll(() => member.locator('main').textContent()).toContain('Only admins of this team may open this page.')
    expect(await member.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(1)
    await member.screenshot({ path: 'test-artifacts/dashboard-forbidden-phone.png', fullPage: true })
    await member.goto(`${server.baseUrl}/~dash/dashboard/my-day`)
    await member.screenshot({ path: 'test-artifacts/dashboard-my-day-member-phone.png', fullPage: true })
    await phone.close()
  }, 90_000)

  it('searches from the header box: Enter shows the hits with the word marked, and a hit opens its record', async () => {
    const zoe = (await (await api('POST', '/contacts', { name: 'Zoë Ångström', email: 'zoe@fjordline.test', title: 'Head of Buying' })).json()) as { $id: string }
    await api('POST', '/deals', { name: 'Fjordline renewal', value: 8000, description: 'Zoe wants a quote by Friday' })
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } })
    const violations = watchCsp(context)
    const page = await signIn(context, 'dash', apiKey, OWNER.email, 'my-day')
    const box = page.getByRole('search', { name: 'Records' }).getByRole('searchbox', { name: 'Search records' })
    await box.fill('zoe')
    await box.press('Enter')
    await page.waitForURL(/\/dashboard\/search\?q=zoe/)
    const hit = page.locator(`li[data-hit="${zoe.$id}"]`)
    await expect.poll(() => hit.textContent()).toMatch(/Contact\s*Zoë Ångström/)
    const mark = hit.locator('mark')
    expect(await mark.textContent()).toBe('Zoë')
    // Highlighted: the mark has a background of its own.
    expect(String(await mark.evaluate('(m) => getComputedStyle(m).backgroundColor'))).not.toMatch(/^rgba\(0, 0, 0, 0\)$|transparent/)
    expect(await page.locator('li[data-hit] mark', { hasText: /^Zoe$/ }).count()).toBe(1) // the deal's description
    expect(await page.getByRole('searchbox', { name: 'Search records' }).inputValue()).toBe('zoe')
    mkdirSync('test-artifacts', { recursive: true })
    await page.screenshot({ path: 'test-artifacts/dashboard-search.png', fullPage: true })
    await page.setViewportSize({ width: 390, height: 844 })
    expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(1)
    await page.screenshot({ path: 'test-artifacts/dashboard-search-phone.png', fullPage: true })
    await page.setViewportSize({ width: 1200, height: 900 })

    await hit.getByRole('link', { name: 'Zoë Ångström' }).click()
    await page.waitForURL(new RegExp(`/dashboard/contacts/${zoe.$id}$`))
    await expect.poll(() => page.locator('h1').textContent()).toBe('Zoë Ångström')
    expect(violations).toEqual([])
    await context.close()
  }, 90_000)

  it('forgets a person from their contact page: the typed confirmation, the notice, and their data gone from the page and from search', async () => {
    const person = (await (await api('POST', '/contacts', { name: 'Rosa Parkes', email: 'rosa@parkes.example', phone: '+1 555 0199', title: 'Seamstress' })).json()) as { $id: string }
    await api('POST', '/leads', { name: 'Rosa Parkes', source: 'website', contact: person.$id, need: 'Rosa wants a quote for 40 seats' })
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } })
    const violations = watchCsp(context)
    const page = await signIn(context, 'dash', apiKey, OWNER.email, `contacts/${person.$id}`)
    const danger = page.getByRole('region', { name: 'Forget this person' })
    await danger.getByRole('textbox').fill('forget')
    mkdirSync('test-artifacts', { recursive: true })
    await page.screenshot({ path: 'test-artifacts/dashboard-forget.png', fullPage: true })
    await danger.getByRole('button', { name: 'Forget this person' }).click()
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/The person is forgotten: their personal data is erased from this contact and 1 related record/)
    expect(await page.locator('h1').textContent()).toBe('(forgotten)')
    const text = (await page.locator('main').textContent()) ?? ''
    for (const personal of ['Rosa', 'rosa@parkes.example', '555 0199', 'Seamstress', '40 seats']) expect(text).not.toContain(personal)
    // Nothing is left to erase: the control is gone.
    expect(await page.getByRole('region', { name: 'Forget this person' }).count()).toBe(0)
    await page.screenshot({ path: 'test-artifacts/dashboard-forgotten.png', fullPage: true })
    const box = page.getByRole('search', { name: 'Records' }).getByRole('searchbox', { name: 'Search records' })
    await box.fill('parkes')
    await box.press('Enter')
    await page.waitForURL(/\/dashboard\/search\?q=parkes/)
    expect(await page.locator('li[data-hit]').count()).toBe(0)
    expect(violations).toEqual([])
    await context.close()
  }, 90_000)
})

function watchCsp(context: BrowserContext): string[] {
  const violations: string[] = []
  context.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text())
  })
  return violations
}

/** A tenant of its own (the operator's POST /tenants, inviting its owner): its operator-issued admin key. */
async function newTenant(slug: string, name: string, owner: { email: string; name: string }): Promise<string> {
  const res = await fetch(`${server.baseUrl}/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ slug, name, owner }),
  })
  expect(res.status).toBe(201)
  return ((await res.json()) as { apiKey: string }).apiKey
}

/** The newest sign-in link mailed to `email` (the local outbox: GET /messages with the tenant's key). */
async function linkFor(slug: string, key: string, email: string, kind: 'invitation' | 'sign-in'): Promise<string> {
  const res = await api('GET', `/messages?kind=${kind}&to=${encodeURIComponent(email)}&sort=-$createdAt&limit=1`, undefined, { slug, key })
  const body = ((await res.json()) as { data: { body: string }[] }).data[0]?.body ?? ''
  const link = /(https?:\/\/\S+\/auth\/link\?token=[A-Za-z0-9_-]{43})/.exec(body)?.[1]
  expect(link, body).toBeTruthy()
  return link!
}

/**
 * Sessions signed in once per person, reused by later contexts (sign-in links are rate limited per
 * address, and each test would otherwise spend one).
 */
const sessions = new Map<string, Cookie[]>()

/** Follows a sign-in link in the page: its confirm page, then Sign in; lands on My day. */
async function followLink(page: Page, link: string) {
  await page.goto(link)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.waitForURL(/\/dashboard\/my-day/)
}

/**
 * A page signed in as `email` on the tenant, at the CRM page: the first time through the emailed
 * link (the invitation while it is unused, else a sign-in link asked for by POST /auth/email).
 */
async function signIn(context: BrowserContext, slug = 'dash', key = apiKey, email = OWNER.email, path = 'crm'): Promise<Page> {
  const page = await context.newPage()
  const known = sessions.get(`${slug}:${email}`)
  if (known) await context.addCookies(known)
  else {
    const invited = ((await (await api('GET', `/users?email=${encodeURIComponent(email)}`, undefined, { slug, key })).json()) as { data: { status: string }[] }).data[0]
    if (invited?.status === 'Invited') await followLink(page, await linkFor(slug, key, email, 'invitation'))
    else {
      const asked = await fetch(`${server.baseUrl}/~${slug}/auth/email`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) })
      expect(asked.status).toBe(202)
      await followLink(page, await linkFor(slug, key, email, 'sign-in'))
    }
    sessions.set(`${slug}:${email}`, (await context.cookies()).filter((c) => c.name === 'rvl_session'))
  }
  await page.goto(`${server.baseUrl}/~${slug}/dashboard/${path}`)
  await page.waitForURL(new RegExp(`/dashboard/${path}`))
  return page
}

function api(method: string, path: string, body?: unknown, as: { slug: string; key: string } = { slug: 'dash', key: apiKey }) {
  return fetch(`${server.baseUrl}/~${as.slug}${path}`, {
    method,
    headers: { authorization: `Bearer ${as.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
}

/** A tenant a few weeks in: website and campaign captures with messages, leads worked, deals across the pipeline. */
async function seedSampleData() {
  const people: [string, string, string, string, Record<string, string>][] = [
    ['Ava Stone', 'google', 'cpc', 'Pricing for 25 seats?', { title: 'VP Sales', budget: '25000', timeline: 'this quarter' }],
    ['Ben Okafor', 'linkedin', 'social', 'Saw your post about pipeline analytics.', { title: 'Sales manager' }],
    ['Chloe Martin', 'google', '', 'Do you integrate with Stripe?', {}],
    ['Dev Patel', 'partnerblog', 'referral', 'Referred by Northwind.', { title: 'CEO', authority: 'I sign off', timeline: 'ASAP' }],
    ['Eli Cohen', 'newsletter', 'email', 'Interested in the webinar recording.', {}],
    ['Fatima Zahra', 'google', 'cpc', '', { budget: '3000' }],
    ['Gus Berg', 'facebook', 'social', 'Can we migrate from spreadsheets?', { company: 'Berg & Sons' }],
    ['Hugo Lind', 'bing', 'organic', 'Need a demo next week.', { title: 'CTO', budget: '40000', timeline: 'within 2 weeks' }],
    ['Iris Tan', 'google', 'cpc', 'What does onboarding look like?', { title: 'Head of Revenue Operations' }],
    ['Jon Park', 'summit', 'event', 'We met at the booth.', { title: 'Founder', budget: '50000', authority: 'Final decision is mine' }],
    ['Kai Weber', 'google', 'cpc', 'Budget approved for Q3.', { budget: '18000', timeline: 'Q3' }],
    ['Lena Vogel', 'linkedin', 'social', '', {}],
  ]
  for (const [i, [name, utmSource, utmMedium, message, answers]] of people.entries()) {
    await fetch(`${server.baseUrl}/~dash/capture`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'cf-connecting-ip': `198.51.100.${i + 10}` },
      body: new URLSearchParams({ name, email: `${name.split(' ')[0]!.toLowerCase()}@example.com`, utm_source: utmSource, ...(utmMedium ? { utm_medium: utmMedium } : {}), ...(message ? { message } : {}), ...answers }),
    })
  }
  const leads = ((await (await api('GET', '/leads?limit=100')).json()) as { data: { $id: string; name: string }[] }).data
  const byName = (prefix: string) => leads.find((l) => l.name.startsWith(prefix))!.$id
  await api('PATCH', `/leads/${byName('Ben Okafor')}`, { status: 'Contacted' })
  await api('PATCH', `/leads/${byName('Dev Patel')}`, { status: 'Qualified', budget: 42000 })
  await api('POST', `/leads/${byName('Dev Patel')}/convert`)
  await api('POST', `/leads/${byName('Kai Weber')}/convert`)
  await api('POST', `/leads/${byName('Fatima Zahra')}/lose`, { lostReason: 'No budget this year' })
  for (const [name, value, stage] of [['Northwind expansion', 60000, 'Negotiation'], ['Umbrella pilot', 9000, 'Qualification'], ['Stark renewal', 32000, 'Won']] as const) {
    const deal = (await (await api('POST', '/deals', { name, value, stage: 'Prospecting' })).json()) as { $id: string }
    if (stage === 'Won') await api('POST', `/deals/${deal.$id}/win`)
    else await api('POST', `/deals/${deal.$id}/advance`, { stage })
  }
}
