/**
 * One money unit (issue 14): every amount, in every noun and report, is in the major unit of its
 * currency (`value: 48_000` is $48,000, as seed 000 writes it), with at most the currency's decimals.
 * Migration 0012 moved the amounts that were cents; the log keeps what was written and is read
 * through an upcaster, so history and asOf speak the same unit.
 */
import { env } from 'cloudflare:workers'
import { evictDurableObject, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import migrations from '../migrations/migrations.js'
import { createTenant, expectProblem, type TenantApi } from './helpers'
import { createOk as create, readOk as read } from './helpers'

const ok = async (api: TenantApi, path: string, body?: unknown) => {
  const res = await api.post(path, body)
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300)
  return res.body
}

describe('One representation', () => {
  it('a $42,000 sale reads 42000 everywhere: tier prices, proposal, contract, deal, pipeline and attribution', async () => {
    const { api } = await createTenant()
    const contact = await create(api, 'contacts', { name: 'Alice Chen', email: 'alice@acme.dev', stage: 'Qualified' })
    const deal = await create(api, 'deals', { name: 'Acme Enterprise', value: 48_000, contact: contact.$id })
    expect((await api.get('/pipeline/summary')).body.totalPipelineValue).toBe(48_000)

    const proposal = await create(api, 'proposals', { deal: deal.$id, tier: 'warrior' })
    expect(proposal.total).toBe(42_000)
    expect(proposal.lineItems[0].unitPrice).toBe(3_000)
    await ok(api, `/proposals/${proposal.$id}/send`)
    await ok(api, `/proposals/${proposal.$id}/accept`)
    const [contract] = (await api.get(`/contracts?proposal=${proposal.$id}`)).body.data
    expect(contract).toMatchObject({ value: 42_000, currency: 'USD' })
    await ok(api, `/contracts/${contract.$id}/send`)
    await ok(api, `/contracts/${contract.$id}/sign`)

    expect(await read(api, `/deals/${deal.$id}`)).toMatchObject({ value: 42_000, stage: 'Won' })
    const summary = (await api.get('/pipeline/summary')).body
    expect(summary.byStage.find((s: { stageName: string }) => s.stageName === 'Won').value).toBe(42_000)
    const attribution = (await api.get('/pipeline/attribution')).body
    expect(attribution.bySource.reduce((sum: number, r: { wonValue: number }) => sum + r.wonValue, 0)).toBe(42_000)
    // The default plan costs 49 a month: MRR is 49, not 4900.
    expect((await api.get('/pipeline/billing')).body).toMatchObject({ mrr: 49, activeSubscriptions: 1 })
    expect((await api.get('/plans?name=Standard')).body.data[0].price).toBe(49)
  })

  it('amounts have at most their currency’s decimals: cents for USD, none for JPY, three for KWD', async () => {
    const { api } = await createTenant()
    expect((await api.post('/deals', { name: 'Cents', value: 1_234.56 })).status).toBe(201)
    const tooFine = await api.post('/deals', { name: 'Too fine', value: 1.234 })
    expectProblem(tooFine, 422, 'validation_failed')
    expect(tooFine.body.errors).toEqual([{ path: 'value', message: 'USD amounts have at most 2 decimals' }])
    const yen = await api.post('/deals', { name: 'Yen', value: 5000.5, currency: 'JPY' })
    expect(yen.body.errors).toEqual([{ path: 'value', message: 'JPY amounts are whole numbers' }])
    expect((await api.post('/deals', { name: 'Dinar', value: 1.234, currency: 'KWD' })).status).toBe(201)
    expect((await api.post('/plans', { name: 'Cheap', price: 4.99 })).status).toBe(201)
    expectProblem(await api.post('/plans', { name: 'Too cheap', price: 4.999 }), 422, 'validation_failed')
    // Changing the currency checks the amount again.
    const dollars = await create(api, 'deals', { name: 'Dollars', value: 10.5 })
    const moved = await api.patch(`/deals/${dollars.$id}`, { currency: 'JPY' })
    expect(moved.body.errors).toEqual([{ path: 'value', message: 'JPY amounts are whole numbers' }])
  })

  it('proposal totals round to the minor unit of their currency', async () => {
    const { api } = await createTenant()
    const deal = await create(api, 'deals', { name: 'Hours' })
    const proposal = await create(api, 'proposals', { deal: deal.$id, tier: 'starter', lineItems: [{ description: 'Consulting hours', quantity: 2.5, unitPrice: 133.33 }] })
    expect(proposal.total).toBe(333.33)
  })
})

