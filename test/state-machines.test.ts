/**
 * Every state machine of the domain, through HTTP: each allowed move (response, stored state read
 * back, events appended) and each refused move (409 invalid_transition, entity unchanged, no event).
 * Machines and `from` lists live in src/domain/nouns/*.ts; verb bodies and hooks in src/domain/hooks.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { createTenant, type ApiResponse, type TenantApi } from './helpers'
import { createOk as create, expectProblem, readOk as read } from './helpers'

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const DAY_MS = 86_400_000

/** Lets the clock move on, so consecutive writes get distinct timestamps. */
const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A call that must be refused: the problem's status and code, the entity exactly as before (same
 * version) and the event log exactly as before. Returns the problem response.
 */
async function expectRefused(api: TenantApi, path: string, call: () => Promise<ApiResponse>, status = 409, code = 'invalid_transition') {
  const before = await read(api, path)
  const eventsBefore = await api.events()
  const res = await call()
  expectProblem(res, status, code)
  expect(await read(api, path)).toEqual(before)
  expect(await api.events()).toEqual(eventsBefore)
  return res
}

/**
 * A call that must succeed with 200: the response equals what a read returns afterwards, and the
 * events it appended are returned (in order) with the new entity.
 */
async function expectApplied(api: TenantApi, path: string, call: () => Promise<ApiResponse>) {
  const eventsBefore = await api.events()
  const res = await call()
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  expect(await read(api, path)).toEqual(res.body)
  const events = (await api.events()).slice(eventsBefore.length)
  return { entity: res.body, events, types: events.map((e: { type: string }) => e.type) }
}

/** The single event of a verb call: type, entity, version, no cause (it came from a request). */
function expectRootEvent(event: any, type: string, entity: any) {
  expect(event).toMatchObject({ type, entityId: entity.$id, version: entity.$version, cause: null })
  expect(event.after).toEqual(entity)
}

// ---------------------------------------------------------------------------------------------
// Lead
// ---------------------------------------------------------------------------------------------

describe('Lead status', () => {
  let api: TenantApi
  beforeAll(async () => {
    api = (await createTenant('lead')).api
  })

  /** A lead in `status`, reached through allowed moves only. */
  async function leadIn(status: 'New' | 'Contacted' | 'Qualified' | 'Converted' | 'Lost', extra: Record<string, unknown> = {}) {
    const contact = await create(api, 'contacts', { name: 'Lead Person', email: `p${Math.random().toString(36).slice(2, 9)}@lead.dev`, stage: 'Lead' })
    const lead = await create(api, 'leads', { name: `Lead ${status}`, source: 'website', contact: contact.$id, ...extra })
    const path = `/leads/${lead.$id}`
    if (status === 'Contacted' || status === 'Qualified' || status === 'Converted') expect((await api.patch(path, { status: 'Contacted' })).status).toBe(200)
    if (status === 'Qualified' || status === 'Converted') expect((await api.patch(path, { status: 'Qualified' })).status).toBe(200)
    if (status === 'Converted') expect((await api.post(`${path}/convert`)).status).toBe(200)
    if (status === 'Lost') expect((await api.post(`${path}/lose`, { lostReason: 'no budget' })).status).toBe(200)
    const stored = await read(api, path)
    expect(stored.status).toBe(status)
    return { lead: stored, path, contact }
  }

  it('starts New, with firstTouchAt', async () => {
    const res = await api.post('/leads', { name: 'Fresh', source: 'website' })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ status: 'New', $version: 1 })
    expect(res.body.firstTouchAt).toMatch(ISO)
    expect(await read(api, `/leads/${res.body.$id}`)).toEqual(res.body)
    const [event] = await api.events(`entity=${res.body.$id}`)
    expect(event).toMatchObject({ type: 'lead.created', cause: null })
  })

  it('walks New → Contacted → Qualified → Converted, and conversion creates the deal', async () => {
    const contact = await create(api, 'contacts', { name: 'Alice Chen', email: 'alice@walk.dev', stage: 'Lead' })
    const lead = await create(api, 'leads', { name: 'Acme Evaluation', source: 'referral', contact: contact.$id, budget: 48_000 })
    const path = `/leads/${lead.$id}`

    await tick()
    const contacted = await expectApplied(api, path, () => api.patch(path, { status: 'Contacted' }))
    expect(contacted.entity).toMatchObject({ status: 'Contacted', $version: 2 })
    expect(contacted.types).toEqual(['lead.updated'])
    expectRootEvent(contacted.events[0], 'lead.updated', contacted.entity)
    expect(contacted.events[0].before.status).toBe('New')

    const qualified = await expectApplied(api, path, () => api.patch(path, { status: 'Qualified' }))
    expect(qualified.entity).toMatchObject({ status: 'Qualified', $version: 3 })
    expect(qualified.types).toEqual(['lead.updated'])

    const converted = await expectApplied(api, path, () => api.post(`${path}/convert`))
    expect(converted.entity.status).toBe('Converted')
    expect(converted.entity.convertedAt).toMatch(ISO)
    expect(converted.entity.deal).toMatch(/^deal_/)
    expect(converted.types).toEqual(['lead.converted', 'deal.created', 'lead.updated', 'contact.updated', 'trackedevent.created'])
    const [root, ...caused] = converted.events
    expect(root).toMatchObject({ type: 'lead.converted', entityId: lead.$id, cause: null, verb: 'convert' })
    expect(root.data).toMatchObject({ status: 'Converted', convertedAt: converted.entity.convertedAt })
    for (const event of caused) expect(event.cause).toBe(root.id)

    const deal = await read(api, `/deals/${converted.entity.deal}`)
    expect(deal).toMatchObject({ name: 'Acme Evaluation', contact: contact.$id, value: 48_000, stage: 'Prospecting', source: 'referral' })
    expect((await read(api, `/contacts/${contact.$id}`)).stage).toBe('Qualified')
  })

  // Seed 001: its example converts a freshly created lead; the before hook refuses only a lead
  // without a contact or a Lost one.
  for (const from of ['New', 'Contacted'] as const) {
    it(`converts from ${from} too: a deal, the contact advanced, one lead.converted`, async () => {
      const { path, contact } = await leadIn(from)
      const converted = await expectApplied(api, path, () => api.post(`${path}/convert`))
      expect(converted.entity).toMatchObject({ status: 'Converted', deal: expect.stringMatching(/^deal_/) })
      expect(converted.types[0]).toBe('lead.converted')
      expect(converted.events[0].before.status).toBe(from)
      expect((await read(api, `/contacts/${contact.$id}`)).stage).toBe('Qualified')
    })
  }

  it('refuses to convert a Lost lead: 422 rejected with the seed 001 message, nothing written', async () => {
    const { path } = await leadIn('Lost')
    const res = await expectRefused(api, path, () => api.post(`${path}/convert`), 422, 'rejected')
    expect(res.body.detail).toBe('Cannot convert a lost lead')
  })

  it('refuses lose without a recorded reason (seed 001), naming lostReason; a blank reason is no reason', async () => {
    const { path } = await leadIn('New')
    for (const body of [undefined, {}, { lostReason: '   ' }, { lostReason: null }]) {
      const res = await expectRefused(api, path, () => api.post(`${path}/lose`, body), 422, 'validation_failed')
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('lostReason')
    }
    const missing = await api.post(`${path}/lose`)
    expect(missing.body.errors).toEqual([{ path: 'lostReason', message: 'is required' }])
  })

  it('refuses convert without a contact: 422 rejected with the seed 001 message, nothing written', async () => {
    const lead = await create(api, 'leads', { name: 'No contact', source: 'website' })
    const path = `/leads/${lead.$id}`
    await api.patch(path, { status: 'Qualified' })
    const res = await expectRefused(api, path, () => api.post(`${path}/convert`), 422, 'rejected')
    expect(res.body.detail).toBe('Lead must have a contact before conversion')
    expect((await read(api, path)).status).toBe('Qualified')
    expect((await api.get(`/deals?name=No%20contact`)).body.total).toBe(0)
  })

  for (const from of ['New', 'Contacted', 'Qualified'] as const) {
    it(`loses from ${from}: status Lost, lostAt and lostReason set, one lead.lost event`, async () => {
      const { path, lead } = await leadIn(from)
      await tick()
      const lost = await expectApplied(api, path, () => api.post(`${path}/lose`, { lostReason: 'went with a competitor' }))
      expect(lost.entity).toMatchObject({ status: 'Lost', lostReason: 'went with a competitor', $version: lead.$version + 1 })
      expect(lost.entity.lostAt).toMatch(ISO)
      expect(lost.entity.lostAt > lead.$updatedAt).toBe(true)
      expect(lost.types).toEqual(['lead.lost'])
      expectRootEvent(lost.events[0], 'lead.lost', lost.entity)
      expect(lost.events[0].data).toMatchObject({ status: 'Lost', lostReason: 'went with a competitor', lostAt: lost.entity.lostAt })
      expect(lost.events[0].before.status).toBe(from)
    })
  }

  it('treats Converted as terminal for the verbs: lose and convert again are 409', async () => {
    const { path } = await leadIn('Converted')
    await expectRefused(api, path, () => api.post(`${path}/lose`, { lostReason: 'again' }))
    await expectRefused(api, path, () => api.post(`${path}/convert`))
  })

  it('treats Lost as terminal for lose (409)', async () => {
    const { path } = await leadIn('Lost')
    await expectRefused(api, path, () => api.post(`${path}/lose`, { lostReason: 'again' }))
  })

  it('refuses every PATCH of status away from Converted', async () => {
    const { path } = await leadIn('Converted')
    for (const to of ['New', 'Contacted', 'Qualified', 'Lost']) {
      const res = await expectRefused(api, path, () => api.patch(path, { status: to }))
      expect(res.body.errors?.[0]?.path).toBe('status')
    }
  })

  it('reopens a Lost lead by PATCHing its status back to New (and only to New)', async () => {
    const { path, lead } = await leadIn('Lost')
    await expectRefused(api, path, () => api.patch(path, { status: 'Contacted' }))
    await expectRefused(api, path, () => api.patch(path, { status: 'Qualified' }))
    await expectRefused(api, path, () => api.patch(path, { status: 'Converted' }))
    const reopened = await expectApplied(api, path, () => api.patch(path, { status: 'New' }))
    expect(reopened.entity).toMatchObject({ status: 'New', $version: lead.$version + 1 })
    expect(reopened.types).toEqual(['lead.updated'])
    expect(reopened.events[0].before.status).toBe('Lost')
    // A reopened lead is open again: it can be worked and lost once more.
    expect((await api.patch(path, { status: 'Contacted' })).status).toBe(200)
    expect((await api.post(`${path}/lose`, { lostReason: 'twice' })).status).toBe(200)
  })

  it('allows PATCH New → Contacted and refuses Contacted → New', async () => {
    const { path } = await leadIn('New')
    const moved = await expectApplied(api, path, () => api.patch(path, { status: 'Contacted' }))
    expect(moved.entity.status).toBe('Contacted')
    expect(moved.types).toEqual(['lead.updated'])
    const res = await expectRefused(api, path, () => api.patch(path, { status: 'New' }))
    expect(res.body.errors).toEqual([{ path: 'status', message: expect.stringContaining('Qualified') }])
  })

  it('refuses the other backward and skipping PATCH moves of the machine', async () => {
    const contacted = await leadIn('Contacted')
    await expectRefused(api, contacted.path, () => api.patch(contacted.path, { status: 'Converted' }))
    const qualified = await leadIn('Qualified')
    await expectRefused(api, qualified.path, () => api.patch(qualified.path, { status: 'New' }))
    await expectRefused(api, qualified.path, () => api.patch(qualified.path, { status: 'Contacted' }))
    const fresh = await leadIn('New')
    await expectRefused(api, fresh.path, () => api.patch(fresh.path, { status: 'Converted' }))
  })

  it('allows the other forward PATCH moves of the machine (New → Qualified, Contacted → Qualified)', async () => {
    const fresh = await leadIn('New')
    expect((await expectApplied(api, fresh.path, () => api.patch(fresh.path, { status: 'Qualified' }))).entity.status).toBe('Qualified')
    const contacted = await leadIn('Contacted')
    expect((await expectApplied(api, contacted.path, () => api.patch(contacted.path, { status: 'Qualified' }))).entity.status).toBe('Qualified')
  })

  it('treats a PATCH to the status it already has as a plain update, not a transition', async () => {
    const { path } = await leadIn('Contacted')
    const same = await expectApplied(api, path, () => api.patch(path, { status: 'Contacted', need: 'CRM' }))
    expect(same.entity).toMatchObject({ status: 'Contacted', need: 'CRM' })
  })
})

