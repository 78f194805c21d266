/**
 * Background jobs (seed 003): leadNurtureFollowUp (outbox → alarm → queue → consumer),
 * leadFollowUpReminder and leadScoreRefresh (daily crons fanned out per tenant, chunked),
 * failures (retries with backoff, the dead-letter queue and its consumer) and outbound webhooks.
 *
 * Consumers are called directly (`worker.queue(createMessageBatch(...))`) with recording queues,
 * so what a handler sends is asserted rather than raced; a few integration tests go through the
 * real producer and wait for the local queue (max_batch_timeout = 1 s).
 */
import { CHAIN_MS, handleChunked } from '../src/queues/handlers/chunked'
import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { DEFAULT_RULESET } from '../src/domain/scoring/rules'
import worker from '../src/worker'
import { ADMIN_TOKEN, createTenant, issueKey, request, type TenantApi } from './helpers'

const handler = worker as ExportedHandler<Env>
const DAY_MS = 86_400_000

// ---------------------------------------------------------------------------------------------
// helpers

async function created(api: TenantApi, path: string, body: unknown) {
  const res = await api.post(path, body)
  expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBe(201)
  return res.body
}

async function ok<T = any>(promise: Promise<{ status: number; body: T }>): Promise<T> {
  const res = await promise
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body
}

interface Sent {
  queue: string
  body: any
  delaySeconds?: number
}

function recordingQueue(queue: string, sent: Sent[]): Queue {
  return {
    async send(body: unknown, options?: { delaySeconds?: number }) {
      sent.push({ queue, body, delaySeconds: options?.delaySeconds })
    },
    async sendBatch(messages: Iterable<{ body: unknown }>) {
      for (const m of messages) sent.push({ queue, body: m.body })
    },
  } as unknown as Queue
}

/** The real bindings, except that both queues only record what is sent to them. */
function recordingEnv(sent: Sent[], overrides: Record<string, unknown> = {}): Env {
  return { ...env, JOBS: recordingQueue('revline-jobs', sent), DEAD_LETTERS: recordingQueue('revline-jobs-dlq', sent), ...overrides } as Env
}

let messageCounter = 0
/** Delivers one batch to the worker's queue handler, the way the platform would; returns acks and retries. */
async function deliver(bodies: unknown[], options: { queue?: string; attempts?: number; env?: Env; ids?: string[] } = {}) {
  const messages = bodies.map((body, i) => ({ id: options.ids?.[i] ?? `msg-${Date.now().toString(36)}-${messageCounter++}`, timestamp: new Date(), attempts: options.attempts ?? 1, body }))
  const batch = createMessageBatch(options.queue ?? 'revline-jobs', messages)
  // getQueueResult reports which messages were retried but not their delay: record the options.
  const retryOptions: Record<string, QueueRetryOptions | undefined> = {}
  for (const message of batch.messages) {
    const retry = message.retry.bind(message)
    Object.defineProperty(message, 'retry', { value: (options?: QueueRetryOptions) => ((retryOptions[message.id] = options), retry(options)) })
  }
  const ctx = createExecutionContext()
  await handler.queue!(batch, options.env ?? env, ctx)
  return { ids: messages.map((m) => m.id), result: await getQueueResult(batch, ctx), retryOptions }
}

/** Every event of an entity, the system's (jobs run as `system`) included. */
async function eventTypesOf(api: TenantApi, entity: string): Promise<string[]> {
  return ((await ok(api.get(`/events?limit=500&entity=${entity}`))).data as any[]).map((e) => e.type)
}

/** Consumes messages and every follow-up chunk they send, until none is left; each batch must be fully acked. */
async function drain(bodies: unknown[]): Promise<{ sent: Sent[]; batches: number }> {
  const all: Sent[] = []
  let pending = bodies
  let batches = 0
  while (pending.length > 0) {
    expect(++batches, 'too many follow-up chunks').toBeLessThan(20)
    const sent: Sent[] = []
    const { ids, result } = await deliver(pending, { env: recordingEnv(sent) })
    expect(result.retryMessages).toEqual([])
    expect([...result.explicitAcks].sort()).toEqual([...ids].sort())
    all.push(...sent)
    pending = sent.filter((s) => s.queue === 'revline-jobs').map((s) => s.body)
  }
  return { sent: all, batches }
}

/** Runs a cron the way the platform does, with a recording JOBS queue; returns the fanned-out messages. */
async function runCron(cron: string, scheduledTime: number): Promise<any[]> {
  const sent: Sent[] = []
  const ctx = createExecutionContext()
  await handler.scheduled!(createScheduledController({ cron, scheduledTime }), recordingEnv(sent), ctx)
  expect(sent.every((s) => s.queue === 'revline-jobs')).toBe(true)
  return sent.map((s) => s.body)
}

const stub = (slug: string) => env.TENANT.getByName(slug)

interface OutboxRow {
  seq: number
  topic: string
  payload: any
  cause: string | null
  sent_at: string | null
}
async function outbox(slug: string): Promise<OutboxRow[]> {
  return runInDurableObject(stub(slug), (_instance, state) =>
    state.storage.sql
      .exec<{ seq: number; topic: string; payload: string; cause: string | null; sent_at: string | null }>('SELECT seq, topic, payload, cause, sent_at FROM outbox ORDER BY seq')
      .toArray()
      .map((r) => ({ ...r, payload: JSON.parse(r.payload) })),
  )
}

