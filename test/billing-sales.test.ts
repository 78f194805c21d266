/**
 * Seed 004's sales flow: proposals priced from the tenant's tiers (line items, totals in major units, an
 * HTML document), the tiers themselves as admin settings, and contracts whose signature wins the
 * deal, which provisions billing (seed 000) and opens onboarding.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { createTenant, request, type ApiResponse, type TenantApi } from './helpers'
import { createOk as create, expectProblem, readOk as read } from './helpers'

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const DAY_MS = 86_400_000

/** Seed 004's "warrior" tier as every new tenant has it (src/domain/settings.ts). */
const WARRIOR_ITEMS = [
  { description: 'Discovery and strategy', quantity: 1, unitPrice: 3_000 },
  { description: 'Implementation sprint', quantity: 4, unitPrice: 4_500 },
  { description: 'Monthly retainer (6 months)', quantity: 6, unitPrice: 3_500 },
]
const WARRIOR_TOTAL = 3_000 + 4 * 4_500 + 6 * 3_500 // $42,000.00

/** Runs a write that must change nothing: returns the response; checks the entity and the log. */
async function expectNothingWritten(api: TenantApi, paths: string[], call: () => Promise<ApiResponse>) {
  const before = await Promise.all(paths.map((p) => read(api, p)))
  const eventsBefore = await api.events()
  const res = await call()
  expect(await Promise.all(paths.map((p) => read(api, p)))).toEqual(before)
  expect(await api.events()).toEqual(eventsBefore)
  return res
}