describe('Migration 0012 and the upcaster', () => {
  it('moves stored cents to major units and reads older events in major units too (history, asOf, /events)', async () => {
    const { slug, api } = await createTenant()
    const stub = env.TENANT.getByName(slug)
    // What a tenant of the first wave holds: a plan priced 4900 cents, its events in cents, tiers in cents.
    const planId = 'plan_0ldCents1'
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql
      const at = new Date(Date.now() - 60_000).toISOString()
      const after = { $id: planId, $type: 'Plan', $version: 1, $createdAt: at, $updatedAt: at, $createdBy: 'key_old', name: 'Legacy', price: 4_900, currency: 'USD', interval: 'Month', trialDays: 0, status: 'Active' }
      sql.exec(`INSERT INTO plans (id, version, created_at, updated_at, created_by, name, price, currency, interval, trial_days, status) VALUES (?, 1, ?, ?, 'key_old', 'Legacy', 4900, 'USD', 'Month', 0, 'Active')`, planId, at, at)
      sql.exec(
        `INSERT INTO events (id, type, entity_type, entity_id, verb, version, actor, actor_role, request_id, at, data, before, after, cause) VALUES ('evt_0ldCents1', 'plan.created', 'Plan', ?, 'create', 1, 'key_old', 'admin', 'req-old', ?, ?, NULL, ?, NULL)`,
        planId,
        at,
        JSON.stringify({ name: 'Legacy', price: 4_900 }),
        JSON.stringify(after),
      )
      const settings = JSON.parse(sql.exec<{ settings: string }>('SELECT settings FROM tenant').one().settings)
      settings.tiers = [{ name: 'old', label: 'Old', currency: 'USD', lineItems: [{ description: 'Retainer', quantity: 2, unitPrice: 150_000 }] }]
      sql.exec('UPDATE tenant SET settings = ?', JSON.stringify(settings))
      // Migration 0012, as it runs on such a tenant (its statements, the upcaster's reach re-recorded).
      sql.exec('DELETE FROM event_upcasts')
      const statements = (migrations.migrations.m0012 as string)
        .split('--> statement-breakpoint')
        .map((part) => part.replace(/^\s*--.*$/gm, '').trim())
        .filter((part) => part.startsWith('UPDATE') || part.startsWith('INSERT'))
      for (const statement of statements) sql.exec(statement)
    })
    await evictDurableObject(stub)

    expect((await read(api, `/plans/${planId}`)).price).toBe(49)
    const history = (await api.get(`/plans/${planId}/history`)).body.data
    expect(history[0].entity.price).toBe(49)
    const [event] = await api.events(`entity=${planId}`)
    expect(event.data.price).toBe(49)
    expect(event.after.price).toBe(49)
    expect((await read(api, `/plans/${planId}?asOf=${encodeURIComponent(new Date().toISOString())}`)).price).toBe(49)
    const tiers = (await api.get('/settings/tiers')).body.data
    expect(tiers[0].lineItems[0].unitPrice).toBe(1_500)

    // What is written after the migration is read as written.
    const updated = await api.patch(`/plans/${planId}`, { price: 59 })
    expect(updated.body.price).toBe(59)
    const events = await api.events(`entity=${planId}`)
    expect(events.map((e: { after: { price: number } }) => e.after.price)).toEqual([49, 59])
  })
})