async function suspend(slug: string) {
  const res = await request('POST', `/tenants/${slug}/suspend`, { key: ADMIN_TOKEN })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
}

const whsec = () => `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`

/** An automation that fails (a Notification without its required recipient) after its first action ran. */
function failingAutomation(on: string, when: Record<string, unknown>, first?: Record<string, unknown>) {
  return [{ id: 'doom', on, when, do: [...(first ? [first] : []), { create: 'Notification', with: { title: 'this cannot be saved' } }] }]
}

async function stageNamed(api: TenantApi, name: string) {
  const stages = (await ok(api.get('/stages?limit=100'))).data as any[]
  return stages.find((s) => s.name === name)
}

/** A deal with a contact (with an email) and an owner (with an email), in Prospecting. */
async function dealWithPeople(api: TenantApi, name = 'Acme Expansion') {
  const owner = await created(api, '/contacts', { name: 'Olivia Owner', email: `olivia-${crypto.randomUUID().slice(0, 8)}@vendor.dev` })
  const contact = await created(api, '/contacts', { name: 'Alice Chen', email: `alice-${crypto.randomUUID().slice(0, 8)}@acme.dev` })
  const deal = await created(api, '/deals', { name, value: 24_000, contact: contact.$id, owner: owner.$id, stage: 'Prospecting' })
  return { owner, contact, deal }
}

// ---------------------------------------------------------------------------------------------

