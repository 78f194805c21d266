/** Pipeline analytics: hand-computed figures, and the incremental aggregates against a full recomputation. */
import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { contributions, type Counter } from '../src/domain/analytics/contributions'
import { createTenant, request, type TenantApi } from './helpers'

async function ok(promise: Promise<{ status: number; body: any }>, status = 200) {
  const res = await promise
  expect(res.status, JSON.stringify(res.body)).toBe(status)
  return res.body
}

describe('GET /pipeline/summary', () => {
  it('matches a hand-computed pipeline', async () => {
    const { api } = await createTenant()
    const contact = await ok(api.post('/contacts', { name: 'C', email: 'c@x.dev' }), 201)
    // Leads: 4 in all — New (score set by hand 80), Contacted (20), Qualified → Converted, Lost.
    await ok(api.post('/leads', { name: 'L1', source: 'website', score: 80 }), 201)
    const l2 = await ok(api.post('/leads', { name: 'L2', source: 'referral', score: 20 }), 201)
    await ok(api.patch(`/leads/${l2.$id}`, { status: 'Contacted' }))
    const l3 = await ok(api.post('/leads', { name: 'L3', source: 'website', contact: contact.$id, budget: 1000, score: 50, status: 'Qualified' }), 201)
    await ok(api.post(`/leads/${l3.$id}/convert`)) // creates a Prospecting deal of 1,000 (value = budget)
    const l4 = await ok(api.post('/leads', { name: 'L4', source: 'event', score: 30 }), 201)
    await ok(api.post(`/leads/${l4.$id}/lose`, { lostReason: 'no budget' }))
    // Deals: Prospecting 1,000 (from L3), Negotiation 2,000, Won 5,000, Lost 700.
    const d2 = await ok(api.post('/deals', { name: 'D2', value: 2000, stage: 'Negotiation' }), 201)
    const d3 = await ok(api.post('/deals', { name: 'D3', value: 5000 }), 201)
    await ok(api.post(`/deals/${d3.$id}/win`))
    const d4 = await ok(api.post('/deals', { name: 'D4', value: 700 }), 201)
    await ok(api.post(`/deals/${d4.$id}/lose`))

    const summary = await ok(api.get('/pipeline/summary'))
    expect(summary).toMatchObject({
      total: 4,
      active: 2,
      won: 1,
      lost: 1,
      totalPipelineValue: 1000 + 2000,
      weightedPipelineValue: 1000 * 0.1 + 2000 * 0.75,
      conversionRate: 25,
      // Seed 003's fields count two populations; these name them.
      leads: { total: 4, active: 2, converted: 1, lost: 1 },
      deals: { open: 2, won: 1, lost: 1 },
    })
    // Scores: L1 80 (manual), L2 20, L3 50 (manual, kept through conversion), L4 30.
    expect(summary.avgScore).toBe((80 + 20 + 50 + 30) / 4)
    const byStage = Object.fromEntries(summary.byStage.map((s: { stageName: string; count: number; value: number }) => [s.stageName, [s.count, s.value]]))
    expect(byStage).toEqual({ Prospecting: [1, 1000], Qualification: [0, 0], Proposal: [0, 0], Negotiation: [1, 2000], Won: [1, 5000], Lost: [1, 700] })
    expect(summary.byStage[0].stageId).toMatch(/^stage_/)
    void d2

    const funnel = await ok(api.get('/pipeline/funnel'))
    expect(funnel.leads.map((s: { status: string; reached: number }) => [s.status, s.reached])).toEqual([['New', 3], ['Contacted', 2], ['Qualified', 1], ['Converted', 1]])
    expect(funnel.lost).toBe(1)

    const attribution = await ok(api.get('/pipeline/attribution'))
    const website = attribution.bySource.find((r: { source: string }) => r.source === 'website')
    expect(website).toMatchObject({ leads: 2, conversions: 1, conversionRate: 50 })

    const billing = await ok(api.get('/pipeline/billing'))
    expect(billing).toMatchObject({ activeSubscriptions: 1, mrr: 49 })

    const cycle = await ok(api.get('/pipeline/cycle'))
    expect(cycle.leadToConversion.count).toBe(1)
    expect(cycle.dealToWon).toMatchObject({ count: 1, averageDays: 0, medianDays: 0 })
  })

  it('narrows by creation day and refuses bad ranges', async () => {
    const { api } = await createTenant()
    await ok(api.post('/leads', { name: 'Today', source: 'website' }), 201)
    const today = new Date().toISOString().slice(0, 10)
    expect((await ok(api.get(`/pipeline/summary?dateFrom=${today}&dateTo=${today}`))).total).toBe(1)
    expect((await ok(api.get('/pipeline/summary?dateTo=2000-01-01'))).total).toBe(0)
    expect((await api.get('/pipeline/summary?dateFrom=yesterday')).status).toBe(400)
    expect((await api.get('/pipeline/summary?dateFrom=2026-02-01&dateTo=2026-01-01')).status).toBe(400)
    expect((await api.get('/pipeline/summary?colour=red')).status).toBe(400)
  })
})

