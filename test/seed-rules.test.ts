/**
 * Rules the seeds state, read literally (issue 13), and the bounds that keep money exact:
 *   - seed 002: a contact moving to Customer, by any path, has one billing Customer;
 *   - seed 000: win → reopen → win reuses the deal's customer and subscription (billed once);
 *   - seed 003: the lead list's `stageId` is the id `pipelineSummary.byStage` reports;
 *   - money and scores are bounded, currencies are ISO 4217, and the analytics counters stay exact;
 *   - one write has one instant: nothing is updated before it is created.
 */
import { env } from 'cloudflare:workers'
import { evictDurableObject, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import migrations from '../migrations/migrations.js'
import { MAX_AMOUNT } from '../src/domain/money'
import { createTenant, expectProblem, request, type TenantApi } from './helpers'
import { createOk as create, readOk as read } from './helpers'

const list = async (api: TenantApi, path: string) => {
  const res = await api.get(path)
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body as { data: any[]; total: number }
}
const billing = async (api: TenantApi) => (await api.get('/pipeline/billing')).body

describe('Contact → Customer (seed 002)', () => {
  it('a PATCH to stage Customer creates one billing Customer linked to the contact, in the same write', async () => {
    const { api } = await createTenant()
    const contact = await create(api, 'contacts', { name: 'Ada Byron', email: 'ada@engine.dev', stage: 'Qualified' })
    const moved = await api.patch(`/contacts/${contact.$id}`, { stage: 'Customer' })
    expect(moved.status).toBe(200)
    const customers = await list(api, `/customers?contact=${contact.$id}`)
    expect(customers.total).toBe(1)
    expect(customers.data[0]).toMatchObject({ name: 'Ada Byron', email: 'ada@engine.dev', contact: contact.$id })
    const [created] = await api.events(`entity=${customers.data[0].$id}`)
    const [updated] = (await api.events(`entity=${contact.$id}`)).filter((e: any) => e.type === 'contact.updated')
    expect(created).toMatchObject({ type: 'customer.created', cause: updated.id })

    // Churned and back to Customer: the same record, not a second one.
    await api.patch(`/contacts/${contact.$id}`, { stage: 'Churned' })
    await api.patch(`/contacts/${contact.$id}`, { stage: 'Customer' })
    expect((await list(api, `/customers?contact=${contact.$id}`)).total).toBe(1)
  })

  it('a contact created as a Customer has its billing Customer too', async () => {
    const { api } = await createTenant()
    const contact = await create(api, 'contacts', { name: 'Direct Customer', stage: 'Customer' })
    expect((await list(api, `/customers?contact=${contact.$id}`)).total).toBe(1)
  })

  it('a contact that became a Customer before its deal was won keeps one customer, which the win links to the deal', async () => {
    const { api } = await createTenant()
    const contact = await create(api, 'contacts', { name: 'Early Bird', email: 'early@bird.dev', stage: 'Customer' })
    const deal = await create(api, 'deals', { name: 'Early deal', value: 1_000, contact: contact.$id })
    expect((await api.post(`/deals/${deal.$id}/win`)).status).toBe(200)
    const customers = await list(api, `/customers?contact=${contact.$id}`)
    expect(customers.total).toBe(1)
    expect(customers.data[0].deal).toBe(deal.$id)
    expect((await list(api, `/subscriptions?customer=${customers.data[0].$id}`)).total).toBe(1)
  })
})

describe('Win → reopen → win (seed 000)', () => {
  it('reuses the customer and the active subscription: one of each after three reopens, MRR counted once', async () => {
    const { api } = await createTenant()
    const contact = await create(api, 'contacts', { name: 'Dana Scully', email: 'dana@fbi.gov', stage: 'Lead' })
    const deal = await create(api, 'deals', { name: 'FBI Enterprise', value: 48_000, contact: contact.$id })
    expect((await api.post(`/deals/${deal.$id}/win`)).status).toBe(200)
    const first = await billing(api)
    for (let i = 0; i < 3; i++) {
      expect((await api.post(`/deals/${deal.$id}/reopen`)).status).toBe(200)
      expect((await api.post(`/deals/${deal.$id}/win`)).status).toBe(200)
    }
    expect((await list(api, '/customers')).total).toBe(1)
    const subscriptions = await list(api, '/subscriptions')
    expect(subscriptions.total).toBe(1)
    expect(subscriptions.data[0].status).toBe('Active')
    expect(await billing(api)).toEqual(first)
    const types = (await api.events()).map((e: any) => e.type)
    expect(types.filter((t: string) => t === 'customer.created')).toHaveLength(1)
    expect(types.filter((t: string) => t === 'subscription.created')).toHaveLength(1)
  })

  it('reactivates the subscription a won deal had when it was cancelled before the deal was won again', async () => {
    const { api } = await createTenant()
    const deal = await create(api, 'deals', { name: 'Comeback', value: 5_000 })
    await api.post(`/deals/${deal.$id}/win`)
    const [subscription] = (await list(api, `/subscriptions?deal=${deal.$id}`)).data
    expect((await api.post(`/subscriptions/${subscription.$id}/cancel`, { cancelReason: 'budget cut' })).status).toBe(200)
    await api.post(`/deals/${deal.$id}/reopen`)
    const won = await api.post(`/deals/${deal.$id}/win`)
    expect(won.status).toBe(200)
    const after = await list(api, `/subscriptions?deal=${deal.$id}`)
    expect(after.total).toBe(1)
    expect(after.data[0]).toMatchObject({ $id: subscription.$id, status: 'Active' })
    expect((await list(api, '/customers')).total).toBe(1)
  })
})

describe('Lead list stageId (seed 003)', () => {
  it('filters by the stage id pipelineSummary.byStage returns; stage filters by name; a name under stageId is a 400', async () => {
    const { api } = await createTenant()
    const contact = await create(api, 'contacts', { name: 'Stage Person', email: 'stage@p.dev' })
    const inProposal = await create(api, 'leads', { name: 'In proposal', source: 'website', contact: contact.$id })
    const prospecting = await create(api, 'leads', { name: 'Prospecting', source: 'website', contact: contact.$id })
    await create(api, 'leads', { name: 'No deal', source: 'website' })
    for (const lead of [inProposal, prospecting]) expect((await api.post(`/leads/${lead.$id}/convert`)).status).toBe(200)
    const deal = (await read(api, `/leads/${inProposal.$id}`)).deal
    expect((await api.post(`/deals/${deal}/advance`, { stage: 'Proposal' })).status).toBe(200)

    const summary = (await api.get('/pipeline/summary')).body
    const proposal = summary.byStage.find((s: any) => s.stageName === 'Proposal')
    expect(proposal.stageId).toMatch(/^stage_/)
    expect((await read(api, `/deals/${deal}`)).stageId).toBe(proposal.stageId)

    const byId = await list(api, `/leads?stageId=${proposal.stageId}`)
    expect(byId.data.map((l) => l.$id)).toEqual([inProposal.$id])
    const byName = await list(api, '/leads?stage=Proposal')
    expect(byName.data.map((l) => l.$id)).toEqual([inProposal.$id])
    const both = await list(api, `/leads?stageId=${proposal.stageId}&stageId=${summary.byStage.find((s: any) => s.stageName === 'Prospecting').stageId}`)
    expect(both.total).toBe(2)
    expectProblem(await api.get('/leads?stageId=Proposal'), 400, 'invalid_query')
  })

  it('a deal may name its stage by stageId; stage and stageId always agree', async () => {
    const { api } = await createTenant()
    const stages = (await list(api, '/stages?sort=order')).data
    const negotiation = stages.find((s) => s.name === 'Negotiation')
    const deal = await create(api, 'deals', { name: 'By id', stageId: negotiation.$id })
    expect(deal).toMatchObject({ stage: 'Negotiation', stageId: negotiation.$id, probability: negotiation.probability })
    const moved = await api.patch(`/deals/${deal.$id}`, { stage: 'Proposal' })
    expect(moved.body).toMatchObject({ stage: 'Proposal', stageId: stages.find((s) => s.name === 'Proposal').$id })
    const mismatch = await api.patch(`/deals/${deal.$id}`, { stage: 'Proposal', stageId: negotiation.$id })
    expectProblem(mismatch, 422, 'validation_failed')
    expect(mismatch.body.errors[0].path).toBe('stage')
    const won = (await api.post(`/deals/${deal.$id}/win`)).body
    expect(won.stageId).toBe(stages.find((s) => s.name === 'Won').$id)
  })
})

describe('Money and score bounds', () => {
  const refuses = async (api: TenantApi, method: 'post' | 'patch', path: string, body: unknown, field: string) => {
    const eventsBefore = (await api.events()).length
    const res = await api[method](path, body)
    expectProblem(res, 422, 'validation_failed')
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([field])
    expect((await api.events()).length).toBe(eventsBefore)
    return res
  }

  it('refuses deal values beyond the bound or below zero, on create and update, naming value', async () => {
    const { api } = await createTenant()
    for (const value of [1.79e308, -1, MAX_AMOUNT + 1, 2 ** 53 + 2]) await refuses(api, 'post', '/deals', { name: 'Huge', value }, 'value')
    const deal = await create(api, 'deals', { name: 'At the bound', value: MAX_AMOUNT })
    await refuses(api, 'patch', `/deals/${deal.$id}`, { value: -5 }, 'value')
    expect((await api.get('/pipeline/summary')).body.totalPipelineValue).toBe(MAX_AMOUNT)
  })

  it('refuses negative prices, absurd trials and quantities, out-of-range probabilities and lead scores', async () => {
    const { api } = await createTenant()
    await refuses(api, 'post', '/plans', { name: 'Free money', price: -100 }, 'price')
    await refuses(api, 'post', '/plans', { name: 'Forever trial', price: 100, trialDays: 1_000_000 }, 'trialDays')
    await refuses(api, 'post', '/contacts', { name: 'Too keen', leadScore: 250 }, 'leadScore')
    await refuses(api, 'post', '/deals', { name: 'Sure thing', probability: 140 }, 'probability')
    await refuses(api, 'post', '/leads', { name: 'Rich', source: 'website', budget: 1e300 }, 'budget')
    const plan = await create(api, 'plans', { name: 'Seats', price: 1_000 })
    const customer = await create(api, 'customers', { name: 'Seat buyer' })
    await refuses(api, 'post', '/subscriptions', { customer: customer.$id, plan: plan.$id, quantity: 0 }, 'quantity')
  })

  it('refuses currencies that are not ISO 4217 codes on deals, plans, customers, proposals and tiers', async () => {
    const { api } = await createTenant()
    await refuses(api, 'post', '/deals', { name: 'Dollars', currency: 'DOLLARS' }, 'currency')
    await refuses(api, 'post', '/deals', { name: 'Lower', currency: 'usd' }, 'currency')
    await refuses(api, 'post', '/plans', { name: 'Made up', price: 1, currency: 'XYZ' }, 'currency')
    await refuses(api, 'post', '/customers', { name: 'Made up', currency: 'ABC' }, 'currency')
    const deal = await create(api, 'deals', { name: 'Priced', currency: 'EUR' })
    await refuses(api, 'post', '/proposals', { deal: deal.$id, tier: 'warrior', currency: 'EURO' }, 'currency')
    const tiers = await api.put('/settings/tiers', [{ name: 'odd', label: 'Odd', currency: 'QQQ', lineItems: [{ description: 'x', quantity: 1, unitPrice: 100 }] }])
    expectProblem(tiers, 422, 'validation_failed')
    expect(tiers.body.errors[0].path).toBe('tiers.0.currency')

    // A valid code prints: the proposal document of a EUR proposal renders.
    const proposal = await create(api, 'proposals', { deal: deal.$id, tier: 'warrior', currency: 'EUR' })
    const doc = await api.get(`/proposals/${proposal.$id}/document`)
    expect(doc.status).toBe(200)
    expect(String(doc.body)).toContain('€')
  })

  it('refuses a tier whose total is beyond the bound', async () => {
    const { api } = await createTenant()
    const res = await api.put('/settings/tiers', [{ name: 'galaxy', label: 'Galaxy', lineItems: [{ description: 'Everything', quantity: 1_000_000, unitPrice: 1_000_000_000 }] }])
    expectProblem(res, 422, 'validation_failed')
    expect(res.body.errors[0].path).toBe('tiers.0.lineItems')
  })

  it('never lets an analytics counter go inexact: the write that would overflow is refused, nothing written', async () => {
    const { slug, api } = await createTenant()
    await create(api, 'deals', { name: 'Seed the counter', value: 1 })
    // Bring the all-time deal counter of the first stage to the edge of exact doubles.
    await runInDurableObject(env.TENANT.getByName(slug), (_instance, state) => {
      state.storage.sql.exec(`UPDATE aggregates SET sum = ? WHERE key = 'deal-all|all|Prospecting'`, Number.MAX_SAFE_INTEGER - 10)
    })
    const eventsBefore = (await api.events()).length
    const res = await api.post('/deals', { name: 'One too many', value: 1_000 })
    expectProblem(res, 422, 'rejected')
    expect((await api.events()).length).toBe(eventsBefore)
    expect((await list(api, '/deals')).total).toBe(1)
    const summary = (await api.get('/pipeline/summary')).body
    // The counter keeps cents; the summary reports major units.
    expect(summary.totalPipelineValue).toBe((Number.MAX_SAFE_INTEGER - 10) / 100)
  })

  it('a tenant whose counters went infinite before the bounds is repaired at start: its absurd deal can be changed and deleted', async () => {
    const { slug, key, api } = await createTenant()
    const deal = await create(api, 'deals', { name: 'Legacy', value: 10 })
    await create(api, 'deals', { name: 'Normal', value: 25 })
    // What the first wave could store: a deal of 1.79e308 and counters at Infinity.
    const stub = env.TENANT.getByName(slug)
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec('UPDATE deals SET value = ? WHERE id = ?', 1.79e308, deal.$id)
      state.storage.sql.exec(`UPDATE aggregates SET sum = 9e999 WHERE key LIKE 'deal%'`)
    })
    await evictDurableObject(stub)
    expect((await api.get('/pipeline/summary')).body.totalPipelineValue).toBe(MAX_AMOUNT + 25)
    expect((await api.patch(`/deals/${deal.$id}`, { value: 20 })).status).toBe(200)
    expect((await api.get('/pipeline/summary')).body.totalPipelineValue).toBe(45)
    const deleted = await request('DELETE', `/~${slug}/deals/${deal.$id}`, { key })
    expect(deleted.status).toBe(204)
    const summary = (await api.get('/pipeline/summary')).body
    expect(summary.totalPipelineValue).toBe(25)
    for (const stage of summary.byStage) expect(Number.isSafeInteger(Math.round(stage.value * 100))).toBe(true)
  })
})

