/**
 * The tenant manifest (issue 15): the whole configuration as one document, applied all or
 * nothing; copying tenant A's to tenant B makes B's configuration equal to A's.
 */
import { describe, expect, it } from 'vitest'
import { createOk, createTenant, expectProblem, issueKey, readOk, type TenantApi } from './helpers'

async function configure(api: TenantApi) {
  expect((await api.put('/nouns/Contact', { shoeSize: 'number#', tier: 'Gold | Silver' })).status).toBe(200)
  expect((await api.put('/nouns/Project', { name: 'string!', status: 'Draft | Active', client: '-> Organization.projects', activate: 'Active' })).status).toBe(201)
  const scoring = (await readOk(api, '/settings/scoring')).data
  delete scoring.version
  scoring.rules.push({ id: 'gold', label: 'Gold tier contact', when: { 'contact.tier': 'Gold' }, points: 15 })
  expect((await api.put('/settings/scoring', scoring)).status).toBe(200)
  const automation = { id: 'gold-task', on: 'contact.created', when: { tier: 'Gold' }, do: [{ create: 'Activity', with: { subject: 'Welcome {{contact.name}}', type: 'Task' } }] }
  expect((await api.put('/settings/automations', [automation])).status).toBe(200)
  const stages = (await readOk(api, '/stages?name=Prospecting')).data
  expect((await api.patch(`/stages/${stages[0].$id}`, { name: 'Discovery', slaDays: 3 })).status).toBe(200)
  await createOk(api, 'stages', { name: 'Pilot', order: 7, probability: 60 })
}

describe('GET /manifest', () => {
  it('is the whole configuration without secrets, for admins only', async () => {
    const { api, slug, key } = await createTenant()
    await api.put('/settings/webhooks', [{ id: 'crm', url: 'https://hooks.example.com/revline', events: ['deal.*'], secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }])
    const manifest = await readOk(api, '/manifest')
    expect(manifest).toMatchObject({ revline: 1, nouns: {}, settings: { webhooks: [{ id: 'crm', url: 'https://hooks.example.com/revline' }] } })
    expect(manifest.stages.map((s: { name: string }) => s.name)).toEqual(['Prospecting', 'Qualification', 'Proposal', 'Negotiation', 'Won', 'Lost'])
    expect(Object.keys(manifest.settings).sort()).toEqual(expect.arrayContaining(['automations', 'capture', 'scoring', 'templates', 'tiers', 'webhooks']))
    expect(JSON.stringify(manifest)).not.toMatch(/whsec_|"version"|\$id/)
    const member = await issueKey(slug, key, 'member')
    expectProblem(await member.api.get('/manifest'), 403, 'forbidden')
    expectProblem(await member.api.put('/manifest', '{not json'), 403, 'forbidden')
  })
})

