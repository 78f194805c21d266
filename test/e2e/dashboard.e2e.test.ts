/**
 * The sales dashboard in a real browser (Debian's Chromium driven by playwright-core) against
 * `wrangler dev`: sign in, read the KPIs, add a lead through the modal, change a status inline,
 * and see the figures follow. A screenshot goes to test-artifacts/ (not committed).
 */
import { mkdirSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, startDevServer, type DevServer } from './dev-server'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
let server: DevServer
let browser: Browser
let apiKey: string

beforeAll(async () => {
  server = await startDevServer()
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  const res = await fetch(`${server.baseUrl}/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ slug: 'dash', name: 'Dashboard Co' }),
  })
  apiKey = ((await res.json()) as { apiKey: string }).apiKey
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

    await page.getByLabel('API key').fill('rvl_wrongwrongwrongwrongwrongwrong')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not valid')

    await page.getByLabel('API key').fill(apiKey)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(/\/dashboard\/crm/)
    const cookies = await context.cookies()
    const session = cookies.find((c) => c.name === 'rvl_session')!
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' })
    expect(session.value).not.toContain(apiKey)
    expect(await page.content()).not.toContain(apiKey)

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
    await expect.poll(() => kpi(page, 'total')).toBe('3')
    const row = page.locator('table.leads tbody tr', { hasText: 'Jane Smith' })
    await expect.poll(() => row.count()).toBe(1)

    // Inline status: Jane's lead → Lost (through the lose verb): active drops to 2.
    const select = row.locator('select[name=status]')
    expect(await select.getAttribute('id')).toBe(await row.locator('label.visually-hidden').getAttribute('for'))
    await select.selectOption('Lost')
    await page.waitForLoadState('load')
    await expect.poll(() => kpi(page, 'active')).toBe('2')
    await expect.poll(() => page.locator('table.leads tbody tr', { hasText: 'Jane Smith' }).textContent()).toContain('Lost')

    // Filter by status.
    await page.getByLabel('Status', { exact: true }).selectOption('Lost')
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.waitForURL(/status=Lost/)
    expect(await page.locator('table.leads tbody tr').count()).toBe(1)

    mkdirSync('test-artifacts', { recursive: true })
    await page.goto(`${server.baseUrl}/~dash/dashboard/crm`)
    await page.screenshot({ path: 'test-artifacts/dashboard.png', fullPage: true })

    // A form posted from another origin is refused (CSRF), and logging out ends the session.
    const forged = await fetch(`${server.baseUrl}/~dash/dashboard/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', cookie: `rvl_session=${session.value}` },
      body: 'firstName=E&lastName=Vil&email=evil@example.com',
    })
    expect(forged.status).toBe(403)
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(/\/dashboard\/login/)
    await page.goto(`${server.baseUrl}/~dash/dashboard/crm`)
    expect(page.url()).toContain('/dashboard/login')
    // The session ended on the server: the old cookie, replayed by hand, is no longer a session.
    const replayed = await fetch(`${server.baseUrl}/~dash/dashboard/crm`, { headers: { cookie: `rvl_session=${session.value}` }, redirect: 'manual' })
    expect(replayed.status).toBe(303)
    expect(replayed.headers.get('location')).toBe('/~dash/dashboard/login')
    expect(violations).toEqual([])
    await context.close()
  }, 90_000)

  it('fits a phone-width screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } })
    const page = await context.newPage()
    await page.goto(`${server.baseUrl}/~dash/dashboard/login`)
    await page.getByLabel('API key').fill(apiKey)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(/\/dashboard\/crm/)
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')
    expect(overflow).toBeLessThanOrEqual(1)
    await page.screenshot({ path: 'test-artifacts/dashboard-phone.png', fullPage: true })
    await context.close()
  }, 60_000)
})