const money = (amount: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(amount)

// ---------------------------------------------------------------------------------------------
// Proposals
// ---------------------------------------------------------------------------------------------

describe('Proposals', () => {
  let api: TenantApi
  let deal: any
  beforeAll(async () => {
    api = (await createTenant('proposals')).api
    deal = await create(api, 'deals', { name: 'Acme Rollout', value: 42_000 })
  })

  it('copies the warrior tier’s line items and computes the total (major units, like every amount)', async () => {
    const res = await api.post('/proposals', { deal: deal.$id, tier: 'warrior' })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const proposal = res.body
    expect(WARRIOR_TOTAL).toBe(42_000)
    expect(proposal).toMatchObject({
      deal: deal.$id,
      tier: 'warrior',
      lineItems: WARRIOR_ITEMS,
      total: WARRIOR_TOTAL,
      currency: 'USD',
      status: 'Draft',
      title: 'Acme Rollout — Warrior',
      $version: 1,
    })
    expect(await read(api, `/proposals/${proposal.$id}`)).toEqual(proposal)
    const events = await api.events(`entity=${proposal.$id}`)
    expect(events.map((e) => e.type)).toEqual(['proposal.created'])
    expect(events[0]).toMatchObject({ cause: null, data: { lineItems: WARRIOR_ITEMS, total: WARRIOR_TOTAL } })
    expect(events[0].after).toEqual(proposal)
  })

  it('refuses an unknown tier: 422 naming tier, nothing written', async () => {
    const before = (await api.get('/proposals')).body.total
    const eventsBefore = await api.events()
    const res = await api.post('/proposals', { deal: deal.$id, tier: 'samurai' })
    expectProblem(res, 422, 'validation_failed')
    expect(res.body.detail).toContain('samurai')
    expect(res.body.errors).toEqual([{ path: 'tier', message: expect.stringContaining('warrior') }])
    expect((await api.get('/proposals')).body.total).toBe(before)
    expect(await api.events()).toEqual(eventsBefore)
  })

  it('prices custom line items itself: a total sent by the client is ignored', async () => {
    const lineItems = [
      { description: 'Audit', quantity: 2, unitPrice: 125 },
      { description: 'Workshop', unitPrice: 800.5 },
    ]
    const proposal = await create(api, 'proposals', { deal: deal.$id, tier: 'starter', lineItems, total: 1, title: 'Custom' })
    expect(proposal).toMatchObject({
      tier: 'starter',
      title: 'Custom',
      lineItems: [lineItems[0], { ...lineItems[1], quantity: 1 }],
      total: 2 * 125 + 800.5,
    })
    expect(await read(api, `/proposals/${proposal.$id}`)).toEqual(proposal)
  })

  it('refuses invalid line items (422, paths under lineItems), nothing written', async () => {
    for (const lineItems of [[], [{ description: 'Free lunch', quantity: 1, unitPrice: -5 }], [{ description: '', quantity: 1, unitPrice: 5 }], [{ description: 'Half cent', quantity: 1, unitPrice: 0.005 }]]) {
      const eventsBefore = await api.events()
      const res = await api.post('/proposals', { deal: deal.$id, tier: 'warrior', lineItems })
      expectProblem(res, 422, 'validation_failed')
      for (const error of res.body.errors ?? []) expect(error.path).toMatch(/^lineItems/)
      expect(await api.events()).toEqual(eventsBefore)
    }
  })

  it('reprices a Draft when its line items or tier change (proposal.updated carries the new total)', async () => {
    const proposal = await create(api, 'proposals', { deal: deal.$id, tier: 'warrior' })
    const path = `/proposals/${proposal.$id}`
    const items = [{ description: 'Only the sprint', quantity: 2, unitPrice: 4_500 }]
    const res = await api.patch(path, { lineItems: items })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ lineItems: items, total: 9_000, $version: 2 })
    expect(await read(api, path)).toEqual(res.body)
    const [, updated] = await api.events(`entity=${proposal.$id}`)
    expect(updated).toMatchObject({ type: 'proposal.updated', cause: null, data: { lineItems: items, total: 9_000 } })

    const retiered = await api.patch(path, { tier: 'starter' })
    expect(retiered.status).toBe(200)
    expect(retiered.body).toMatchObject({ tier: 'starter', total: 1_500 + 3 * 2_000 })
    expect(retiered.body.lineItems).toHaveLength(2)
  })

  it('refuses to reprice a Sent proposal (409), nothing written', async () => {
    const proposal = await create(api, 'proposals', { deal: deal.$id, tier: 'warrior' })
    const path = `/proposals/${proposal.$id}`
    expect((await api.post(`${path}/send`)).status).toBe(200)
    const res = await expectNothingWritten(api, [path], () => api.patch(path, { lineItems: [{ description: 'Discount', quantity: 1, unitPrice: 1 }] }))
    expectProblem(res, 409, 'invalid_transition')
    expectProblem(await expectNothingWritten(api, [path], () => api.patch(path, { tier: 'starter' })), 409, 'invalid_transition')
    expectProblem(await expectNothingWritten(api, [path], () => api.patch(path, { total: 1 })), 409, 'invalid_transition')
    // Fields that do not touch the price stay editable.
    expect((await api.patch(path, { notes: 'Call on Monday' })).status).toBe(200)
    expect(await read(api, path)).toMatchObject({ total: WARRIOR_TOTAL, lineItems: WARRIOR_ITEMS, notes: 'Call on Monday' })
  })

  it('renders as an HTML document with the deal name, each line item and the formatted total', async () => {
    const contact = await create(api, 'contacts', { name: 'Alice Chen', email: 'alice@acme.dev' })
    const forDoc = await create(api, 'deals', { name: 'Acme Platform Evaluation', contact: contact.$id })
    const proposal = await create(api, 'proposals', { deal: forDoc.$id, tier: 'warrior', notes: 'Valid for 30 days' })
    const res = await api.get(`/proposals/${proposal.$id}/document`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    const html = String(res.body)
    expect(html.slice(0, 15).toLowerCase()).toBe('<!doctype html>')
    expect(html).toContain('Acme Platform Evaluation')
    expect(html).toContain('Alice Chen')
    expect(html).toContain(proposal.$id)
    for (const item of WARRIOR_ITEMS) {
      expect(html).toContain(item.description)
      expect(html).toContain(money(item.unitPrice))
      expect(html).toContain(money(item.quantity * item.unitPrice))
    }
    expect(money(WARRIOR_TOTAL)).toBe('$42,000.00')
    expect(html).toContain('$42,000.00')
    expect(html).toContain('Valid for 30 days')
    // Reading the document writes nothing.
    expect((await api.events()).at(-1).entityId).toBe(proposal.$id)
  })

  it('escapes what the tenant typed in the document', async () => {
    const risky = await create(api, 'deals', { name: 'Tom & Jerry <script>alert(1)</script>' })
    const proposal = await create(api, 'proposals', { deal: risky.$id, tier: 'starter' })
    const html = String((await api.get(`/proposals/${proposal.$id}/document`)).body)
    expect(html).not.toContain('<script>alert(1)</script>')
    expect(html).toContain('Tom &amp; Jerry &lt;script&gt;')
  })

  it('answers 404 for the document of a proposal that does not exist', async () => {
    expectProblem(await api.get('/proposals/proposal_000000000/document'), 404, 'not_found')
    expectProblem(await api.get('/proposals/nope/document'), 404, 'not_found')
  })
})

