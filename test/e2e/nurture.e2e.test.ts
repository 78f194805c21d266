/**
 * The background jobs through `wrangler dev`, as a user runs them: real queues, a real alarm
 * flushing the outbox, and crons triggered with /cdn-cgi/handler/scheduled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, callJson, startDevServer, type DevServer } from './dev-server'

let server: DevServer
beforeAll(async () => {
  server = await startDevServer()
}, 90_000)
afterAll(async () => {
  await server?.stop()
})

const call = (method: string, path: string, key: string, body?: unknown) => callJson(server.baseUrl, method, path, key, body)

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

async function newTenant(slug: string) {
  const res = await call('POST', '/tenants', ADMIN_TOKEN, { slug, name: slug })
  expect(res.status).toBe(201)
  return res.body.apiKey as string
}

describe('jobs through wrangler dev', () => {
  it('nurtures a deal entering an autoNurture stage: one email to the contact, one notification to the owner', async () => {
    const key = await newTenant('nurture-e2e')
    const owner = (await call('POST', '/~nurture-e2e/contacts', key, { name: 'Rep Rita', email: 'rita@agency.dev' })).body
    const contact = (await call('POST', '/~nurture-e2e/contacts', key, { name: 'Carla Client', email: 'carla@client.dev' })).body
    const deal = (await call('POST', '/~nurture-e2e/deals', key, { name: 'Client retainer', contact: contact.$id, owner: owner.$id })).body
    expect((await call('POST', `/~nurture-e2e/deals/${deal.$id}/advance`, key, { stage: 'Qualification' })).status).toBe(200)

    const messages = await until('the nurture email', async () => {
      const res = await call('GET', '/~nurture-e2e/messages?kind=nurture', key)
      return res.body.total > 0 ? res.body.data : undefined
    })
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatchObject({ to: 'carla@client.dev', status: 'Sent', deal: deal.$id })
    expect(messages[0].subject).toContain('Client retainer')
    const notifications = (await call('GET', `/~nurture-e2e/notifications?recipient=${owner.$id}`, key)).body.data
    expect(notifications).toHaveLength(1)
    const runs = (await call('GET', '/~nurture-e2e/jobs', key)).body.data
    expect(runs.some((r: { type: string; outcome: string }) => r.type === 'leadNurtureFollowUp' && r.outcome === 'ok')).toBe(true)
  }, 60_000)

  it('runs the 08:00 reminder cron for every active tenant', async () => {
    const key = await newTenant('remind-e2e')
    const owner = (await call('POST', '/~remind-e2e/contacts', key, { name: 'Owner Otto', email: 'otto@agency.dev' })).body
    await call('POST', '/~remind-e2e/activities', key, { subject: 'Send the proposal', type: 'Task', owner: owner.$id, dueAt: '2020-01-01T00:00:00Z' })
    const cron = await fetch(`${server.baseUrl}/cdn-cgi/handler/scheduled?cron=0+8+*+*+*`)
    expect(cron.status).toBe(200)
    const reminders = await until('the reminder', async () => {
      const res = await call('GET', `/~remind-e2e/notifications?recipient=${owner.$id}&kind=reminder`, key)
      return res.body.total > 0 ? res.body.data : undefined
    })
    expect(reminders[0].title).toContain('Send the proposal')
    const emails = (await call('GET', '/~remind-e2e/messages?kind=reminder', key)).body.data
    expect(emails).toHaveLength(1)
    expect(emails[0].to).toBe('otto@agency.dev')
  }, 60_000)

  it('runs the 03:00 rescoring cron and records it', async () => {
    const key = await newTenant('rescore-e2e')
    await call('POST', '/~rescore-e2e/leads', key, { name: 'Hot lead', source: 'referral', budget: 20000 })
    const cron = await fetch(`${server.baseUrl}/cdn-cgi/handler/scheduled?cron=0+3+*+*+*`)
    expect(cron.status).toBe(200)
    const run = await until('the rescoring run', async () => {
      const res = await call('GET', '/~rescore-e2e/jobs', key)
      return res.body.data.find((r: { type: string; outcome: string }) => r.type === 'leadScoreRefresh' && r.outcome === 'ok')
    })
    expect(run.items).toBe(1)
  }, 60_000)
})