describe('leadNurtureFollowUp', () => {
  it('Qualification and Proposal have autoNurture by default; the other stages do not', async () => {
    const { api } = await createTenant()
    const stages = (await ok(api.get('/stages?limit=100&sort=order'))).data as any[]
    expect(Object.fromEntries(stages.map((s) => [s.name, s.autoNurture]))).toEqual({
      Prospecting: false,
      Qualification: true,
      Proposal: true,
      Negotiation: false,
      Won: false,
      Lost: false,
    })
  })

  it('entering Qualification writes a nurture job to the outbox in the same transaction; the alarm sends it; the consumer emails the contact and notifies the owner once', async () => {
    const { slug, api } = await createTenant()
    const { owner, contact, deal } = await dealWithPeople(api)
    expect((await outbox(slug)).filter((r) => r.topic === 'nurture')).toEqual([])

    const advanced = await ok(api.post(`/deals/${deal.$id}/advance`, { stage: 'Qualification' }))
    expect(advanced.stage).toBe('Qualification')
    const event = (await api.events()).find((e) => e.type === 'deal.advanced' && e.entityId === deal.$id)
    expect(event).toBeDefined()

    const rows = (await outbox(slug)).filter((r) => r.topic === 'nurture')
    expect(rows).toHaveLength(1)
    expect(rows[0]!.payload).toEqual({ type: 'nurture', event: event.id, deal: deal.$id, stage: 'Qualification' })
    expect(rows[0]!.cause).toBe(event.id)

    // The alarm (scheduled right after the commit; it may already have run) hands it to the queue.
    await runDurableObjectAlarm(stub(slug))
    await vi.waitFor(async () => expect((await outbox(slug)).find((r) => r.topic === 'nurture')!.sent_at).not.toBeNull(), { timeout: 5_000, interval: 100 })

    const body = { type: 'nurture', tenant: slug, event: event.id, deal: deal.$id, stage: 'Qualification' }
    const first = await deliver([body], { ids: ['nurture-1'] })
    expect(first.result.explicitAcks).toEqual(['nurture-1'])
    expect(first.result.retryMessages).toEqual([])

    const messages = (await ok(api.get('/messages'))).data as any[]
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatchObject({ to: contact.email, kind: 'nurture', status: 'Sent', cause: event.id, contact: contact.$id, deal: deal.$id })
    expect(messages[0].subject).toContain('Acme Expansion')
    expect(messages[0].body).toContain('Hi Alice,')
    expect(messages[0].body).toContain('Qualification')

    const notifications = (await ok(api.get(`/notifications?recipient=${owner.$id}`))).data as any[]
    expect(notifications).toHaveLength(1)
    expect(notifications[0]).toMatchObject({ recipient: owner.$id, kind: 'nurture', deal: deal.$id, cause: event.id, status: 'Unread' })
    expect(notifications[0].title).toBe('Acme Expansion entered Qualification')

    // Redelivery (the same message again, or a second copy): acked, nothing new.
    const again = await deliver([body, body], { ids: ['nurture-1', 'nurture-1-copy'], attempts: 2 })
    expect([...again.result.explicitAcks].sort()).toEqual(['nurture-1', 'nurture-1-copy'])
    expect((await ok(api.get('/messages'))).data).toHaveLength(1)
    expect((await ok(api.get(`/notifications?recipient=${owner.$id}`))).data).toHaveLength(1)

    const runs = (await ok(api.get('/jobs'))).data as any[]
    expect(runs.find((r) => r.id === `nurture:${event.id}`)).toMatchObject({ type: 'leadNurtureFollowUp', outcome: 'ok' })
  })

  it('entering a stage by update (PATCH stage) also nurtures; entering a stage without autoNurture does not', async () => {
    const { slug, api } = await createTenant()
    const { deal } = await dealWithPeople(api)
    await ok(api.patch(`/deals/${deal.$id}`, { stage: 'Negotiation' }))
    expect((await outbox(slug)).filter((r) => r.topic === 'nurture')).toHaveLength(0)
    await ok(api.patch(`/deals/${deal.$id}`, { stage: 'Proposal' }))
    const rows = (await outbox(slug)).filter((r) => r.topic === 'nurture')
    expect(rows).toHaveLength(1)
    expect(rows[0]!.payload).toMatchObject({ deal: deal.$id, stage: 'Proposal' })
    // A change that does not move the stage is not a new entry.
    await ok(api.patch(`/deals/${deal.$id}`, { nextStep: 'Send the proposal' }))
    expect((await outbox(slug)).filter((r) => r.topic === 'nurture')).toHaveLength(1)
  })

  it('a rolled-back call writes no outbox row (and so queues nothing)', async () => {
    const { slug, api } = await createTenant()
    await ok(api.put('/settings/automations', failingAutomation('deal.advanced', { name: 'Doomed' })))
    const { deal } = await dealWithPeople(api, 'Doomed')
    const before = await outbox(slug)

    const res = await api.post(`/deals/${deal.$id}/advance`, { stage: 'Qualification' })
    expect(res.status, JSON.stringify(res.body)).toBe(422)
    expect((await ok(api.get(`/deals/${deal.$id}`))).stage).toBe('Prospecting')
    expect(await outbox(slug)).toEqual(before)
    expect((await api.eventTypes(deal.$id)).filter((t) => t === 'deal.advanced')).toEqual([])
  })

  it('uses the tenant template for the stage (PUT /settings/templates)', async () => {
    const { slug, api } = await createTenant()
    const saved = await ok(api.put('/settings/templates', { Qualification: { subject: 'A plan for {{deal.name}}', body: 'Dear {{contact.firstName}}, {{deal.name}} is now in {{stage.name}}.' } }))
    expect(saved.data.Qualification.subject).toBe('A plan for {{deal.name}}')
    const { contact, deal } = await dealWithPeople(api, 'Globex Rollout')
    await ok(api.post(`/deals/${deal.$id}/advance`, { stage: 'Qualification' }))
    const [row] = (await outbox(slug)).filter((r) => r.topic === 'nurture')
    await deliver([{ ...row!.payload, tenant: slug }])

    const messages = (await ok(api.get('/messages'))).data as any[]
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatchObject({ to: contact.email, subject: 'A plan for Globex Rollout', body: 'Dear Alice, Globex Rollout is now in Qualification.' })
  })

  it('a contact without an email gets no message; the owner is still notified', async () => {
    const { slug, api } = await createTenant()
    const owner = await created(api, '/contacts', { name: 'Olivia Owner', email: 'olivia@vendor.dev' })
    const contact = await created(api, '/contacts', { name: 'No Mail' })
    const deal = await created(api, '/deals', { name: 'Quiet deal', contact: contact.$id, owner: owner.$id, stage: 'Qualification' })
    const [row] = (await outbox(slug)).filter((r) => r.topic === 'nurture')
    expect(row!.payload).toMatchObject({ deal: deal.$id, stage: 'Qualification' })
    await deliver([{ ...row!.payload, tenant: slug }])
    expect((await ok(api.get('/messages'))).data).toHaveLength(0)
    const notifications = (await ok(api.get(`/notifications?recipient=${owner.$id}`))).data as any[]
    expect(notifications).toHaveLength(1)
    expect(notifications[0].body).toContain('No contact email')
  })

  it('integration: a nurture job sent through the real producer is consumed by the local queue', async () => {
    const { slug, api } = await createTenant()
    const { owner, contact, deal } = await dealWithPeople(api, 'Initech Pilot')
    await env.JOBS.send({ type: 'nurture', tenant: slug, event: 'evt_manual0001', deal: deal.$id, stage: 'Qualification' })
    await vi.waitFor(
      async () => {
        const messages = (await ok(api.get('/messages'))).data as any[]
        expect(messages).toHaveLength(1)
        expect(messages[0]).toMatchObject({ to: contact.email, cause: 'evt_manual0001' })
        expect(messages[0].subject).toContain('Initech Pilot')
      },
      { timeout: 15_000, interval: 250 },
    )
    expect((await ok(api.get(`/notifications?recipient=${owner.$id}`))).data).toHaveLength(1)
  }, 20_000)

  it('integration: advancing a deal reaches the contact with no manual step (outbox → alarm → queue → consumer)', async () => {
    const { api } = await createTenant()
    const { contact, deal } = await dealWithPeople(api, 'Umbrella Renewal')
    await ok(api.post(`/deals/${deal.$id}/advance`, { stage: 'Proposal' }))
    await vi.waitFor(
      async () => {
        const messages = (await ok(api.get('/messages'))).data as any[]
        expect(messages).toHaveLength(1)
        expect(messages[0]).toMatchObject({ to: contact.email, deal: deal.$id })
      },
      { timeout: 15_000, interval: 250 },
    )
  }, 20_000)
})

// ---------------------------------------------------------------------------------------------