// ---------------------------------------------------------------------------------------------
// Contact
// ---------------------------------------------------------------------------------------------

const CONTACT_STAGES = ['Lead', 'Qualified', 'Customer', 'Churned', 'Partner'] as const
const CONTACT_MOVES: Record<(typeof CONTACT_STAGES)[number], readonly string[]> = {
  Lead: ['Qualified', 'Customer', 'Partner'],
  Qualified: ['Customer', 'Partner', 'Lead'],
  Customer: ['Churned', 'Partner'],
  Churned: ['Customer', 'Lead'],
  Partner: ['Customer', 'Churned'],
}

describe('Contact stage (PATCH)', () => {
  let api: TenantApi
  beforeAll(async () => {
    api = (await createTenant('contact')).api
  })

  for (const from of CONTACT_STAGES) {
    for (const to of CONTACT_STAGES) {
      if (from === to) continue
      const allowed = CONTACT_MOVES[from].includes(to)
      it(`${allowed ? 'allows' : 'refuses'} ${from} → ${to}`, async () => {
        const contact = await create(api, 'contacts', { name: `${from} to ${to}`, stage: from })
        const path = `/contacts/${contact.$id}`
        if (allowed) {
          const moved = await expectApplied(api, path, () => api.patch(path, { stage: to }))
          expect(moved.entity).toMatchObject({ stage: to, $version: 2 })
          // Seed 002: a contact moving to Customer gets its billing Customer record.
          expect(moved.types).toEqual(to === 'Customer' ? ['contact.updated', 'customer.created'] : ['contact.updated'])
          expectRootEvent(moved.events[0], 'contact.updated', moved.entity)
          expect(moved.events[0].data).toEqual({ stage: to })
          expect(moved.events[0].before.stage).toBe(from)
        } else {
          const res = await expectRefused(api, path, () => api.patch(path, { stage: to }))
          expect(res.body.errors?.[0]?.path).toBe('stage')
        }
      })
    }
  }

  it('lets a contact without a stage take any stage', async () => {
    for (const to of CONTACT_STAGES) {
      const contact = await create(api, 'contacts', { name: `unset to ${to}` })
      const path = `/contacts/${contact.$id}`
      expect((await expectApplied(api, path, () => api.patch(path, { stage: to }))).entity.stage).toBe(to)
    }
  })
})