describe('One instant per write', () => {
  it('a captured contact and its lead are created and updated at one instant', async () => {
    const { slug, api } = await createTenant()
    const res = await request('POST', `/~${slug}/capture`, { body: { email: 'clock@tick.dev', firstName: 'Tick' } })
    expect(res.status).toBe(201)
    const contact = await read(api, `/contacts/${res.body.contact}`)
    const lead = await read(api, `/leads/${res.body.lead}`)
    expect(contact.$updatedAt).toBe(contact.$createdAt)
    expect(lead.$createdAt).toBe(contact.$createdAt)
    const events = await api.events()
    for (const e of events.filter((e: any) => e.entityId === contact.$id || e.entityId === lead.$id)) expect(e.at).toBe(contact.$createdAt)
  })
})

describe('Migration 0011 (stageId, scoreSource)', () => {
  it('backfills the stage id of existing deals and the score source of existing leads, and is safe to run twice', async () => {
    const { slug, api } = await createTenant()
    const deal = await create(api, 'deals', { name: 'Old deal', stage: 'Proposal' })
    const ruled = await create(api, 'leads', { name: 'Old ruled', source: 'referral' })
    const manual = await create(api, 'leads', { name: 'Old manual', source: 'website', score: 77 })
    const backfill = (migrations.migrations.m0011 as string)
      .split('--> statement-breakpoint')
      .map((part) => part.replace(/^\s*--.*$/gm, '').trim())
      .filter((part) => part.startsWith('UPDATE'))
    expect(backfill).toHaveLength(2)
    await runInDurableObject(env.TENANT.getByName(slug), (_instance, state) => {
      // The rows as a tenant migrated from 0010 has them: the new columns empty.
      state.storage.sql.exec('UPDATE deals SET stage_id = NULL')
      state.storage.sql.exec('UPDATE leads SET score_source = NULL')
      for (let run = 0; run < 2; run++) for (const statement of backfill) state.storage.sql.exec(statement)
    })
    await evictDurableObject(env.TENANT.getByName(slug))
    const stages = (await list(api, '/stages')).data
    expect((await read(api, `/deals/${deal.$id}`)).stageId).toBe(stages.find((s) => s.name === 'Proposal').$id)
    expect((await read(api, `/leads/${ruled.$id}`)).scoreSource).toBe('rules')
    expect((await read(api, `/leads/${manual.$id}`)).scoreSource).toBe('manual')
  })
})