describe('PUT /manifest', () => {
  it("copies tenant A's configuration to B: a dry run changes nothing, the run makes them equal with one event", async () => {
    const a = await createTenant()
    const b = await createTenant()
    await configure(a.api)
    const manifest = await readOk(a.api, '/manifest')
    const bBefore = await readOk(b.api, '/manifest')

    const dry = await b.api.put('/manifest?dryRun=true', manifest)
    expect(dry.status, JSON.stringify(dry.body)).toBe(200)
    expect(dry.body.dryRun).toBe(true)
    expect(dry.body.changes.map((c: { path: string; change: string }) => `${c.change} ${c.path}`).sort()).toEqual(
      ['add nouns.Contact', 'add nouns.Project', 'update settings.scoring', 'update settings.automations', 'add stages.Discovery', 'add stages.Pilot', 'remove stages.Prospecting'].sort(),
    )
    expect(await readOk(b.api, '/manifest')).toEqual(bBefore)
    expect(await b.api.eventTypes()).toEqual([])

    const applied = await b.api.put('/manifest', manifest)
    expect(applied.status, JSON.stringify(applied.body)).toBe(200)
    expect(applied.body).toMatchObject({ dryRun: false, version: 1 })
    expect(await readOk(b.api, '/manifest')).toEqual(manifest)
    const types = await b.api.eventTypes()
    expect(types.filter((t) => t.startsWith('manifest.'))).toEqual(['manifest.applied'])
    expect(types.filter((t) => t.startsWith('schema.') || t.startsWith('settings.'))).toEqual([])

    // B now works as A does: the custom noun, the rule on a custom field, the automation.
    const project = await createOk(b.api, 'projects', { name: 'Copied', status: 'Draft' })
    expect((await b.api.post(`/projects/${project.$id}/activate`)).body.status).toBe('Active')
    await createOk(b.api, 'contacts', { name: 'Goldie', email: 'goldie@acme-labs.dev', tier: 'Gold' })
    expect((await readOk(b.api, '/activities?subject=Welcome Goldie')).total).toBe(1)

    const again = await b.api.put('/manifest', manifest)
    expect(again.body.changes).toEqual([])
    expect((await b.api.eventTypes()).filter((t) => t === 'manifest.applied')).toHaveLength(1)

    // A noun that changes is told field by field.
    const widened = { ...manifest, nouns: { ...manifest.nouns, Contact: { ...manifest.nouns.Contact, badge: 'string', tier: 'Gold | Silver | Bronze' } } }
    const diff = await b.api.put('/manifest?dryRun=true', widened)
    expect(diff.body.changes).toEqual([
      { path: 'nouns.Contact.tier', change: 'update', before: 'Gold | Silver', after: 'Gold | Silver | Bronze' },
      { path: 'nouns.Contact.badge', change: 'add', after: 'string' },
    ])
  })

  it('is all or nothing: a bad stage leaves the schema as it was, and every problem names its place', async () => {
    const { api } = await createTenant()
    const manifest = await readOk(api, '/manifest')
    const bad = { ...manifest, nouns: { Contact: { shoeSize: 'number' } }, stages: [...manifest.stages, { name: 'Broken', order: 9, probability: 500 }] }
    const res = await api.put('/manifest', bad)
    expectProblem(res, 422, 'validation_failed')
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('stages[6].probability')
    expect((await readOk(api, '/nouns/Contact')).custom).toEqual({})
    expect((await readOk(api, '/stages')).total).toBe(6)

    const unknown = await api.put('/manifest', { ...manifest, settings: { ...manifest.settings, nope: {} } })
    expectProblem(unknown, 422, 'validation_failed')
    expect(unknown.body.errors.map((e: { path: string }) => e.path)).toEqual(['settings.nope'])
    expectProblem(await api.put('/manifest', { ...manifest, revline: 2 }), 422, 'validation_failed')
    expectProblem(await api.put('/manifest', [manifest]), 422, 'validation_failed')
    expectProblem(await api.put('/manifest?dryRun=maybe', manifest), 400, 'invalid_query')
    expectProblem(await api.put('/manifest?drop=x;y', manifest), 400, 'invalid_query')
    expect(await api.eventTypes()).toEqual([])
  })

  it('answers 409 for stored values it would lose, unless drop names them; closing stages and stages with deals stay', async () => {
    const { api } = await createTenant()
    await api.put('/nouns/Contact', { shoeSize: 'number' })
    await createOk(api, 'contacts', { name: 'A', email: 'a@acme-labs.dev', shoeSize: 42 })
    const manifest = await readOk(api, '/manifest')
    const refused = await api.put('/manifest', { ...manifest, nouns: {} })
    expectProblem(refused, 409, 'schema_conflict')
    expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'nouns.Contact.shoeSize', rows: 1, values: [42] })])
    const dropped = await api.put('/manifest?drop=Contact.shoeSize', { ...manifest, nouns: {} })
    expect(dropped.status, JSON.stringify(dropped.body)).toBe(200)
    expect((await readOk(api, '/contacts')).data[0].shoeSize).toBeUndefined()

    const withoutWon = { ...manifest, nouns: {}, stages: manifest.stages.filter((s: { name: string }) => s.name !== 'Won') }
    expectProblem(await api.put('/manifest', withoutWon), 409, 'schema_conflict')
    await createOk(api, 'deals', { name: 'D', value: 10, stage: 'Proposal' })
    const withoutProposal = { ...manifest, nouns: {}, stages: manifest.stages.filter((s: { name: string }) => s.name !== 'Proposal') }
    const held = await api.put('/manifest', withoutProposal)
    expectProblem(held, 409, 'schema_conflict')
    expect(held.body.errors[0].path).toBe('stages.Proposal')
  })
})