describe('Contact qualify', () => {
  let api: TenantApi
  beforeAll(async () => {
    api = (await createTenant('qualify')).api
  })

  it('moves a Lead with an email to Qualified, with one contact.qualified event', async () => {
    const contact = await create(api, 'contacts', { name: 'Alice Chen', email: 'alice@acme.dev', stage: 'Lead', source: 'website' })
    const path = `/contacts/${contact.$id}`
    const qualified = await expectApplied(api, path, () => api.post(`${path}/qualify`))
    expect(qualified.entity).toMatchObject({ stage: 'Qualified', $version: 2, email: 'alice@acme.dev' })
    expect(qualified.types).toEqual(['contact.qualified'])
    expectRootEvent(qualified.events[0], 'contact.qualified', qualified.entity)
    expect(qualified.events[0]).toMatchObject({ verb: 'qualify', data: { stage: 'Qualified' } })
    expect(qualified.events[0].before.stage).toBe('Lead')
  })

  it('qualifies a contact whose stage is unset', async () => {
    const contact = await create(api, 'contacts', { name: 'Unstaged', email: 'unstaged@acme.dev' })
    const path = `/contacts/${contact.$id}`
    expect((await expectApplied(api, path, () => api.post(`${path}/qualify`))).entity.stage).toBe('Qualified')
  })

  for (const from of ['Qualified', 'Customer', 'Churned', 'Partner'] as const) {
    it(`refuses qualify from ${from} (409)`, async () => {
      const contact = await create(api, 'contacts', { name: `From ${from}`, email: `${from.toLowerCase()}@acme.dev`, stage: from })
      const path = `/contacts/${contact.$id}`
      await expectRefused(api, path, () => api.post(`${path}/qualify`))
    })
  }

  it('rejects qualify without an email: 422 rejected, nothing written', async () => {
    const contact = await create(api, 'contacts', { name: 'No Email', stage: 'Lead' })
    const path = `/contacts/${contact.$id}`
    const res = await expectRefused(api, path, () => api.post(`${path}/qualify`), 422, 'rejected')
    expect(res.body.detail).toBe('Email required for qualification')
    expect(res.body.errors).toEqual([{ path: 'email', message: expect.any(String) }])
  })

  it('rejects qualify with a lead score below 40, and accepts exactly 40', async () => {
    const low = await create(api, 'contacts', { name: 'Low', email: 'low@acme.dev', stage: 'Lead', leadScore: 39 })
    const lowPath = `/contacts/${low.$id}`
    const res = await expectRefused(api, lowPath, () => api.post(`${lowPath}/qualify`), 422, 'rejected')
    expect(res.body.detail).toBe('Lead score too low')
    expect(res.body.errors).toEqual([{ path: 'leadScore', message: expect.any(String) }])

    const edge = await create(api, 'contacts', { name: 'Edge', email: 'edge@acme.dev', stage: 'Lead', leadScore: 40 })
    const edgePath = `/contacts/${edge.$id}`
    expect((await expectApplied(api, edgePath, () => api.post(`${edgePath}/qualify`))).entity).toMatchObject({ stage: 'Qualified', leadScore: 40 })
  })
})

// ---------------------------------------------------------------------------------------------
// Deal
// ---------------------------------------------------------------------------------------------