/** A tenant with an overdue task and a deal past its stage SLA (both owned), an unowned overdue task, and things that are not overdue. */
async function reminderTenant() {
  const tenant = await createTenant('rem')
  const { api } = tenant
  const owner = await created(api, '/contacts', { name: 'Rita Rep', email: `rita-${tenant.slug}@vendor.dev` })
  const contact = await created(api, '/contacts', { name: 'Bob Buyer', email: `bob-${tenant.slug}@buyer.dev` })
  const yesterday = new Date(Date.now() - DAY_MS).toISOString()
  const tomorrow = new Date(Date.now() + DAY_MS).toISOString()
  const task = await created(api, '/activities', { subject: 'Call Bob back', type: 'Task', status: 'Pending', dueAt: yesterday, owner: owner.$id, contact: contact.$id })
  const unowned = await created(api, '/activities', { subject: 'Nobody owns this', type: 'Task', status: 'Pending', dueAt: yesterday })
  await created(api, '/activities', { subject: 'Already done', type: 'Task', status: 'Done', dueAt: yesterday, owner: owner.$id })
  await created(api, '/activities', { subject: 'Not due yet', type: 'Task', status: 'Pending', dueAt: tomorrow, owner: owner.$id })

  const deal = await created(api, '/deals', { name: `Stalled ${tenant.slug}`, owner: owner.$id, contact: contact.$id, stage: 'Prospecting' })
  await created(api, '/deals', { name: 'Fresh deal', owner: owner.$id, stage: 'Prospecting' })
  // Prospecting's SLA is 7 days: put the deal's stage clock 10 days back.
  const backdated = await api.patch(`/deals/${deal.$id}`, { stageEnteredAt: new Date(Date.now() - 10 * DAY_MS).toISOString() })
  if (backdated.status !== 200) {
    // stageEnteredAt is hook-owned: make the stage's SLA 0 days instead (admin).
    const prospecting = await stageNamed(api, 'Prospecting')
    await ok(api.patch(`/stages/${prospecting.$id}`, { slaDays: 0 }))
  }
  return { ...tenant, owner, task, unowned, deal }
}

describe('leadFollowUpReminder (cron 0 8 * * *)', () => {
  it('fans out one message per active tenant; each run notifies and emails the owner once per item per day', async () => {
    const tenants = [await reminderTenant(), await reminderTenant(), await reminderTenant()]
    const suspended = await reminderTenant()
    await suspend(suspended.slug)

    const scheduledTime = Date.now()
    const day = new Date(scheduledTime).toISOString().slice(0, 10)
    const fanned = await runCron('0 8 * * *', scheduledTime)
    for (const t of tenants) expect(fanned.filter((m) => m.tenant === t.slug), t.slug).toEqual([{ type: 'reminders', tenant: t.slug, runId: `reminders:${day}`, day }])
    expect(fanned.filter((m) => m.tenant === suspended.slug)).toEqual([])
    // Every message is for an active tenant, and no tenant gets two.
    const slugs = fanned.map((m) => m.tenant)
    expect(new Set(slugs).size).toBe(slugs.length)
    const active = ((await request('GET', '/tenants?status=active', { key: ADMIN_TOKEN })).body.data as any[]).map((t) => t.slug)
    expect([...slugs].sort()).toEqual([...active].sort())

    const mine = fanned.filter((m) => tenants.some((t) => t.slug === m.tenant))
    const first = await drain(mine)
    // Tasks first, then deals: two chunks, chained inside each tenant's one message.
    expect(first.batches).toBe(1)

    for (const t of tenants) {
      const notifications = (await ok(t.api.get('/notifications?limit=100'))).data as any[]
      expect(notifications, t.slug).toHaveLength(2)
      expect(notifications.every((n) => n.recipient === t.owner.$id && n.kind === 'reminder')).toBe(true)
      expect(notifications.find((n) => n.activity === t.task.$id)?.title).toBe('Overdue task: Call Bob back')
      expect(notifications.find((n) => n.deal === t.deal.$id)?.title).toContain(`Deal past its Prospecting SLA: Stalled ${t.slug}`)

      const emails = (await ok(t.api.get('/messages?limit=100'))).data as any[]
      expect(emails, t.slug).toHaveLength(2)
      expect(emails.every((m) => m.to === t.owner.email && m.kind === 'reminder' && m.status === 'Sent' && m.cause === `reminders:${day}`)).toBe(true)

      const runs = (await ok(t.api.get('/jobs'))).data as any[]
      const run = runs.find((r) => r.id === `reminders:${day}`)
      // Three overdue items (the unowned task counted), two reminded.
      expect(run, t.slug).toMatchObject({ type: 'leadFollowUpReminder', items: 3, changed: 2, outcome: 'ok' })
      expect(run.finishedAt).toBeTruthy()
    }

    // The suspended tenant got nothing (and a message for it would be acked and do nothing).
    const stray = await deliver([{ type: 'reminders', tenant: suspended.slug, runId: `reminders:${day}`, day }])
    expect(stray.result.explicitAcks).toHaveLength(1)
    await request('POST', `/tenants/${suspended.slug}/reactivate`, { key: ADMIN_TOKEN })
    expect((await ok(suspended.api.get('/notifications'))).data).toHaveLength(0)
    expect((await ok(suspended.api.get('/messages'))).data).toHaveLength(0)
    await suspend(suspended.slug)

    // The same day again (a second cron run or a redelivery): nothing new.
    await drain(mine)
    for (const t of tenants) {
      expect((await ok(t.api.get('/notifications?limit=100'))).data, t.slug).toHaveLength(2)
      expect((await ok(t.api.get('/messages?limit=100'))).data, t.slug).toHaveLength(2)
      expect(((await ok(t.api.get('/jobs'))).data as any[]).filter((r) => r.type === 'leadFollowUpReminder')).toHaveLength(1)
    }

    // The next day: reminded again.
    const nextDay = new Date(scheduledTime + DAY_MS).toISOString().slice(0, 10)
    await drain([{ type: 'reminders', tenant: tenants[0]!.slug, runId: `reminders:${nextDay}`, day: nextDay }])
    expect((await ok(tenants[0]!.api.get('/notifications?limit=100'))).data).toHaveLength(4)
    expect((await ok(tenants[1]!.api.get('/notifications?limit=100'))).data).toHaveLength(2)
  }, 60_000)

  it("the run's detail reports the overdue items that have no owner", async () => {
    const t = await reminderTenant()
    const day = new Date().toISOString().slice(0, 10)
    await drain([{ type: 'reminders', tenant: t.slug, runId: `reminders:${day}`, day }])
    const run = ((await ok(t.api.get('/jobs'))).data as any[]).find((r) => r.id === `reminders:${day}`)
    expect(run).toMatchObject({ items: 3, changed: 2, outcome: 'ok' })
    // The unowned task was seen in the first (tasks) chunk; the run finishes after the deals chunk.
    expect(run.detail ?? '').toContain('1 overdue items have no owner')
  })

  it('a redelivered reminder message does not count its items twice in the run', async () => {
    const t = await reminderTenant()
    const day = new Date().toISOString().slice(0, 10)
    const message = { type: 'reminders', tenant: t.slug, runId: `reminders:${day}`, day }
    await drain([message])
    await drain([message])
    expect((await ok(t.api.get('/notifications?limit=100'))).data).toHaveLength(2)
    const runs = ((await ok(t.api.get('/jobs'))).data as any[]).filter((r) => r.type === 'leadFollowUpReminder')
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ items: 3, changed: 2, outcome: 'ok' })
  })

  it('GET /jobs is admin-only', async () => {
    const { slug, key } = await createTenant()
    const member = await issueKey(slug, key, 'member')
    expect((await member.api.get('/jobs')).status).toBe(403)
    expect((await member.api.get('/jobs/dead')).status).toBe(403)
    expect((await member.api.get('/webhooks/deliveries')).status).toBe(403)
  })
})