/** Sum of contributions over every live row: what the aggregates table must equal. */
async function recomputeAndCompare(slug: string) {
  return runInDurableObject(env.TENANT.getByName(slug), (_instance, state) => {
    const expected = new Map<string, Counter>()
    for (const table of ['leads', 'deals', 'subscriptions']) {
      const type = { leads: 'Lead', deals: 'Deal', subscriptions: 'Subscription' }[table]!
      for (const row of state.storage.sql.exec(`SELECT * FROM ${table} WHERE deleted_at IS NULL`).toArray()) {
        const entity = {
          $type: type,
          $createdAt: row.created_at,
          status: row.status,
          source: row.source,
          campaign: row.campaign,
          score: row.score,
          firstTouchAt: row.first_touch_at,
          convertedAt: row.converted_at,
          stage: row.stage,
          value: row.value,
          probability: row.probability,
          wonAt: row.won_at,
          plan: row.plan,
          quantity: row.quantity,
        } as Record<string, unknown>
        for (const key of Object.keys(entity)) if (entity[key] === null) delete entity[key]
        for (const [key, c] of contributions(entity as never)) {
          const e = expected.get(key) ?? { n: 0, sum: 0, extra: 0 }
          expected.set(key, { n: e.n + c.n, sum: e.sum + c.sum, extra: e.extra + c.extra })
        }
      }
    }
    const actual = new Map<string, Counter>()
    for (const row of state.storage.sql.exec<{ key: string; n: number; sum: number; extra: number }>('SELECT * FROM aggregates')) {
      if (row.n !== 0 || row.sum !== 0 || row.extra !== 0) actual.set(row.key, { n: row.n, sum: row.sum, extra: row.extra })
    }
    return { expected: Object.fromEntries([...expected].sort()), actual: Object.fromEntries([...actual].sort()) }
  })
}

type Step =
  | { op: 'lead'; source: string; budget: number }
  | { op: 'touch'; i: number }
  | { op: 'qualify'; i: number }
  | { op: 'convert'; i: number }
  | { op: 'lose'; i: number }
  | { op: 'deal'; value: number; stage: string }
  | { op: 'advance'; i: number; stage: string }
  | { op: 'win'; i: number }
  | { op: 'loseDeal'; i: number }
  | { op: 'reopen'; i: number }
  | { op: 'deleteLead'; i: number }
  | { op: 'deleteDeal'; i: number }

const stage = fc.constantFrom('Prospecting', 'Qualification', 'Proposal', 'Negotiation')
const index = fc.nat(20)
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('lead' as const), source: fc.constantFrom('website', 'referral', 'event'), budget: fc.integer({ min: 0, max: 90_000 }) }),
  fc.record({ op: fc.constant('touch' as const), i: index }),
  fc.record({ op: fc.constant('qualify' as const), i: index }),
  fc.record({ op: fc.constant('convert' as const), i: index }),
  fc.record({ op: fc.constant('lose' as const), i: index }),
  fc.record({ op: fc.constant('deal' as const), value: fc.integer({ min: 0, max: 100_000 }), stage }),
  fc.record({ op: fc.constant('advance' as const), i: index, stage }),
  fc.record({ op: fc.constant('win' as const), i: index }),
  fc.record({ op: fc.constant('loseDeal' as const), i: index }),
  fc.record({ op: fc.constant('reopen' as const), i: index }),
  fc.record({ op: fc.constant('deleteLead' as const), i: index }),
  fc.record({ op: fc.constant('deleteDeal' as const), i: index }),
)