describe('Deal stages', () => {
  /** Activities on the deal's timeline, oldest first. */
  async function timeline(api: TenantApi, dealId: string) {
    const res = await api.get(`/activities?deal=${dealId}&limit=100`)
    expect(res.status).toBe(200)
    return res.body.data as any[]
  }

  async function newDeal(api: TenantApi, body: Record<string, unknown> = {}) {
    const deal = await create(api, 'deals', { name: 'Acme Enterprise', value: 48_000, ...body })
    return { deal, path: `/deals/${deal.$id}` }
  }

  it('starts in the first open stage with its probability when no stage is given', async () => {
    const { api } = await createTenant()
    const { deal } = await newDeal(api)
    expect(deal).toMatchObject({ stage: 'Prospecting', probability: 10 })
    expect(deal.stageEnteredAt).toMatch(ISO)
    expect(await api.eventTypes()).toEqual(['deal.created'])
  })

  it('refuses to create a deal in an unknown stage: 422 naming stage, nothing written', async () => {
    const { api } = await createTenant()
    const res = await api.post('/deals', { name: 'Nowhere', stage: 'Limbo' })
    expectProblem(res, 422, 'validation_failed')
    expect(res.body.detail).toContain('Limbo')
    expect(res.body.errors).toEqual([{ path: 'stage', message: expect.stringContaining('Prospecting') }])
    expect((await api.get('/deals')).body.total).toBe(0)
    expect(await api.eventTypes()).toEqual([])
  })

  it('refuses to create a deal directly in a closing stage (409)', async () => {
    const { api } = await createTenant()
    for (const stage of ['Won', 'Lost']) expectProblem(await api.post('/deals', { name: `Born ${stage}`, stage }), 409, 'invalid_transition')
    expect((await api.get('/deals')).body.total).toBe(0)
    expect(await api.eventTypes()).toEqual([])
  })

  it('advances through the open stages, each move logged as a Note on the timeline', async () => {
    const { api } = await createTenant()
    const { deal, path } = await newDeal(api)
    let previous = 'Prospecting'
    for (const [stage, probability] of [['Qualification', 25], ['Proposal', 50], ['Negotiation', 75], ['Qualification', 25]] as const) {
      await tick()
      const moved = await expectApplied(api, path, () => api.post(`${path}/advance`, { stage }))
      expect(moved.entity).toMatchObject({ stage, probability })
      expect(moved.entity.stageEnteredAt > deal.stageEnteredAt).toBe(true)
      expect(moved.types).toEqual(['deal.advanced', 'activity.created'])
      expectRootEvent(moved.events[0], 'deal.advanced', moved.entity)
      expect(moved.events[1].cause).toBe(moved.events[0].id)
      expect(moved.events[1].after).toMatchObject({ type: 'Note', subject: `Stage: ${previous} → ${stage}`, deal: deal.$id })
      previous = stage
    }
    const notes = await timeline(api, deal.$id)
    expect(notes.map((a) => a.subject)).toEqual([
      'Stage: Prospecting → Qualification',
      'Stage: Qualification → Proposal',
      'Stage: Proposal → Negotiation',
      'Stage: Negotiation → Qualification',
    ])
    for (const note of notes) expect(note).toMatchObject({ type: 'Note', deal: deal.$id })
  })

  it('refuses advance to the stage the deal is in, and to an unknown stage (422 naming stage)', async () => {
    const { api } = await createTenant()
    const { path } = await newDeal(api)
    await expectRefused(api, path, () => api.post(`${path}/advance`, { stage: 'Prospecting' }))
    const res = await expectRefused(api, path, () => api.post(`${path}/advance`, { stage: 'Limbo' }), 422, 'validation_failed')
    expect(res.body.errors?.[0]?.path).toBe('stage')
  })

  for (const closing of ['Won', 'Lost']) {
    it(`refuses to move a deal to ${closing} by advance or by PATCH stage (409)`, async () => {
      const { api } = await createTenant()
      const { path } = await newDeal(api)
      await expectRefused(api, path, () => api.post(`${path}/advance`, { stage: closing }))
      await expectRefused(api, path, () => api.patch(path, { stage: closing }))
    })
  }

  it('moves between open stages by PATCH stage too, and logs it', async () => {
    const { api } = await createTenant()
    const { deal, path } = await newDeal(api)
    const moved = await expectApplied(api, path, () => api.patch(path, { stage: 'Proposal' }))
    expect(moved.entity).toMatchObject({ stage: 'Proposal', probability: 50 })
    expect(moved.types).toEqual(['deal.updated', 'activity.created'])
    expect(moved.events[1].cause).toBe(moved.events[0].id)
    expect((await timeline(api, deal.$id)).map((a) => a.subject)).toEqual(['Stage: Prospecting → Proposal'])
  })

  it('refuses PATCHing wonAt or lostAt directly', async () => {
    const { api } = await createTenant()
    const { path } = await newDeal(api)
    await expectRefused(api, path, () => api.patch(path, { wonAt: new Date().toISOString() }))
    await expectRefused(api, path, () => api.patch(path, { lostAt: new Date().toISOString() }))
  })

  for (const from of ['Prospecting', 'Qualification', 'Proposal', 'Negotiation']) {
    it(`wins from ${from}: stage Won, probability 100, wonAt; billing provisioned; move logged`, async () => {
      const { api } = await createTenant()
      const { deal, path } = await newDeal(api, { stage: from })
      const won = await expectApplied(api, path, () => api.post(`${path}/win`))
      expect(won.entity).toMatchObject({ stage: 'Won', probability: 100, $version: 2 })
      expect(won.entity.wonAt).toMatch(ISO)
      expect(won.entity.lostAt).toBeUndefined()
      expect(won.types).toEqual(['deal.won', 'customer.created', 'subscription.created', 'activity.created'])
      expectRootEvent(won.events[0], 'deal.won', won.entity)
      for (const event of won.events.slice(1)) expect(event.cause).toBe(won.events[0].id)
      expect(won.events[3].after).toMatchObject({ type: 'Note', subject: `Stage: ${from} → Won`, deal: deal.$id })
      expect((await timeline(api, deal.$id)).map((a) => a.subject)).toEqual([`Stage: ${from} → Won`])
    })
  }

  for (const from of ['Prospecting', 'Negotiation']) {
    it(`loses from ${from}: stage Lost, probability 0, lostAt and lostReason; move logged with the reason`, async () => {
      const { api } = await createTenant()
      const { deal, path } = await newDeal(api, { stage: from })
      const lost = await expectApplied(api, path, () => api.post(`${path}/lose`, { lostReason: 'price' }))
      expect(lost.entity).toMatchObject({ stage: 'Lost', probability: 0, lostReason: 'price', $version: 2 })
      expect(lost.entity.lostAt).toMatch(ISO)
      expect(lost.entity.wonAt).toBeUndefined()
      expect(lost.types).toEqual(['deal.lost', 'activity.created'])
      expectRootEvent(lost.events[0], 'deal.lost', lost.entity)
      expect(lost.events[1].cause).toBe(lost.events[0].id)
      const [note] = await timeline(api, deal.$id)
      expect(note).toMatchObject({ type: 'Note', subject: `Stage: ${from} → Lost`, body: 'Lost: price' })
    })
  }

  for (const closing of ['win', 'lose'] as const) {
    it(`refuses win, lose, advance and PATCH stage on a deal closed by ${closing} (409)`, async () => {
      const { api } = await createTenant()
      const { path } = await newDeal(api)
      expect((await api.post(`${path}/${closing}`)).status).toBe(200)
      await expectRefused(api, path, () => api.post(`${path}/win`))
      await expectRefused(api, path, () => api.post(`${path}/lose`, { lostReason: 'again' }))
      await expectRefused(api, path, () => api.post(`${path}/advance`, { stage: 'Proposal' }))
      await expectRefused(api, path, () => api.patch(path, { stage: 'Proposal' }))
    })
  }

  it('reopens a won deal into the first open stage, clearing wonAt; the move is logged', async () => {
    const { api } = await createTenant()
    const { deal, path } = await newDeal(api, { stage: 'Negotiation' })
    await api.post(`${path}/win`)
    await tick()
    const reopened = await expectApplied(api, path, () => api.post(`${path}/reopen`))
    expect(reopened.entity).toMatchObject({ stage: 'Prospecting', probability: 10, $version: 3 })
    expect(reopened.entity.wonAt).toBeUndefined()
    expect(reopened.entity.lostAt).toBeUndefined()
    expect(reopened.types).toEqual(['deal.reopened', 'activity.created'])
    expectRootEvent(reopened.events[0], 'deal.reopened', reopened.entity)
    expect(reopened.events[1].cause).toBe(reopened.events[0].id)
    expect((await timeline(api, deal.$id)).map((a) => a.subject)).toEqual(['Stage: Negotiation → Won', 'Stage: Won → Prospecting'])
    // Open again: it can move and close again.
    expect((await api.post(`${path}/advance`, { stage: 'Proposal' })).status).toBe(200)
    expect((await api.post(`${path}/lose`)).status).toBe(200)
  })

  it('reopens a lost deal into a given open stage, clearing lostAt and lostReason', async () => {
    const { api } = await createTenant()
    const { deal, path } = await newDeal(api)
    await api.post(`${path}/lose`, { lostReason: 'timing' })
    await tick()
    const reopened = await expectApplied(api, path, () => api.post(`${path}/reopen`, { stage: 'Negotiation' }))
    expect(reopened.entity).toMatchObject({ stage: 'Negotiation', probability: 75 })
    expect(reopened.entity.lostAt).toBeUndefined()
    expect(reopened.entity.lostReason).toBeUndefined()
    expect((await timeline(api, deal.$id)).map((a) => a.subject)).toEqual(['Stage: Prospecting → Lost', 'Stage: Lost → Negotiation'])
  })

  it('refuses to reopen an open deal (409), or into a closing stage', async () => {
    const { api } = await createTenant()
    const { path } = await newDeal(api)
    await expectRefused(api, path, () => api.post(`${path}/reopen`))
    await api.post(`${path}/lose`)
    await expectRefused(api, path, () => api.post(`${path}/reopen`, { stage: 'Won' }))
  })
})

// ---------------------------------------------------------------------------------------------
// Activity
// ---------------------------------------------------------------------------------------------