// ---------------------------------------------------------------------------------------------

describe('leadScoreRefresh (cron 0 3 * * *)', () => {
  async function scoringTenant() {
    const tenant = await createTenant('score')
    const referral = await created(tenant.api, '/leads', { name: 'Referral lead', source: 'referral' })
    const website = await created(tenant.api, '/leads', { name: 'Website lead', source: 'website' })
    expect([referral.score, website.score]).toEqual([20, 0])
    // Scored from its contact and organization too, which the job reads per chunk.
    const organization = await created(tenant.api, '/organizations', { name: 'Acme', industry: 'SaaS', employeeCount: 250 })
    const contact = await created(tenant.api, '/contacts', { name: 'Cleo', email: 'cleo@acme.dev', title: 'CEO', organization: organization.$id })
    const related = await created(tenant.api, '/leads', { name: 'Related lead', source: 'website', contact: contact.$id, organization: organization.$id })
    expect(related.score).toBeGreaterThan(20)
    return { ...tenant, referral, website, related }
  }

  it('rescores every active tenant; only leads whose score changed get lead.rescored and a new LeadScore row', async () => {
    const tenants = [await scoringTenant(), await scoringTenant(), await scoringTenant()]
    const suspended = await scoringTenant()
    await suspend(suspended.slug)
    // The first tenant now values referrals at 30.
    const rules = DEFAULT_RULESET.rules.map((r) => (r.id === 'referral-source' ? { ...r, points: 30 } : r))
    await ok(tenants[0]!.api.put('/settings/scoring', { ...DEFAULT_RULESET, rules }))

    const scheduledTime = Date.now()
    const day = new Date(scheduledTime).toISOString().slice(0, 10)
    const fanned = await runCron('0 3 * * *', scheduledTime)
    for (const t of tenants) expect(fanned.filter((m) => m.tenant === t.slug)).toEqual([{ type: 'rescore', tenant: t.slug, runId: `rescore:${day}` }])
    expect(fanned.filter((m) => m.tenant === suspended.slug)).toEqual([])

    const { batches } = await drain(fanned.filter((m) => tenants.some((t) => t.slug === m.tenant)))
    expect(batches).toBe(1)

    const [changed, ...same] = tenants
    expect((await ok(changed!.api.get(`/leads/${changed!.referral.$id}`))).score).toBe(30)
    const scores = (await ok(changed!.api.get(`/leads/${changed!.referral.$id}/scores`))).data as any[]
    expect(scores.map((s) => [s.score, s.reason, s.rulesetVersion])).toEqual([
      [30, 'rescored', 2],
      [20, 'created', 1],
    ])
    expect((await eventTypesOf(changed!.api, changed!.referral.$id)).filter((t) => t === 'lead.rescored')).toHaveLength(1)
    expect((await eventTypesOf(changed!.api, changed!.website.$id)).filter((t) => t === 'lead.rescored')).toHaveLength(0)
    expect((await ok(changed!.api.get(`/leads/${changed!.website.$id}/scores`))).data).toHaveLength(1)
    expect((await eventTypesOf(changed!.api, changed!.related.$id)).filter((t) => t === 'lead.rescored')).toHaveLength(0)
    expect((await ok(changed!.api.get('/jobs'))).data.find((r: any) => r.id === `rescore:${day}`)).toMatchObject({ type: 'leadScoreRefresh', items: 3, changed: 1, outcome: 'ok' })

    for (const t of same) {
      expect((await eventTypesOf(t.api, t.referral.$id)).filter((type) => type === 'lead.rescored'), t.slug).toEqual([])
      expect((await eventTypesOf(t.api, t.related.$id)).filter((type) => type === 'lead.rescored'), t.slug).toEqual([])
      expect((await eventTypesOf(t.api, t.website.$id)).filter((type) => type === 'lead.rescored'), t.slug).toEqual([])
      expect((await ok(t.api.get(`/leads/${t.referral.$id}/scores`))).data).toHaveLength(1)
      expect((await ok(t.api.get('/jobs'))).data.find((r: any) => r.id === `rescore:${day}`)).toMatchObject({ type: 'leadScoreRefresh', items: 3, changed: 0, outcome: 'ok' })
    }

    // Running it again changes nothing more.
    await drain([{ type: 'rescore', tenant: changed!.slug, runId: `rescore:${day}-again` }])
    expect((await ok(changed!.api.get(`/leads/${changed!.referral.$id}/scores`))).data).toHaveLength(2)
  }, 60_000)

  it('a small tenant is done in one chunk (no `next`); closed leads are not rescored', async () => {
    const t = await scoringTenant()
    const lost = await created(t.api, '/leads', { name: 'Lost one', source: 'referral' })
    await ok(t.api.post(`/leads/${lost.$id}/lose`, { lostReason: 'budget' }))
    await ok(t.api.put('/settings/scoring', { ...DEFAULT_RULESET, rules: DEFAULT_RULESET.rules.filter((r) => r.id !== 'referral-source') }))

    const outcome = (await stub(t.slug).runJob({ type: 'rescore', tenant: t.slug, runId: 'rescore:direct' })) as any
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true)
    expect(outcome.value).toEqual({ type: 'rescore', items: 3, changed: 1 })
    expect('next' in outcome.value).toBe(false)
    expect((await ok(t.api.get(`/leads/${lost.$id}`))).score).toBe(20)
    expect((await ok(t.api.get(`/leads/${t.referral.$id}`))).score).toBe(0)
  })

  it('when the tenant object answers with `next`, the consumer runs the next chunk itself, and hands over after its time budget', async () => {
    const calls: any[] = []
    const answer = (job: any) => (job.cursor ? { type: 'rescore', items: 5, changed: 0 } : { type: 'rescore', items: 2000, changed: 3, next: 'lead_zzzzzzzzz' })
    const fakeTenant = { getByName: () => ({ runJob: async (job: any) => (calls.push(job), { ok: true, value: answer(job) }) }) }
    const job = { type: 'rescore', tenant: 'big-tenant', runId: 'rescore:2026-05-15' }

    const sent: Sent[] = []
    const first = await deliver([job], { env: recordingEnv(sent, { TENANT: fakeTenant }) })
    expect(first.result.explicitAcks).toEqual(first.ids)
    expect(calls).toEqual([job, { ...job, cursor: 'lead_zzzzzzzzz' }])
    expect(sent).toEqual([])

    // Past CHAIN_MS the rest becomes a follow-up message rather than a long invocation.
    const later: Sent[] = []
    let clock = 0
    await handleChunked(recordingEnv(later, { TENANT: fakeTenant }) as never, job as never, () => (clock += CHAIN_MS + 1))
    expect(later).toEqual([{ queue: 'revline-jobs', body: { ...job, cursor: 'lead_zzzzzzzzz' }, delaySeconds: undefined }])
  })
})