async function run(api: TenantApi, contact: string, steps: Step[]) {
  const leads: string[] = []
  const deals: string[] = []
  const pick = (list: string[], i: number) => (list.length ? list[i % list.length] : undefined)
  for (const s of steps) {
    const lead = 'i' in s ? pick(leads, s.i) : undefined
    const deal = 'i' in s ? pick(deals, s.i) : undefined
    // Refused transitions (409) are part of the sequence: they must change nothing.
    switch (s.op) {
      case 'lead':
        leads.push((await api.post('/leads', { name: 'P', source: s.source, budget: s.budget, contact })).body.$id)
        break
      case 'touch':
        if (lead) await api.patch(`/leads/${lead}`, { status: 'Contacted' })
        break
      case 'qualify':
        if (lead) await api.patch(`/leads/${lead}`, { status: 'Qualified' })
        break
      case 'convert':
        if (lead) {
          const res = await api.post(`/leads/${lead}/convert`)
          if (res.status === 200) deals.push(res.body.deal)
        }
        break
      case 'lose':
        if (lead) await api.post(`/leads/${lead}/lose`, { lostReason: 'random walk' })
        break
      case 'deal':
        deals.push((await api.post('/deals', { name: 'D', value: s.value, stage: s.stage })).body.$id)
        break
      case 'advance':
        if (deal) await api.post(`/deals/${deal}/advance`, { stage: s.stage })
        break
      case 'win':
        if (deal) await api.post(`/deals/${deal}/win`)
        break
      case 'loseDeal':
        if (deal) await api.post(`/deals/${deal}/lose`)
        break
      case 'reopen':
        if (deal) await api.post(`/deals/${deal}/reopen`)
        break
      case 'deleteLead':
        if (lead) await api.delete(`/leads/${lead}`)
        break
      case 'deleteDeal':
        if (deal) await api.delete(`/deals/${deal}`)
        break
    }
  }
}

describe('attribution by the source chain', () => {
  it('puts a won deal under the source its contact came from, when the deal was made by hand', async () => {
    const { slug, api } = await createTenant()
    const captured = await request('POST', `/~${slug}/capture`, { body: { email: 'web@visitor.dev', firstName: 'Web' } })
    expect(captured.status).toBe(201)
    const deal = (await api.post('/deals', { name: 'By hand', value: 3_000, contact: captured.body.contact })).body
    expect(deal.source).toBe('website')
    expect((await api.post(`/deals/${deal.$id}/win`)).status).toBe(200)
    const { bySource } = (await api.get('/pipeline/attribution')).body
    expect(bySource.find((r: { source: string }) => r.source === 'website')).toMatchObject({ wonDeals: 1, wonValue: 3_000 })
    expect(bySource.find((r: { source: string }) => r.source === 'other')?.wonDeals ?? 0).toBe(0)
  })

  it('fills the source of a deal that has none when it is won, from its lead', async () => {
    const { api } = await createTenant()
    const contact = (await api.post('/contacts', { name: 'Ref Person', email: 'ref@p.dev' })).body
    const lead = (await api.post('/leads', { name: 'Referred', source: 'referral', contact: contact.$id })).body
    const converted = (await api.post(`/leads/${lead.$id}/convert`)).body
    // A deal whose source was cleared (as deals made before sources were recorded have none).
    expect((await api.patch(`/deals/${converted.deal}`, { source: null })).status).toBe(200)
    const won = (await api.post(`/deals/${converted.deal}/win`)).body
    expect(won.source).toBe('referral')
  })
})