describe('Activity status', () => {
  let api: TenantApi
  beforeAll(async () => {
    api = (await createTenant('activity')).api
  })

  async function activity(body: Record<string, unknown> = {}) {
    const created = await create(api, 'activities', { subject: 'Call Alice', type: 'Call', ...body })
    return { activity: created, path: `/activities/${created.$id}` }
  }

  it('starts Pending with Normal priority', async () => {
    const { activity: created } = await activity()
    expect(created).toMatchObject({ status: 'Pending', priority: 'Normal' })
  })

  it('completes a Pending activity: Done, completedAt, one activity.completed event', async () => {
    const { path } = await activity()
    const done = await expectApplied(api, path, () => api.post(`${path}/complete`))
    expect(done.entity).toMatchObject({ status: 'Done', $version: 2 })
    expect(done.entity.completedAt).toMatch(ISO)
    expect(done.types).toEqual(['activity.completed'])
    expectRootEvent(done.events[0], 'activity.completed', done.entity)
  })

  it('cancels a Pending activity: Cancelled, one activity.cancelled event', async () => {
    const { path } = await activity()
    const cancelled = await expectApplied(api, path, () => api.post(`${path}/cancel`))
    expect(cancelled.entity).toMatchObject({ status: 'Cancelled', $version: 2 })
    expect(cancelled.entity.completedAt).toBeUndefined()
    expect(cancelled.types).toEqual(['activity.cancelled'])
    expectRootEvent(cancelled.events[0], 'activity.cancelled', cancelled.entity)
  })

  it('refuses complete and cancel on a Done activity, and PATCH Done → Pending (409)', async () => {
    const { path } = await activity()
    await api.post(`${path}/complete`)
    await expectRefused(api, path, () => api.post(`${path}/complete`))
    await expectRefused(api, path, () => api.post(`${path}/cancel`))
    await expectRefused(api, path, () => api.patch(path, { status: 'Pending' }))
    await expectRefused(api, path, () => api.patch(path, { status: 'Cancelled' }))
  })

  it('refuses complete and cancel on a Cancelled activity, which PATCH can reopen to Pending', async () => {
    const { path } = await activity()
    await api.post(`${path}/cancel`)
    await expectRefused(api, path, () => api.post(`${path}/complete`))
    await expectRefused(api, path, () => api.post(`${path}/cancel`))
    await expectRefused(api, path, () => api.patch(path, { status: 'Done' }))
    const reopened = await expectApplied(api, path, () => api.patch(path, { status: 'Pending' }))
    expect(reopened.entity.status).toBe('Pending')
    expect((await expectApplied(api, path, () => api.post(`${path}/complete`))).entity.status).toBe('Done')
  })

  it('allows PATCH Pending → Done and Pending → Cancelled', async () => {
    const a = await activity()
    expect((await expectApplied(api, a.path, () => api.patch(a.path, { status: 'Done' }))).entity.status).toBe('Done')
    const b = await activity()
    expect((await expectApplied(api, b.path, () => api.patch(b.path, { status: 'Cancelled' }))).entity.status).toBe('Cancelled')
  })
})

// ---------------------------------------------------------------------------------------------
// Campaign
// ---------------------------------------------------------------------------------------------

describe('Campaign status', () => {
  let api: TenantApi
  beforeAll(async () => {
    api = (await createTenant('campaign')).api
  })

  type CampaignStatus = 'Draft' | 'Active' | 'Paused' | 'Completed'
  /** A campaign in `status`, reached through the verbs. */
  async function campaignIn(status: CampaignStatus) {
    const created = await create(api, 'campaigns', { name: `Spring ${status}`, type: 'Email' })
    expect(created.status).toBe('Draft')
    const path = `/campaigns/${created.$id}`
    const steps: Record<CampaignStatus, string[]> = { Draft: [], Active: ['launch'], Paused: ['launch', 'pause'], Completed: ['complete'] }
    for (const verb of steps[status]) expect((await api.post(`${path}/${verb}`)).status).toBe(200)
    expect((await read(api, path)).status).toBe(status)
    return path
  }

  const VERBS = { launch: 'Active', pause: 'Paused', complete: 'Completed' } as const
  const PAST = { launch: 'launched', pause: 'paused', complete: 'completed' } as const
  const ALLOWED: Record<CampaignStatus, (keyof typeof VERBS)[]> = {
    Draft: ['launch', 'complete'],
    Active: ['pause', 'complete'],
    Paused: ['launch', 'complete'],
    Completed: [],
  }

  for (const from of ['Draft', 'Active', 'Paused', 'Completed'] as const) {
    for (const verb of ['launch', 'pause', 'complete'] as const) {
      const allowed = ALLOWED[from].includes(verb)
      it(`${allowed ? 'allows' : 'refuses'} ${verb} from ${from}`, async () => {
        const path = await campaignIn(from)
        if (allowed) {
          const moved = await expectApplied(api, path, () => api.post(`${path}/${verb}`))
          expect(moved.entity.status).toBe(VERBS[verb])
          expect(moved.types).toEqual([`campaign.${PAST[verb]}`])
          expectRootEvent(moved.events[0], `campaign.${PAST[verb]}`, moved.entity)
          expect(moved.events[0].before.status).toBe(from)
        } else {
          await expectRefused(api, path, () => api.post(`${path}/${verb}`))
        }
      })
    }
  }

  it('refuses PATCH moves the machine does not list (Completed → anything, Draft → Paused)', async () => {
    const completed = await campaignIn('Completed')
    for (const to of ['Draft', 'Active', 'Paused']) await expectRefused(api, completed, () => api.patch(completed, { status: to }))
    const draft = await campaignIn('Draft')
    await expectRefused(api, draft, () => api.patch(draft, { status: 'Paused' }))
    const active = await campaignIn('Active')
    await expectRefused(api, active, () => api.patch(active, { status: 'Draft' }))
  })
})

// ---------------------------------------------------------------------------------------------
// Subscription
// ---------------------------------------------------------------------------------------------