// ---------------------------------------------------------------------------------------------
// Tiers (settings)
// ---------------------------------------------------------------------------------------------

type Tenant = Awaited<ReturnType<typeof createTenant>>

/** The tenant api helper has no PUT; settings sections are replaced with one. */
function putRaw(t: Tenant, path: string, body: string, type: string) {
  return request('PUT', `/~${t.slug}${path}`, { key: t.key, body, headers: { 'content-type': type } })
}
const put = (t: Tenant, path: string, body: unknown) => putRaw(t, path, JSON.stringify(body), 'application/json')

describe('Settings: tiers', () => {
  const TIERS = [
    { name: 'lite', label: 'Lite', currency: 'USD', lineItems: [{ description: 'Setup', quantity: 1, unitPrice: 500 }] },
    {
      name: 'pro-plus',
      label: 'Pro Plus',
      currency: 'EUR',
      lineItems: [
        { description: 'Setup', quantity: 1, unitPrice: 900 },
        { description: 'Support (months)', quantity: 12, unitPrice: 100 },
      ],
    },
  ]

  it('reads the default tiers of a new tenant', async () => {
    const { api } = await createTenant()
    const res = await api.get('/settings/tiers')
    expect(res.status).toBe(200)
    expect(res.body.data.map((t: { name: string }) => t.name)).toEqual(['starter', 'warrior', 'general'])
    expect(res.body.data[1]).toEqual({ name: 'warrior', label: 'Warrior', currency: 'USD', lineItems: WARRIOR_ITEMS })
    expect(res.body.version).toEqual(expect.any(Number))
  })

  it('replaces the tiers with PUT (settings.updated), reads them back, and prices proposals from them', async () => {
    const t = await createTenant()
    const { api } = t
    const before = await read(api, '/settings/tiers')
    const res = await put(t, '/settings/tiers', TIERS)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toEqual({ data: TIERS, version: before.version + 1 })
    expect(await read(api, '/settings/tiers')).toEqual({ data: TIERS, version: before.version + 1 })

    const events = await api.events()
    expect(events.map((e) => e.type)).toEqual(['settings.updated'])
    expect(events[0]).toMatchObject({ entityType: 'Settings', data: { tiers: TIERS }, cause: null })

    const deal = await create(api, 'deals', { name: 'Euro deal' })
    const proposal = await create(api, 'proposals', { deal: deal.$id, tier: 'pro-plus' })
    expect(proposal).toMatchObject({ lineItems: TIERS[1]!.lineItems, total: 900 + 12 * 100, currency: 'EUR', title: 'Euro deal — Pro Plus' })
    const gone = await api.post('/proposals', { deal: deal.$id, tier: 'warrior' })
    expectProblem(gone, 422, 'validation_failed')
    expect(gone.body.errors).toEqual([{ path: 'tier', message: expect.stringContaining('pro-plus') }])
  })

  it('keeps existing proposals as they were priced when the tiers change', async () => {
    const t = await createTenant()
    const deal = await create(t.api, 'deals', { name: 'Priced before' })
    const proposal = await create(t.api, 'proposals', { deal: deal.$id, tier: 'warrior' })
    expect((await put(t, '/settings/tiers', TIERS)).status).toBe(200)
    expect(await read(t.api, `/proposals/${proposal.$id}`)).toEqual(proposal)
  })

  const BAD: [string, unknown][] = [
    ['an object, not a list', { tiers: TIERS }],
    ['an empty list', []],
    ['an upper-case name', [{ ...TIERS[0], name: 'Lite' }]],
    ['no line items', [{ ...TIERS[0], lineItems: [] }]],
    ['a unit price finer than a cent', [{ ...TIERS[0], lineItems: [{ description: 'x', quantity: 1, unitPrice: 1.505 }] }]],
    ['an unknown key', [{ ...TIERS[0], colour: 'red' }]],
    ['a currency that is not ISO 4217', [{ ...TIERS[0], currency: 'dollars' }]],
  ]
  for (const [what, body] of BAD) {
    it(`refuses tiers with ${what} (422), changing nothing`, async () => {
      const t = await createTenant()
      const before = await read(t.api, '/settings/tiers')
      const res = await put(t, '/settings/tiers', body)
      expectProblem(res, 422, 'validation_failed')
      expect(res.body.errors?.length).toBeGreaterThan(0)
      expect(await read(t.api, '/settings/tiers')).toEqual(before)
      expect(await t.api.events()).toEqual([])
    })
  }

  it('refuses duplicate tier names (422), changing nothing', async () => {
    const t = await createTenant()
    const before = await read(t.api, '/settings/tiers')
    const res = await put(t, '/settings/tiers', [TIERS[0], { ...TIERS[1], name: 'lite' }])
    expectProblem(res, 422, 'validation_failed')
    expect(res.body.detail).toMatch(/unique/)
    expect(await read(t.api, '/settings/tiers')).toEqual(before)
    expect(await t.api.events()).toEqual([])
  })

  it('refuses a body that is not JSON: 415 for another media type, 400 for broken JSON', async () => {
    const t = await createTenant()
    expectProblem(await putRaw(t, '/settings/tiers', 'name=lite', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type')
    expectProblem(await putRaw(t, '/settings/tiers', '[{', 'application/json'), 400, 'bad_request')
    expect(await t.api.events()).toEqual([])
  })
})

// ---------------------------------------------------------------------------------------------
// Contracts
// ---------------------------------------------------------------------------------------------

describe('Contracts', () => {
  /** A qualified contact, their deal and a warrior proposal for it. */
  async function pipeline(api: TenantApi, dealBody: Record<string, unknown> = {}) {
    const contact = await create(api, 'contacts', { name: 'Alice Chen', email: 'alice@acme.dev', stage: 'Qualified' })
    const deal = await create(api, 'deals', { name: 'Acme Enterprise', value: 42_000, contact: contact.$id, stage: 'Negotiation', ...dealBody })
    const proposal = await create(api, 'proposals', { deal: deal.$id, tier: 'warrior' })
    return { contact, deal, proposal }
  }

  /** Seed 004: a contract is sent before it is signed. */
  async function sent(api: TenantApi, contract: { $id: string }) {
    const res = await api.post(`/contracts/${contract.$id}/send`)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    return res.body
  }

  it('is drawn up when its proposal is accepted: the proposal’s deal, total and currency, caused by proposal.accepted', async () => {
    const { api } = await createTenant()
    const { deal, proposal } = await pipeline(api)
    expect((await api.post(`/proposals/${proposal.$id}/send`)).status).toBe(200)
    const eventsBefore = await api.events()
    const accepted = await api.post(`/proposals/${proposal.$id}/accept`)
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200)
    const events = (await api.events()).slice(eventsBefore.length)
    expect(events.map((e) => e.type)).toEqual(['proposal.accepted', 'contract.created'])
    expect(events[1].cause).toBe(events[0].id)
    const contracts = (await api.get(`/contracts?proposal=${proposal.$id}`)).body.data
    expect(contracts).toHaveLength(1)
    expect(contracts[0]).toMatchObject({ deal: deal.$id, value: WARRIOR_TOTAL, currency: 'USD', status: 'Draft' })
    expect(contracts[0].title).toContain('Acme Enterprise')
  })

  it('is signed only after it was sent: signing a Draft is a 409, nothing written', async () => {
    const { api } = await createTenant()
    const { deal, proposal } = await pipeline(api)
    const contract = await create(api, 'contracts', { proposal: proposal.$id })
    const path = `/contracts/${contract.$id}`
    const res = await expectNothingWritten(api, [path, `/deals/${deal.$id}`], () => api.post(`${path}/sign`))
    expectProblem(res, 409, 'invalid_transition')
    await sent(api, contract)
    expect((await api.post(`${path}/sign`)).status).toBe(200)
  })

  it('signing makes the contract’s value (and currency) the deal’s, then wins it: revenue is what was signed', async () => {
    const { api } = await createTenant()
    const { deal, proposal } = await pipeline(api, { value: 40_000 })
    const contract = await sent(api, await create(api, 'contracts', { proposal: proposal.$id }))
    const eventsBefore = await api.events()
    expect((await api.post(`/contracts/${contract.$id}/sign`)).status).toBe(200)
    const events = (await api.events()).slice(eventsBefore.length)
    expect(events.slice(0, 3).map((e) => e.type)).toEqual(['contract.signed', 'deal.updated', 'deal.won'])
    expect(events[1]).toMatchObject({ entityId: deal.$id, data: { value: WARRIOR_TOTAL }, cause: events[0].id })
    expect(await read(api, `/deals/${deal.$id}`)).toMatchObject({ value: WARRIOR_TOTAL, stage: 'Won' })
    const attribution = (await api.get('/pipeline/summary')).body
    expect(attribution.deals.won).toBe(1)
  })

  it('made from a proposal alone, takes its deal and its total as value', async () => {
    const { api } = await createTenant()
    const { deal, proposal } = await pipeline(api)
    const res = await api.post('/contracts', { proposal: proposal.$id, title: 'MSA' })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({ proposal: proposal.$id, deal: deal.$id, value: WARRIOR_TOTAL, status: 'Draft', title: 'MSA' })
    expect(await read(api, `/contracts/${res.body.$id}`)).toEqual(res.body)
    const [event] = await api.events(`entity=${res.body.$id}`)
    expect(event).toMatchObject({ type: 'contract.created', cause: null, data: { deal: deal.$id, value: WARRIOR_TOTAL } })
  })

  it('made from a proposal and its deal, takes the proposal total as value', async () => {
    const { api } = await createTenant()
    const { deal, proposal } = await pipeline(api)
    const res = await api.post('/contracts', { proposal: proposal.$id, deal: deal.$id })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({ proposal: proposal.$id, deal: deal.$id, value: WARRIOR_TOTAL, status: 'Draft' })
    expect(await read(api, `/contracts/${res.body.$id}`)).toEqual(res.body)
    const events = await api.events(`entity=${res.body.$id}`)
    expect(events.map((e) => e.type)).toEqual(['contract.created'])
    expect(events[0]).toMatchObject({ cause: null, data: { deal: deal.$id, value: WARRIOR_TOTAL } })
  })

  it('keeps a value it was given, and refuses a deal that is not the proposal’s (422)', async () => {
    const { api } = await createTenant()
    const { proposal } = await pipeline(api)
    const own = await create(api, 'contracts', { proposal: proposal.$id, deal: proposal.deal, value: 1_000 })
    expect(own.value).toBe(1_000)
    const other = await create(api, 'deals', { name: 'Other' })
    const eventsBefore = await api.events()
    const res = await api.post('/contracts', { proposal: proposal.$id, deal: other.$id })
    expectProblem(res, 422, 'validation_failed')
    expect(res.body.errors).toEqual([{ path: 'deal', message: expect.stringContaining(proposal.deal) }])
    expect(await api.events()).toEqual(eventsBefore)
  })

  it('signing wins the deal, which provisions a customer and a subscription, makes the contact a Customer and opens onboarding', async () => {
    const { api } = await createTenant()
    const { contact, deal, proposal } = await pipeline(api)
    const contract = await create(api, 'contracts', { proposal: proposal.$id, deal: proposal.deal })
    const path = `/contracts/${contract.$id}`
    await sent(api, contract)
    const eventsBefore = await api.events()

    const res = await api.post(`${path}/sign`, { signedBy: 'Alice Chen' })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ status: 'Signed', signedBy: 'Alice Chen', deal: deal.$id, $version: 3 })
    expect(res.body.signedAt).toMatch(ISO)
    expect(await read(api, path)).toEqual(res.body)

    // The events, in order, and what caused each.
    const events = (await api.events()).slice(eventsBefore.length)
    expect(events.map((e) => e.type)).toEqual([
      'contract.signed',
      'deal.won',
      'customer.created',
      'subscription.created',
      'contact.updated',
      'activity.created', // the deal's stage move, logged by Deal.won
      'activity.created', // onboarding, opened by Contract.signed
    ])
    const [signed, won, customerCreated, subscriptionCreated, contactUpdated, stageNote, onboardingCreated] = events
    expect(signed).toMatchObject({ entityId: contract.$id, cause: null, verb: 'sign' })
    expect(won).toMatchObject({ entityId: deal.$id, cause: signed.id, verb: 'win' })
    for (const event of [customerCreated, subscriptionCreated, contactUpdated, stageNote]) expect(event.cause).toBe(won.id)
    expect(onboardingCreated.cause).toBe(signed.id)

    // The deal is won.
    const wonDeal = await read(api, `/deals/${deal.$id}`)
    expect(wonDeal).toMatchObject({ stage: 'Won', probability: 100 })
    expect(wonDeal.wonAt).toMatch(ISO)
    expect(won.after).toEqual(wonDeal)

    // A customer for it, and a subscription on the tenant's default plan.
    const customers = (await api.get(`/customers?deal=${deal.$id}`)).body.data
    expect(customers).toHaveLength(1)
    expect(customers[0]).toMatchObject({ $id: customerCreated.entityId, name: 'Acme Enterprise', contact: contact.$id, email: 'alice@acme.dev', deal: deal.$id })
    const standard = (await api.get('/plans?name=Standard')).body.data[0]
    const subscriptions = (await api.get(`/subscriptions?customer=${customers[0].$id}`)).body.data
    expect(subscriptions).toHaveLength(1)
    expect(subscriptions[0]).toMatchObject({ $id: subscriptionCreated.entityId, plan: standard.$id, deal: deal.$id, status: 'Active' })

    // The contact is a Customer now.
    expect((await read(api, `/contacts/${contact.$id}`)).stage).toBe('Customer')
    expect(contactUpdated).toMatchObject({ entityId: contact.$id, data: { stage: 'Customer' } })

    // Onboarding: a High-priority pending Task on the deal, due two days after signing.
    const tasks = (await api.get(`/activities?deal=${deal.$id}&type=Task`)).body.data
    expect(tasks).toHaveLength(1)
    expect(tasks[0]).toMatchObject({ $id: onboardingCreated.entityId, type: 'Task', status: 'Pending', priority: 'High', deal: deal.$id, contact: contact.$id })
    expect(tasks[0].subject).toContain('Acme Enterprise')
    expect(new Date(tasks[0].dueAt).getTime() - new Date(signed.at).getTime()).toBe(2 * DAY_MS)
    const notes = (await api.get(`/activities?deal=${deal.$id}&type=Note`)).body.data
    expect(notes.map((a: { subject: string }) => a.subject)).toEqual(['Stage: Negotiation → Won'])
  })

  it('subscribes the customer to the deal’s own plan when it has one', async () => {
    const { api } = await createTenant()
    const plan = await create(api, 'plans', { name: 'Enterprise', price: 990, trialDays: 30 })
    const { deal, proposal } = await pipeline(api, { plan: plan.$id })
    const contract = await sent(api, await create(api, 'contracts', { proposal: proposal.$id, deal: proposal.deal }))
    expect((await api.post(`/contracts/${contract.$id}/sign`)).status).toBe(200)
    const subscriptions = (await api.get(`/subscriptions?deal=${deal.$id}`)).body.data
    expect(subscriptions).toHaveLength(1)
    expect(subscriptions[0]).toMatchObject({ plan: plan.$id, status: 'Trialing' })
  })

  it('signing a contract for an already won deal does not win it again, but still opens onboarding', async () => {
    const { api } = await createTenant()
    const { deal, proposal } = await pipeline(api)
    expect((await api.post(`/deals/${deal.$id}/win`)).status).toBe(200)
    const wonDeal = await read(api, `/deals/${deal.$id}`)
    const contract = await sent(api, await create(api, 'contracts', { proposal: proposal.$id, deal: proposal.deal }))
    const eventsBefore = await api.events()
    expect((await api.post(`/contracts/${contract.$id}/sign`)).status).toBe(200)
    const events = (await api.events()).slice(eventsBefore.length)
    expect(events.map((e) => e.type)).toEqual(['contract.signed', 'activity.created'])
    expect(events[1].cause).toBe(events[0].id)
    expect(await read(api, `/deals/${deal.$id}`)).toEqual(wonDeal)
    expect((await api.get(`/customers?deal=${deal.$id}`)).body.total).toBe(1)
  })

  it('a sign that fails in its hooks rolls everything back (no default plan → 422, nothing written)', async () => {
    const { api } = await createTenant()
    const { deal, proposal } = await pipeline(api)
    // Archive the default plan: Deal.won cannot subscribe the customer, so the whole sign must fail.
    const standard = (await api.get('/plans?name=Standard')).body.data[0]
    expect((await api.post(`/plans/${standard.$id}/archive`)).status).toBe(200)
    const contract = await sent(api, await create(api, 'contracts', { proposal: proposal.$id, deal: proposal.deal }))
    const path = `/contracts/${contract.$id}`
    const res = await expectNothingWritten(api, [path, `/deals/${deal.$id}`], () => api.post(`${path}/sign`))
    expectProblem(res, 422, 'rejected')
    expect((await api.get('/customers')).body.total).toBe(0)
  })
})