describe('incremental aggregates', () => {
  it('always equal a full recomputation, whatever verbs run', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 30 }), async (steps) => {
        const { api, slug } = await createTenant('prop')
        const contact = (await api.post('/contacts', { name: 'P', email: 'p@x.dev' })).body.$id
        await run(api, contact, steps)
        const { expected, actual } = await recomputeAndCompare(slug)
        expect(actual).toEqual(expected)
      }),
      { numRuns: 15 },
    )
  }, 120_000)

  it('count an import batch once per counter, and none of a refused row', async () => {
    const { api, slug } = await createTenant('fold')
    const rows = ['{"name":"A","source":"website","budget":1000}', '{"name":"B","source":"referral"}', '{"name":"C","status":"Nope"}', '{"name":"D","source":"website"}']
    const imported = await ok(api.post('/leads/import', `${rows.join('\n')}\n`, { headers: { 'content-type': 'application/x-ndjson' } }))
    expect(imported).toMatchObject({ created: 3, rejected: 1 })
    const { expected, actual } = await recomputeAndCompare(slug)
    expect(actual).toEqual(expected)
    expect((await ok(api.get('/pipeline/summary'))).leads).toEqual({ total: 3, active: 3, converted: 0, lost: 0 })
  })
})

describe('the lead list of seed 003 (crm.leads.list)', () => {
  it('filters by status, source, pipeline stage and creation date, with page and limit', async () => {
    const { api } = await createTenant()
    const contact = await ok(api.post('/contacts', { name: 'C', email: 'c@x.dev' }), 201)
    const a = await ok(api.post('/leads', { name: 'A', source: 'website', contact: contact.$id, status: 'Qualified' }), 201)
    await ok(api.post('/leads', { name: 'B', source: 'referral' }), 201)
    await ok(api.post('/leads', { name: 'C', source: 'website' }), 201)
    const converted = await ok(api.post(`/leads/${a.$id}/convert`))
    await ok(api.post(`/deals/${converted.deal}/advance`, { stage: 'Proposal' }))

    const names = async (query: string) => (await ok(api.get(`/leads?${query}`))).data.map((l: { name: string }) => l.name).sort()
    expect(await names('status=New')).toEqual(['B', 'C'])
    expect(await names('source=website')).toEqual(['A', 'C'])
    expect(await names('stage=Proposal')).toEqual(['A'])
    expect(await names('deal.stage=Prospecting')).toEqual([])
    const today = new Date().toISOString().slice(0, 10)
    expect(await names(`dateFrom=${today}&dateTo=${today}`)).toEqual(['A', 'B', 'C'])
    expect(await names('dateTo=2000-01-01')).toEqual([])
    const page2 = await ok(api.get('/leads?limit=2&page=2&sort=name'))
    expect(page2.data.map((l: { name: string }) => l.name)).toEqual(['C'])
    expect(page2.total).toBe(3)
    expect((await api.get('/leads?dateFrom=soon')).status).toBe(400)
    expect((await api.get('/leads?deal.colour=red')).status).toBe(400)
    expect((await api.get('/leads?source.stage=x')).status).toBe(400)
  })

  it('filters any collection through a relation: contacts by their organization', async () => {
    const { api } = await createTenant()
    const saas = await ok(api.post('/organizations', { name: 'S', industry: 'SaaS' }), 201)
    const retail = await ok(api.post('/organizations', { name: 'R', industry: 'Retail' }), 201)
    await ok(api.post('/contacts', { name: 'In SaaS', organization: saas.$id }), 201)
    await ok(api.post('/contacts', { name: 'In retail', organization: retail.$id }), 201)
    const res = await ok(api.get('/contacts?organization.industry=SaaS'))
    expect(res.data.map((c: { name: string }) => c.name)).toEqual(['In SaaS'])
    expect(res.total).toBe(1)
    const json = await ok(api.get(`/contacts?filter=${encodeURIComponent(JSON.stringify({ 'organization.industry': { $in: ['Retail'] } }))}`))
    expect(json.data.map((c: { name: string }) => c.name)).toEqual(['In retail'])
  })
})