// ---------------------------------------------------------------------------------------------

describe('failures', () => {
  it('a webhook to an unreachable URL is retried with backoff, and the failed attempt is logged', async () => {
    const { slug, api } = await createTenant()
    // `.invalid` never resolves (RFC 6761): the fetch fails at once, as an unreachable receiver's would.
    // (A loopback or private address is refused before any fetch: see 'outbound webhook targets'.)
    await ok(api.put('/settings/webhooks', [{ id: 'down', url: 'http://hooks.invalid/hook', events: ['contact.created'], secret: whsec() }]))
    const contact = await created(api, '/contacts', { name: 'Hook Target' })
    const event = (await api.events()).find((e) => e.type === 'contact.created' && e.entityId === contact.$id)
    const body = { type: 'webhook', tenant: slug, subscription: 'down', event: event.id }

    const first = await deliver([body], { ids: ['hook-1'] })
    expect(first.result.explicitAcks).toEqual([])
    expect(first.result.retryMessages).toEqual([{ msgId: 'hook-1' }])
    expect(first.retryOptions['hook-1']).toEqual({ delaySeconds: 10 })
    const later = await deliver([body], { ids: ['hook-1'], attempts: 3 })
    expect(later.result.retryMessages).toEqual([{ msgId: 'hook-1' }])
    expect(later.retryOptions['hook-1']).toEqual({ delaySeconds: 40 })

    const deliveries = (await ok(api.get('/webhooks/deliveries'))).data as any[]
    const mine = deliveries.filter((d) => d.eventId === event.id)
    expect(mine.length).toBeGreaterThanOrEqual(2)
    expect(mine.every((d) => d.status === 'failed' && d.responseStatus === null && typeof d.error === 'string' && d.url === 'http://hooks.invalid/hook')).toBe(true)
    expect(mine[0]).toMatchObject({ subscription: 'down', eventType: 'contact.created', webhookId: `msg_${event.id}_down` })
    // Attempts are numbered.
    expect(new Set(mine.map((d) => d.attempt)).size).toBe(mine.length)
  })

  it('a malformed message is acked, not retried, and sent to the dead-letter queue', async () => {
    const { slug, api } = await createTenant()
    const malformed = { type: 'nurture', tenant: slug, deal: 'deal_000000000' }

    const sent: Sent[] = []
    const { ids, result } = await deliver([malformed], { env: recordingEnv(sent) })
    expect(result.explicitAcks).toEqual(ids)
    expect(result.retryMessages).toEqual([])
    expect(sent).toEqual([{ queue: 'revline-jobs-dlq', body: malformed, delaySeconds: undefined }])

    // Through the real dead-letter queue, it ends up in the tenant's dead letters.
    const unknownType = { type: 'teleport', tenant: slug }
    await deliver([unknownType])
    await vi.waitFor(
      async () => {
        const letters = (await ok(api.get('/jobs/dead'))).data as any[]
        expect(letters.find((l) => l.type === 'teleport')).toMatchObject({ body: unknownType })
      },
      { timeout: 15_000, interval: 250 },
    )
  }, 20_000)

  it('the dead-letter consumer records each letter in its tenant (GET /jobs/dead)', async () => {
    const { slug, api } = await createTenant()
    const letter = { type: 'webhook', tenant: slug, subscription: 'down', event: 'evt_000000000' }
    const { result } = await deliver([letter, { type: 'webhook', event: 'no tenant' }], { queue: 'revline-jobs-dlq', ids: ['dead-1', 'dead-2'], attempts: 5 })
    expect([...result.explicitAcks].sort()).toEqual(['dead-1', 'dead-2'])
    expect(result.retryMessages).toEqual([])

    const letters = (await ok(api.get('/jobs/dead'))).data as any[]
    expect(letters).toHaveLength(1)
    expect(letters[0]).toMatchObject({ id: 'dead-1', type: 'webhook', attempts: 5, body: letter })
    expect(letters[0].receivedAt).toBeTruthy()

    // The same letter delivered twice is recorded once.
    await deliver([letter], { queue: 'revline-jobs-dlq', ids: ['dead-1'], attempts: 5 })
    expect((await ok(api.get('/jobs/dead'))).data).toHaveLength(1)
  })
})

