/**
 * Passkeys in a real browser (Debian's Chromium, playwright-core) against `wrangler dev`, with the
 * browser's own virtual authenticator (CDP WebAuthn domain: CTAP2, internal transport, resident
 * keys, user verification): the operator creates a team with an owner, the owner follows the
 * invitation link from the local outbox, registers a passkey on the account page, signs out, signs
 * in with the passkey (no email) and lands on the dashboard as themselves, moves a deal on the board
 * and finds the move on the deal's timeline, in their name. The pages' scripts run
 * under the dashboard's strict CSP: the browser reports no violation. Screenshots go to test-artifacts/.
 *
 * The browser talks to `localhost`, not 127.0.0.1: an IP address cannot be a WebAuthn RP ID.
 */
import { mkdirSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, startDevServer, type DevServer } from './dev-server'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const SLUG = 'keys'
let server: DevServer
let browser: Browser
let base: string
let apiKey: string

beforeAll(async () => {
  server = await startDevServer()
  base = server.baseUrl.replace('127.0.0.1', 'localhost')
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  // Created on `localhost`, so the invitation link points there too.
  const res = await fetch(`${base}/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ slug: SLUG, name: 'Passkey Co', owner: { email: 'olive@passkey.dev', name: 'Olive Owner' } }),
  })
  expect(res.status).toBe(201)
  apiKey = ((await res.json()) as { apiKey: string }).apiKey
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

describe('passkeys in the browser', () => {
  it('invite → email link → register a passkey → sign out → sign in with the passkey → the dashboard, as that user', async () => {
    mkdirSync('test-artifacts', { recursive: true })
    const messages = await fetch(`${base}/~${SLUG}/messages?kind=invitation`, { headers: { authorization: `Bearer ${apiKey}` } })
    const invitation = ((await messages.json()) as { data: { to: string; body: string }[] }).data[0]!
    expect(invitation.to).toBe('olive@passkey.dev')
    const link = /(https?:\/\/\S+\/auth\/link\?token=[A-Za-z0-9_-]{43})/.exec(invitation.body)?.[1]
    expect(link?.startsWith(`${base}/~${SLUG}/auth/link?token=`), invitation.body).toBe(true)

    const context = await browser.newContext({ viewport: { width: 1100, height: 800 } })
    const page = await context.newPage()
    const violations: string[] = []
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text())
    })
    const authenticator = await context.newCDPSession(page)
    await authenticator.send('WebAuthn.enable')
    const { authenticatorId } = await authenticator.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    })

    // The invitation: a confirm page, then the session and the dashboard.
    await page.goto(link!)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.waitForURL(/\/dashboard\/my-day/)

    // Register a passkey on the account page.
    await page.goto(`${base}/~${SLUG}/dashboard/account`)
    await expect.poll(() => page.getByRole('button', { name: 'Add a passkey' }).isEnabled()).toBe(true)
    expect(await page.locator('[data-passkey]').count()).toBe(0)
    await page.getByLabel('Name (optional)').fill('E2E laptop')
    await page.getByRole('button', { name: 'Add a passkey' }).click()
    await page.waitForURL(/\/dashboard\/account\?added=passkey_/)
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Passkey “E2E laptop” added')
    expect(await page.locator('[data-passkey]').count()).toBe(1)
    expect(await page.locator('[data-passkey] strong').textContent()).toBe('E2E laptop')
    const { credentials } = await authenticator.send('WebAuthn.getCredentials', { authenticatorId })
    expect(credentials).toHaveLength(1)
    expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' })
    await page.screenshot({ path: 'test-artifacts/passkeys-account.png', fullPage: true })

    // Sign out: the session is over.
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(/\/dashboard\/login/)
    expect((await context.cookies()).find((c) => c.name === 'rvl_session')).toBeUndefined()
    const signedOut = await page.evaluate(async (path) => (await fetch(path)).status, `/~${SLUG}/me`)
    expect(signedOut).toBe(401)

    // Sign in with the passkey: no email, no key.
    await expect.poll(() => page.getByRole('button', { name: 'Sign in with a passkey' }).isEnabled()).toBe(true)
    await page.screenshot({ path: 'test-artifacts/passkeys-sign-in.png', fullPage: true })
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
    await page.waitForURL(/\/dashboard\/my-day/)
    const session = (await context.cookies()).find((c) => c.name === 'rvl_session')!
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: `/~${SLUG}` })

    const me: { user: Record<string, string> } = await page.evaluate(async (path) => (await fetch(path)).json(), `/~${SLUG}/me`)
    expect(me.user).toMatchObject({ email: 'olive@passkey.dev', name: 'Olive Owner', role: 'owner', status: 'Active' })
    const sessions: { data: { id: string; current: boolean; method: string }[] } = await page.evaluate(async (path) => (await fetch(path)).json(), `/~${SLUG}/me/sessions`)
    expect(sessions.data.find((s) => s.current)).toMatchObject({ method: 'passkey' })

    await page.goto(`${base}/~${SLUG}/dashboard/account`)
    expect(await page.locator('[data-account="email"]').textContent()).toBe('olive@passkey.dev')
    expect(await page.locator('[data-passkey] .hint').textContent()).not.toContain('last used never')
    await page.screenshot({ path: 'test-artifacts/passkeys-signed-in.png', fullPage: true })

    // Both ceremonies are in the log as Olive's own doing.
    const events = await fetch(`${base}/~${SLUG}/events?type=passkey.registered`, { headers: { authorization: `Bearer ${apiKey}` } })
    const [registered] = ((await events.json()) as { data: { actor: string; data: { name: string } }[] }).data
    expect(registered).toMatchObject({ actor: me.user.$id!, data: { name: 'E2E laptop' } })

    // Signed in by passkey, Olive moves a deal on the board; the deal's timeline shows it as hers.
    const created = await fetch(`${base}/~${SLUG}/deals`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Passkey pilot', value: 8000, stage: 'Proposal' }) })
    const deal = ((await created.json()) as { $id: string }).$id
    await page.goto(`${base}/~${SLUG}/dashboard/board`)
    const card = page.locator(`[data-card="${deal}"]`)
    await card.getByLabel('Stage of Passkey pilot').selectOption('Negotiation')
    await card.getByRole('button', { name: 'Move Passkey pilot' }).click()
    await expect.poll(() => page.getByRole('status').textContent()).toBe('“Passkey pilot” moved to Negotiation.')
    expect(await page.locator(`[data-stage="Negotiation"] [data-card="${deal}"]`).count()).toBe(1)
    await page.locator(`[data-card="${deal}"]`).getByRole('link', { name: 'Passkey pilot' }).click()
    await page.waitForURL(new RegExp(`/dashboard/deals/${deal}`))
    const latest = page.locator('[data-timeline] > li').first()
    expect(await latest.getAttribute('data-event')).toBe('deal.advanced')
    expect(await latest.textContent()).toContain('Olive Owner')
    const moved = await fetch(`${base}/~${SLUG}/events?entity=${deal}&type=deal.advanced`, { headers: { authorization: `Bearer ${apiKey}` } })
    const [advanced] = ((await moved.json()) as { data: { actor: string; via: string }[] }).data
    expect(advanced).toMatchObject({ actor: me.user.$id!, via: sessions.data.find((s) => s.current)!.id })
    await page.screenshot({ path: 'test-artifacts/passkeys-deal-timeline.png', fullPage: true })
    expect(violations).toEqual([])
    await context.close()
  })
})