describe('Subscription status', () => {
  let api: TenantApi
  let customer: string
  let standard: any
  let trial: any
  let pro: any
  let basic: any
  let yearly: any

  beforeAll(async () => {
    api = (await createTenant('billing')).api
    customer = (await create(api, 'customers', { name: 'Acme Inc' })).$id
    const plans = await api.get('/plans?name=Standard')
    standard = plans.body.data[0]
    expect(standard).toMatchObject({ price: 49, trialDays: 0, interval: 'Month', status: 'Active' })
    trial = await create(api, 'plans', { name: 'Trial Pro', price: 99, trialDays: 14 })
    pro = await create(api, 'plans', { name: 'Pro', price: 99 })
    basic = await create(api, 'plans', { name: 'Basic', price: 19 })
    // 1,200 a year is 100 a month: the dearest plan once prices are compared per month.
    yearly = await create(api, 'plans', { name: 'Pro Yearly', price: 1_200, interval: 'Year' })
  })

  type SubStatus = 'Trialing' | 'Active' | 'PastDue' | 'Paused' | 'Cancelled'
  /** A subscription in `status`, reached through allowed moves. */
  async function subscriptionIn(status: SubStatus, plan?: string) {
    const created = await create(api, 'subscriptions', { customer, plan: plan ?? (status === 'Trialing' ? trial.$id : standard.$id) })
    const path = `/subscriptions/${created.$id}`
    if (status === 'PastDue') expect((await api.patch(path, { status: 'PastDue' })).status).toBe(200)
    if (status === 'Paused') expect((await api.post(`${path}/pause`)).status).toBe(200)
    if (status === 'Cancelled') expect((await api.post(`${path}/cancel`, { cancelReason: 'setup' })).status).toBe(200)
    const stored = await read(api, path)
    expect(stored.status).toBe(status)
    return { sub: stored, path }
  }

  it('starts Trialing on a plan with trial days, with trialStartAt and trialEndAt', async () => {
    const res = await api.post('/subscriptions', { customer, plan: trial.$id })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const sub = res.body
    expect(sub).toMatchObject({ status: 'Trialing', plan: trial.$id, customer, quantity: 1 })
    expect(sub.trialStartAt).toMatch(ISO)
    expect(new Date(sub.trialEndAt).getTime() - new Date(sub.trialStartAt).getTime()).toBe(14 * DAY_MS)
    expect(sub.activatedAt).toBeUndefined()
    expect(sub.currentPeriodStartAt).toBeUndefined()
    expect(await read(api, `/subscriptions/${sub.$id}`)).toEqual(sub)
    const [event] = await api.events(`entity=${sub.$id}`)
    expect(event).toMatchObject({ type: 'subscription.created', cause: null, data: { status: 'Trialing' } })
  })

  it('starts Active on the default plan (no trial), with its first period', async () => {
    const res = await api.post('/subscriptions', { customer, plan: standard.$id })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const sub = res.body
    expect(sub).toMatchObject({ status: 'Active', plan: standard.$id })
    expect(sub.activatedAt).toMatch(ISO)
    expect(sub.currentPeriodStartAt).toBe(sub.activatedAt)
    const end = new Date(sub.currentPeriodStartAt)
    end.setUTCMonth(end.getUTCMonth() + 1)
    expect(sub.currentPeriodEndAt).toBe(end.toISOString())
    expect(sub.trialStartAt).toBeUndefined()
    expect(await read(api, `/subscriptions/${sub.$id}`)).toEqual(sub)
  })

  for (const from of ['Trialing', 'PastDue'] as const) {
    it(`activates from ${from}: Active, activatedAt and a fresh period`, async () => {
      const { path } = await subscriptionIn(from)
      await tick()
      const active = await expectApplied(api, path, () => api.post(`${path}/activate`))
      expect(active.entity.status).toBe('Active')
      expect(active.entity.currentPeriodStartAt).toMatch(ISO)
      expect(active.entity.currentPeriodEndAt > active.entity.currentPeriodStartAt).toBe(true)
      expect(active.entity.activatedAt).toMatch(ISO)
      expect(active.types).toEqual(['subscription.activated'])
      expectRootEvent(active.events[0], 'subscription.activated', active.entity)
      expect(active.events[0].before.status).toBe(from)
    })
  }

  for (const from of ['Active', 'Paused', 'Cancelled'] as const) {
    it(`refuses activate from ${from} (409)`, async () => {
      const { path } = await subscriptionIn(from)
      await expectRefused(api, path, () => api.post(`${path}/activate`))
    })
  }

  it('pauses only an Active subscription (pausedAt set)', async () => {
    const { path } = await subscriptionIn('Active')
    const paused = await expectApplied(api, path, () => api.post(`${path}/pause`))
    expect(paused.entity.status).toBe('Paused')
    expect(paused.entity.pausedAt).toMatch(ISO)
    expect(paused.types).toEqual(['subscription.paused'])
    expectRootEvent(paused.events[0], 'subscription.paused', paused.entity)
  })

  for (const from of ['Trialing', 'PastDue', 'Paused', 'Cancelled'] as const) {
    it(`refuses pause from ${from} (409)`, async () => {
      const { path } = await subscriptionIn(from)
      await expectRefused(api, path, () => api.post(`${path}/pause`))
    })
  }

  for (const from of ['Trialing', 'Active', 'PastDue', 'Paused'] as const) {
    it(`cancels from ${from}: Cancelled, cancelledAt and cancelReason`, async () => {
      const { path } = await subscriptionIn(from)
      const cancelled = await expectApplied(api, path, () => api.post(`${path}/cancel`, { cancelReason: 'too expensive' }))
      expect(cancelled.entity).toMatchObject({ status: 'Cancelled', cancelReason: 'too expensive' })
      expect(cancelled.entity.cancelledAt).toMatch(ISO)
      expect(cancelled.types).toEqual(['subscription.cancelled'])
      expectRootEvent(cancelled.events[0], 'subscription.cancelled', cancelled.entity)
      expect(cancelled.events[0].data).toMatchObject({ status: 'Cancelled', cancelReason: 'too expensive', cancelledAt: cancelled.entity.cancelledAt })
    })
  }

  it('refuses to cancel a Cancelled subscription (409)', async () => {
    const { path } = await subscriptionIn('Cancelled')
    await expectRefused(api, path, () => api.post(`${path}/cancel`, { cancelReason: 'again' }))
  })

  for (const from of ['Paused', 'Cancelled'] as const) {
    it(`reactivates from ${from}: Active, a fresh period, pause and cancellation cleared`, async () => {
      const { path } = await subscriptionIn(from)
      await tick()
      const active = await expectApplied(api, path, () => api.post(`${path}/reactivate`))
      expect(active.entity.status).toBe('Active')
      expect(active.entity.currentPeriodStartAt).toMatch(ISO)
      expect(active.entity.pausedAt ?? null).toBeNull()
      expect(active.entity.cancelledAt ?? null).toBeNull()
      expect(active.entity.cancelReason ?? null).toBeNull()
      expect(active.types).toEqual(['subscription.reactivated'])
      expectRootEvent(active.events[0], 'subscription.reactivated', active.entity)
    })
  }

  for (const from of ['Trialing', 'Active', 'PastDue'] as const) {
    it(`refuses reactivate from ${from} (409)`, async () => {
      const { path } = await subscriptionIn(from)
      await expectRefused(api, path, () => api.post(`${path}/reactivate`))
    })
  }

  it('upgrades to a pricier plan (subscription.upgraded) and refuses a cheaper or the same plan (422)', async () => {
    const { path } = await subscriptionIn('Active', standard.$id)
    const cheaper = await expectRefused(api, path, () => api.post(`${path}/upgrade`, { plan: basic.$id }), 422, 'rejected')
    expect(cheaper.body.errors?.[0]?.path).toBe('plan')
    await expectRefused(api, path, () => api.post(`${path}/upgrade`, { plan: standard.$id }), 422, 'rejected')
    const upgraded = await expectApplied(api, path, () => api.post(`${path}/upgrade`, { plan: pro.$id }))
    expect(upgraded.entity).toMatchObject({ status: 'Active', plan: pro.$id })
    expect(upgraded.types).toEqual(['subscription.upgraded'])
    expectRootEvent(upgraded.events[0], 'subscription.upgraded', upgraded.entity)
    expect(upgraded.events[0].data).toMatchObject({ plan: pro.$id })
    expect(upgraded.events[0].before.plan).toBe(standard.$id)
    // Compared per month: 120 000 a year (10 000 a month) is dearer than 9 900 a month.
    expect((await expectApplied(api, path, () => api.post(`${path}/upgrade`, { plan: yearly.$id }))).entity.plan).toBe(yearly.$id)
  })

  it('downgrades to a cheaper plan (subscription.downgraded) and refuses a pricier plan (422)', async () => {
    const { path } = await subscriptionIn('Active', pro.$id)
    await expectRefused(api, path, () => api.post(`${path}/downgrade`, { plan: yearly.$id }), 422, 'rejected')
    await expectRefused(api, path, () => api.post(`${path}/downgrade`, { plan: pro.$id }), 422, 'rejected')
    const downgraded = await expectApplied(api, path, () => api.post(`${path}/downgrade`, { plan: basic.$id }))
    expect(downgraded.entity).toMatchObject({ status: 'Active', plan: basic.$id })
    expect(downgraded.types).toEqual(['subscription.downgraded'])
    expectRootEvent(downgraded.events[0], 'subscription.downgraded', downgraded.entity)
  })

  it('upgrades a Trialing subscription too', async () => {
    const { path } = await subscriptionIn('Trialing')
    const upgraded = await expectApplied(api, path, () => api.post(`${path}/upgrade`, { plan: yearly.$id }))
    expect(upgraded.entity).toMatchObject({ status: 'Trialing', plan: yearly.$id })
    expect(upgraded.types).toEqual(['subscription.upgraded'])
  })

  for (const from of ['Cancelled', 'Paused'] as const) {
    it(`refuses upgrade and downgrade of a ${from} subscription (409)`, async () => {
      const { path } = await subscriptionIn(from)
      await expectRefused(api, path, () => api.post(`${path}/upgrade`, { plan: pro.$id }))
      await expectRefused(api, path, () => api.post(`${path}/downgrade`, { plan: basic.$id }))
    })
  }

  it('refuses PATCH moves the machine does not list', async () => {
    const cancelled = await subscriptionIn('Cancelled')
    for (const to of ['Trialing', 'PastDue', 'Paused']) await expectRefused(api, cancelled.path, () => api.patch(cancelled.path, { status: to }))
    const active = await subscriptionIn('Active')
    await expectRefused(api, active.path, () => api.patch(active.path, { status: 'Trialing' }))
  })
})