// ---------------------------------------------------------------------------------------------

describe('outbound webhooks', () => {
  it('only events matching a subscription (deal.*) are written to the outbox, deal.won included', async () => {
    const { slug, api } = await createTenant()
    const secret = whsec()
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    const saved = await ok(api.put('/settings/webhooks', [{ id: 'crm-sync', url: 'https://crm-sync.invalid/deals', events: ['deal.*'], secret }]))
    expect(saved.data[0]).toMatchObject({ id: 'crm-sync', events: ['deal.*'], enabled: true })

    const contact = await created(api, '/contacts', { name: 'Alice Chen', email: 'alice@acme.dev' })
    const deal = await created(api, '/deals', { name: 'Acme Enterprise', value: 48_000, contact: contact.$id, stage: 'Negotiation' })
    await ok(api.post(`/deals/${deal.$id}/win`))

    const events = await api.events()
    const typeOf = new Map(events.map((e) => [e.id, e.type]))
    const won = events.find((e) => e.type === 'deal.won')
    // Winning emitted more than deal events (billing, the contact, the timeline)...
    expect(events.some((e) => e.type === 'customer.created')).toBe(true)
    expect(events.some((e) => e.type === 'subscription.created')).toBe(true)

    // ...but only deal events were queued for the subscription.
    const hooks = (await outbox(slug)).filter((r) => r.topic === 'webhook')
    expect(hooks.map((r) => typeOf.get(r.payload.event))).toEqual(['deal.created', 'deal.won'])
    const wonRow = hooks.find((r) => r.payload.event === won.id)!
    expect(wonRow.payload).toEqual({ type: 'webhook', subscription: 'crm-sync', event: won.id })
    expect(wonRow.cause).toBe(won.id)
  })

  it('nothing is queued for a rolled-back call', async () => {
    const { slug, api } = await createTenant()
    await ok(api.put('/settings/webhooks', [{ id: 'crm-sync', url: 'https://crm-sync.invalid/deals', events: ['deal.*'], secret: whsec() }]))
    // Creating the contact "Doomed" creates a deal (a deal.created webhook) and then fails.
    await ok(api.put('/settings/automations', failingAutomation('contact.created', { name: 'Doomed' }, { create: 'Deal', with: { name: 'Doomed deal', contact: '{{contact.$id}}' } })))
    const before = await outbox(slug)

    const res = await api.post('/contacts', { name: 'Doomed' })
    expect(res.status, JSON.stringify(res.body)).toBe(422)
    expect((await ok(api.get('/deals'))).data).toHaveLength(0)
    expect(await outbox(slug)).toEqual(before)

    // A call that commits does queue.
    await created(api, '/contacts', { name: 'Fine' })
    await created(api, '/deals', { name: 'Fine deal' })
    expect((await outbox(slug)).filter((r) => r.topic === 'webhook')).toHaveLength(before.filter((r) => r.topic === 'webhook').length + 1)
  })
})