// ---------------------------------------------------------------------------------------------
// Proposal
// ---------------------------------------------------------------------------------------------

describe('Proposal status', () => {
  let api: TenantApi
  let deal: string
  beforeAll(async () => {
    api = (await createTenant('proposal')).api
    deal = (await create(api, 'deals', { name: 'Acme Rollout', value: 42_000 })).$id
  })

  async function draft() {
    const created = await create(api, 'proposals', { deal, tier: 'warrior' })
    expect(created).toMatchObject({ status: 'Draft' })
    return `/proposals/${created.$id}`
  }

  it('sends a Draft (sentAt), then accepts it (acceptedAt)', async () => {
    const path = await draft()
    const sent = await expectApplied(api, path, () => api.post(`${path}/send`))
    expect(sent.entity.status).toBe('Sent')
    expect(sent.entity.sentAt).toMatch(ISO)
    expect(sent.types).toEqual(['proposal.sent'])
    expectRootEvent(sent.events[0], 'proposal.sent', sent.entity)

    const accepted = await expectApplied(api, path, () => api.post(`${path}/accept`))
    expect(accepted.entity).toMatchObject({ status: 'Accepted', sentAt: sent.entity.sentAt })
    expect(accepted.entity.acceptedAt).toMatch(ISO)
    // Seed 004: acceptance draws up the contract (proposal → contract → signature).
    expect(accepted.types).toEqual(['proposal.accepted', 'contract.created'])
    expectRootEvent(accepted.events[0], 'proposal.accepted', accepted.entity)
  })

  it('rejects a Sent proposal with a reason (rejectedAt, rejectionReason)', async () => {
    const path = await draft()
    await api.post(`${path}/send`)
    const rejected = await expectApplied(api, path, () => api.post(`${path}/reject`, { rejectionReason: 'over budget' }))
    expect(rejected.entity).toMatchObject({ status: 'Rejected', rejectionReason: 'over budget' })
    expect(rejected.entity.rejectedAt).toMatch(ISO)
    expect(rejected.types).toEqual(['proposal.rejected'])
  })

  it('refuses accept and reject on a Draft (409)', async () => {
    const path = await draft()
    await expectRefused(api, path, () => api.post(`${path}/accept`))
    await expectRefused(api, path, () => api.post(`${path}/reject`, { rejectionReason: 'no' }))
  })

  it('refuses to send twice (409)', async () => {
    const path = await draft()
    await api.post(`${path}/send`)
    await expectRefused(api, path, () => api.post(`${path}/send`))
  })

  for (const terminal of ['accept', 'reject'] as const) {
    it(`treats a proposal closed by ${terminal} as terminal (409 for send, accept, reject)`, async () => {
      const path = await draft()
      await api.post(`${path}/send`)
      expect((await api.post(`${path}/${terminal}`)).status).toBe(200)
      await expectRefused(api, path, () => api.post(`${path}/send`))
      await expectRefused(api, path, () => api.post(`${path}/accept`))
      await expectRefused(api, path, () => api.post(`${path}/reject`))
      await expectRefused(api, path, () => api.patch(path, { status: 'Draft' }))
    })
  }
})

// ---------------------------------------------------------------------------------------------
// Contract
// ---------------------------------------------------------------------------------------------

describe('Contract status', () => {
  let api: TenantApi
  beforeAll(async () => {
    api = (await createTenant('contract')).api
  })

  async function contract(status: 'Draft' | 'Sent' | 'Signed' | 'Cancelled' = 'Draft') {
    const deal = await create(api, 'deals', { name: `Deal for ${status}`, value: 10_000 })
    const created = await create(api, 'contracts', { deal: deal.$id, title: 'MSA' })
    expect(created.status).toBe('Draft')
    const path = `/contracts/${created.$id}`
    if (status === 'Sent') expect((await api.post(`${path}/send`)).status).toBe(200)
    if (status === 'Signed') {
      expect((await api.post(`${path}/send`)).status).toBe(200)
      expect((await api.post(`${path}/sign`)).status).toBe(200)
    }
    if (status === 'Cancelled') expect((await api.post(`${path}/cancel`)).status).toBe(200)
    return { path, deal }
  }

  it('signs from Sent: Signed, signedAt, signedBy; the contract.signed event leads the chain', async () => {
    const { path } = await contract('Sent')
    const signed = await expectApplied(api, path, () => api.post(`${path}/sign`, { signedBy: 'Alice Chen' }))
    expect(signed.entity).toMatchObject({ status: 'Signed', signedBy: 'Alice Chen' })
    expect(signed.entity.signedAt).toMatch(ISO)
    expect(signed.types[0]).toBe('contract.signed')
    expectRootEvent(signed.events[0], 'contract.signed', signed.entity)
    expect(signed.events[0].before.status).toBe('Sent')
  })

  it('refuses to sign a Draft: a contract is signed after it was sent (409)', async () => {
    const { path } = await contract('Draft')
    await expectRefused(api, path, () => api.post(`${path}/sign`, { signedBy: 'Alice Chen' }))
  })

  it('sends a Draft (sentAt)', async () => {
    const { path } = await contract()
    const sent = await expectApplied(api, path, () => api.post(`${path}/send`))
    expect(sent.entity.status).toBe('Sent')
    expect(sent.entity.sentAt).toMatch(ISO)
    expect(sent.types).toEqual(['contract.sent'])
  })

  it('refuses to sign a signed contract, or to send or cancel it (409)', async () => {
    const { path } = await contract('Signed')
    await expectRefused(api, path, () => api.post(`${path}/sign`))
    await expectRefused(api, path, () => api.post(`${path}/send`))
    await expectRefused(api, path, () => api.post(`${path}/cancel`))
  })

  it('refuses to sign or send a cancelled contract (409)', async () => {
    const { path } = await contract('Cancelled')
    await expectRefused(api, path, () => api.post(`${path}/sign`))
    await expectRefused(api, path, () => api.post(`${path}/send`))
  })

  it('refuses to send a Sent contract twice (409)', async () => {
    const { path } = await contract('Sent')
    await expectRefused(api, path, () => api.post(`${path}/send`))
  })
})

// ---------------------------------------------------------------------------------------------
// Plan
// ---------------------------------------------------------------------------------------------