describe('outbound webhook targets', () => {
  it('refuses private, loopback and link-local URLs when the webhooks are saved (422 naming webhooks.<i>.url)', async () => {
    const { api } = await createTenant()
    const before = await ok(api.get('/settings/webhooks'))
    const hook = (id: string, url: string) => ({ id, url, events: ['deal.*'], secret: whsec() })
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://127.0.0.1:9/hook', 'http://localhost:8787/hook', 'http://10.0.0.5/hook', 'http://[::1]/hook', 'http://2130706433/hook', 'http://[::ffff:7f00:1]/hook']) {
      const res = await api.put('/settings/webhooks', [hook('public', 'https://hooks.example.com/in'), hook('private', url)])
      expect(res.status, `${url} ${JSON.stringify(res.body)}`).toBe(422)
      expect(res.body.code).toBe('validation_failed')
      expect(res.body.errors.map((e: { path: string }) => e.path), url).toEqual(['webhooks.1.url'])
    }
    expect(await ok(api.get('/settings/webhooks'))).toEqual(before)
    const saved = await ok(api.put('/settings/webhooks', [hook('public', 'https://hooks.example.com/in')]))
    expect(saved.data).toHaveLength(1)
  })

  it('records a stored private target as a failed delivery without requesting it, and does not retry it', async () => {
    const { slug, api } = await createTenant()
    // A URL saved before the check existed (or under the local-development policy), written straight into the object.
    await runInDurableObject(stub(slug), (instance) => {
      const state = (instance as unknown as { state: { settings(): object; writeSettings(s: object): void } }).state
      state.writeSettings({ ...state.settings(), webhooks: [{ id: 'metadata', url: 'http://169.254.169.254/latest/meta-data/', events: ['contact.created'], secret: whsec(), enabled: true }] })
    })
    const contact = await created(api, '/contacts', { name: 'Hook Target' })
    const event = (await api.events()).find((e) => e.type === 'contact.created' && e.entityId === contact.$id)
    const fetched = vi.spyOn(globalThis, 'fetch')
    try {
      const { ids, result } = await deliver([{ type: 'webhook', tenant: slug, subscription: 'metadata', event: event.id }])
      expect(result.explicitAcks).toEqual(ids)
      expect(result.retryMessages).toEqual([])
      expect(fetched.mock.calls.map(([input]) => String(input instanceof Request ? input.url : input))).not.toContain('http://169.254.169.254/latest/meta-data/')
    } finally {
      fetched.mockRestore()
    }
    const mine = ((await ok(api.get('/webhooks/deliveries'))).data as any[]).filter((d) => d.eventId === event.id && d.subscription === 'metadata')
    expect(mine.length).toBeGreaterThanOrEqual(1)
    for (const d of mine) expect(d).toMatchObject({ status: 'failed', responseStatus: null, url: 'http://169.254.169.254/latest/meta-data/', error: expect.stringMatching(/^target refused: /) })
  })

  it('delivers to a private target when the deployment allows it (ALLOW_PRIVATE_WEBHOOK_TARGETS = "true", local development)', async () => {
    const { slug, api } = await createTenant()
    await runInDurableObject(stub(slug), (instance) => {
      const state = (instance as unknown as { state: { settings(): object; writeSettings(s: object): void } }).state
      state.writeSettings({ ...state.settings(), webhooks: [{ id: 'local', url: 'http://127.0.0.1:9/hook', events: ['contact.created'], secret: whsec(), enabled: true }] })
    })
    const contact = await created(api, '/contacts', { name: 'Local Receiver' })
    const event = (await api.events()).find((e) => e.type === 'contact.created' && e.entityId === contact.$id)
    // The receiver on this machine is played by the test: the request is answered without leaving the process.
    const fetched = vi.spyOn(globalThis, 'fetch').mockImplementation(async () => new Response(null, { status: 204 }))
    try {
      const { ids, result } = await deliver([{ type: 'webhook', tenant: slug, subscription: 'local', event: event.id }], { env: { ...env, ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true' } as Env })
      expect(result.explicitAcks).toEqual(ids)
      expect(fetched.mock.calls.map(([input]) => String(input instanceof Request ? input.url : input))).toContain('http://127.0.0.1:9/hook')
    } finally {
      fetched.mockRestore()
    }
    const mine = ((await ok(api.get('/webhooks/deliveries'))).data as any[]).filter((d) => d.eventId === event.id && d.subscription === 'local')
    expect(mine.some((d) => d.status === 'delivered' && d.responseStatus === 204)).toBe(true)
  })
})