describe('Plan status', () => {
  it('archives an Active plan; an archived plan takes no new subscriptions (422), and archive twice is 409', async () => {
    const { api } = await createTenant()
    const plan = await create(api, 'plans', { name: 'Legacy', price: 29 })
    expect(plan.status).toBe('Active')
    const path = `/plans/${plan.$id}`
    const archived = await expectApplied(api, path, () => api.post(`${path}/archive`))
    expect(archived.entity).toMatchObject({ status: 'Archived', $version: 2 })
    expect(archived.types).toEqual(['plan.archived'])
    expectRootEvent(archived.events[0], 'plan.archived', archived.entity)

    await expectRefused(api, path, () => api.post(`${path}/archive`))

    const customer = await create(api, 'customers', { name: 'Late Co' })
    const before = await api.events()
    const res = await api.post('/subscriptions', { customer: customer.$id, plan: plan.$id })
    expectProblem(res, 422, 'rejected')
    expect(res.body.errors?.[0]?.path).toBe('plan')
    expect((await api.get('/subscriptions')).body.total).toBe(0)
    expect(await api.events()).toEqual(before)
  })

  it('refuses to upgrade or downgrade a subscription onto an archived plan (422)', async () => {
    const { api } = await createTenant()
    const customer = await create(api, 'customers', { name: 'Mover Co' })
    const standard = (await api.get('/plans?name=Standard')).body.data[0]
    const dear = await create(api, 'plans', { name: 'Old Premium', price: 999 })
    const cheap = await create(api, 'plans', { name: 'Old Lite', price: 9 })
    await api.post(`/plans/${dear.$id}/archive`)
    await api.post(`/plans/${cheap.$id}/archive`)
    const sub = await create(api, 'subscriptions', { customer: customer.$id, plan: standard.$id })
    const path = `/subscriptions/${sub.$id}`
    await expectRefused(api, path, () => api.post(`${path}/upgrade`, { plan: dear.$id }), 422, 'rejected')
    await expectRefused(api, path, () => api.post(`${path}/downgrade`, { plan: cheap.$id }), 422, 'rejected')
  })

  it('restores an archived plan by PATCH status Active', async () => {
    const { api } = await createTenant()
    const plan = await create(api, 'plans', { name: 'Seasonal', price: 10 })
    const path = `/plans/${plan.$id}`
    await api.post(`${path}/archive`)
    const restored = await expectApplied(api, path, () => api.patch(path, { status: 'Active' }))
    expect(restored.entity.status).toBe('Active')
  })
})

// ---------------------------------------------------------------------------------------------
// Stage
// ---------------------------------------------------------------------------------------------

describe('Stage (admin writes)', () => {
  async function stageNamed(api: TenantApi, name: string) {
    const res = await api.get(`/stages?name=${encodeURIComponent(name)}`)
    expect(res.body.data).toHaveLength(1)
    return res.body.data[0]
  }

  for (const closing of ['Won', 'Lost']) {
    it(`keeps the ${closing} stage: renaming or retiring it is 422 rejected, nothing written`, async () => {
      const { api } = await createTenant()
      const stage = await stageNamed(api, closing)
      expect(stage.kind).toBe(closing)
      const path = `/stages/${stage.$id}`
      await expectRefused(api, path, () => api.patch(path, { name: `Closed ${closing}` }), 422, 'rejected')
      await expectRefused(api, path, () => api.patch(path, { kind: 'Open' }), 422, 'rejected')
      await expectRefused(api, path, () => api.post(`${path}/retire`), 422, 'rejected')
      // Other settings of a closing stage stay editable.
      expect((await expectApplied(api, path, () => api.patch(path, { colour: '#000000' }))).entity).toMatchObject({ name: closing, colour: '#000000' })
    })
  }

  it('renames an open stage (stage.updated), and new deals use the new name', async () => {
    const { api } = await createTenant()
    const stage = await stageNamed(api, 'Qualification')
    const path = `/stages/${stage.$id}`
    const renamed = await expectApplied(api, path, () => api.patch(path, { name: 'Discovery' }))
    expect(renamed.entity).toMatchObject({ name: 'Discovery', order: 2, kind: 'Open', $version: 2 })
    expect(renamed.types).toEqual(['stage.updated'])
    expectRootEvent(renamed.events[0], 'stage.updated', renamed.entity)
    expect((await api.post('/deals', { name: 'Renamed', stage: 'Discovery' })).status).toBe(201)
    expectProblem(await api.post('/deals', { name: 'Old name', stage: 'Qualification' }), 422, 'validation_failed')
  })

  it('retires an open stage and reinstates it; reinstate only from Retired (409)', async () => {
    const { api } = await createTenant()
    const stage = await stageNamed(api, 'Negotiation')
    const path = `/stages/${stage.$id}`
    await expectRefused(api, path, () => api.post(`${path}/reinstate`))
    const retired = await expectApplied(api, path, () => api.post(`${path}/retire`))
    expect(retired.entity.status).toBe('Retired')
    expect(retired.types).toEqual(['stage.retired'])
    await expectRefused(api, path, () => api.post(`${path}/retire`))
    expectProblem(await api.post('/deals', { name: 'Into retired', stage: 'Negotiation' }), 422, 'validation_failed')
    const restored = await expectApplied(api, path, () => api.post(`${path}/reinstate`))
    expect(restored.entity.status).toBe('Active')
    expect(restored.types).toEqual(['stage.reinstated'])
  })
})

// ---------------------------------------------------------------------------------------------
// The machines cannot be side-stepped
// ---------------------------------------------------------------------------------------------

describe('state verbs cannot be bypassed', () => {
  /**
   * The machines' '' row is the states an entity may start in (Contract and Proposal start Draft,
   * Lead starts New/Contacted/Qualified, Subscription Trialing/Active). Creating one directly in a
   * state only a verb reaches must be refused like any other transition the machine does not list.
   */
  const CASES: [string, string, (ids: { deal: string; customer: string; plan: string }) => Record<string, unknown>][] = [
    ['leads', 'Converted', () => ({ name: 'Born converted', source: 'website', status: 'Converted' })],
    ['leads', 'Lost', () => ({ name: 'Born lost', source: 'website', status: 'Lost' })],
    ['contracts', 'Signed', ({ deal }) => ({ deal, status: 'Signed' })],
    ['proposals', 'Accepted', ({ deal }) => ({ deal, tier: 'warrior', status: 'Accepted' })],
    ['subscriptions', 'Cancelled', ({ customer, plan }) => ({ customer, plan, status: 'Cancelled' })],
  ]

  for (const [collection, state, body] of CASES) {
    it(`refuses to create ${collection} directly in ${state} (409), writing nothing`, async () => {
      const { api } = await createTenant()
      const deal = (await create(api, 'deals', { name: 'Host deal' })).$id
      const customer = (await create(api, 'customers', { name: 'Host customer' })).$id
      const plan = (await api.get('/plans?name=Standard')).body.data[0].$id
      const before = await api.events()
      const res = await api.post(`/${collection}`, body({ deal, customer, plan }))
      expectProblem(res, 409, 'invalid_transition')
      expect((await api.get(`/${collection}`)).body.total).toBe(0)
      expect(await api.events()).toEqual(before)
    })
  }

  it('refuses PATCH status Converted on a lead without a contact (seed 001: convert needs a contact)', async () => {
    const { api } = await createTenant()
    const lead = await create(api, 'leads', { name: 'Sneaky', source: 'website' })
    const path = `/leads/${lead.$id}`
    await api.patch(path, { status: 'Qualified' })
    const before = await read(api, path)
    const eventsBefore = await api.events()
    const res = await api.patch(path, { status: 'Converted' })
    expect([409, 422], JSON.stringify(res.body)).toContain(res.status)
    expect(await read(api, path)).toEqual(before)
    expect(await api.events()).toEqual(eventsBefore)
  })

  it('refuses PATCH status Signed on a contract, which would leave its deal open (seed 004: signed → won)', async () => {
    const { api } = await createTenant()
    const deal = await create(api, 'deals', { name: 'Side door' })
    const contract = await create(api, 'contracts', { deal: deal.$id })
    const path = `/contracts/${contract.$id}`
    const res = await expectRefused(api, path, () => api.patch(path, { status: 'Signed' }))
    expect(res.body.errors?.[0]?.path).toBe('status')
    expect((await read(api, `/deals/${deal.$id}`)).stage).toBe('Prospecting')
  })
})
