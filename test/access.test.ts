/** Access: the operator API (list, suspend, reactivate), API keys, the role matrix of seed 003 and cross-tenant attempts. */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { MAX_UNKNOWN_KEYS } from '../src/durable/tenant-state'
import { ADMIN_TOKEN, createTenant, issueKey, request, tenantApi, type ApiResponse, type TenantApi } from './helpers'
import { expectProblem } from './helpers'

const BASE_HOST = 'revline.localhost'


/** Every event of the log except provisioning (`system`). */
async function eventCount(api: TenantApi): Promise<number> {
  return (await api.events()).length
}

const operator = (method: string, path: string, body?: unknown) => request(method, path, { key: ADMIN_TOKEN, body })

/**
 * A source mapping naming every capture field. POST /sources refuses a partial mapping today
 * (z.record over an enum is exhaustive in zod 4; see test/webhooks.test.ts), so these access tests,
 * which are about roles and not mappings, map everything.
 */
const CAPTURE_FIELDS = ['firstName', 'lastName', 'name', 'email', 'phone', 'company', 'title', 'source', 'sourceDetail', 'budget', 'authority', 'need', 'timeline', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content']
const MAPPING = Object.fromEntries(CAPTURE_FIELDS.map((f) => [f, f]))

describe('Operator API', () => {
  it('lists tenants with the operator token and filters by status', async () => {
    const a = await createTenant('opa')
    const b = await createTenant('opb')
    const all = await operator('GET', '/tenants')
    expect(all.status).toBe(200)
    const slugs = all.body.data.map((t: { slug: string }) => t.slug)
    expect(slugs).toEqual(expect.arrayContaining([a.slug, b.slug]))
    expect(all.body.data.find((t: { slug: string }) => t.slug === a.slug)).toEqual({ slug: a.slug, name: `Tenant ${a.slug}`, status: 'active', createdAt: expect.any(String) })

    expect((await operator('POST', `/tenants/${b.slug}/suspend`)).status).toBe(200)
    const active = await operator('GET', '/tenants?status=active')
    expect(active.status).toBe(200)
    expect(active.body.data.every((t: { status: string }) => t.status === 'active')).toBe(true)
    const activeSlugs = active.body.data.map((t: { slug: string }) => t.slug)
    expect(activeSlugs).toContain(a.slug)
    expect(activeSlugs).not.toContain(b.slug)
    const suspended = await operator('GET', '/tenants?status=suspended')
    expect(suspended.body.data.map((t: { slug: string }) => t.slug)).toContain(b.slug)
    expect(suspended.body.data.map((t: { slug: string }) => t.slug)).not.toContain(a.slug)
    expectProblem(await operator('GET', '/tenants?status=bogus'), 400, 'invalid_query')
  })

  it('answers 401 without the operator token, with a wrong one and with a tenant key', async () => {
    const { slug, key } = await createTenant()
    for (const token of [null, 'not-the-token', key]) {
      expectProblem(await request('GET', '/tenants', { key: token }), 401, 'unauthorized', `GET /tenants with ${token}`)
      expectProblem(await request('POST', `/tenants/${slug}/suspend`, { key: token }), 401, 'unauthorized', `suspend with ${token}`)
      expectProblem(await request('POST', `/tenants/${slug}/reactivate`, { key: token }), 401, 'unauthorized', `reactivate with ${token}`)
      expectProblem(await request('POST', '/tenants', { key: token, body: { slug: `x${slug}`, name: 'X' } }), 401, 'unauthorized', `create with ${token}`)
    }
    // nothing was suspended
    expect((await tenantApi(slug, key).get('/contacts')).status).toBe(200)
  })

  it('answers 404 when suspending a tenant that does not exist', async () => {
    expectProblem(await operator('POST', `/tenants/nobody-${Date.now().toString(36)}/suspend`), 404, 'not_found')
  })

  it('suspends a tenant: every key gets 403 on every route, the public 404; reactivation restores access', async () => {
    const { slug, key, api } = await createTenant()
    const member = await issueKey(slug, key, 'member')
    const contact = (await api.post('/contacts', { name: 'Before', email: 'before@susp.dev' })).body
    const source = (await api.post('/sources', { name: 'Form', mapping: MAPPING })).body

    const suspended = await operator('POST', `/tenants/${slug}/suspend`)
    expect(suspended.status).toBe(200)
    expect(suspended.body).toEqual({ slug, status: 'suspended' })

    for (const [who, k] of [
      ['admin', key],
      ['member', member.key],
    ] as const) {
      const t = tenantApi(slug, k)
      const routes: [string, () => Promise<ApiResponse>][] = [
        ['list', () => t.get('/contacts')],
        ['get', () => t.get(`/contacts/${contact.$id}`)],
        ['create', () => t.post('/contacts', { name: 'During' })],
        ['update', () => t.patch(`/contacts/${contact.$id}`, { title: 'x' })],
        ['delete', () => t.delete(`/contacts/${contact.$id}`)],
        ['verb', () => t.post(`/contacts/${contact.$id}/qualify`)],
        ['history', () => t.get(`/contacts/${contact.$id}/history`)],
        ['events', () => t.get('/events')],
        ['keys list', () => t.get('/keys')],
        ['keys create', () => t.post('/keys', { role: 'member', name: 'x' })],
        ['sources list', () => t.get('/sources')],
        ['settings get', () => t.get('/settings/capture')],
        ['settings put', () => t.put('/settings/capture', { rateLimitPerMinute: 5 })],
        ['import', () => t.post('/contacts/import', 'name\nImported\n', { headers: { 'content-type': 'text/csv' } })],
        ['export', () => t.get('/contacts/export')],
      ]
      for (const [what, send] of routes) expectProblem(await send(), 403, 'forbidden', `${who} ${what}`)
    }
    // a key that was never valid is still a 401, not a 403
    expectProblem(await tenantApi(slug, 'rvl_wrong').get('/contacts'), 401, 'unauthorized')

    // the public sees no tenant at all
    expectProblem(await request('POST', `/~${slug}/capture`, { body: { email: 'visitor@susp.dev' } }), 404, 'not_found')
    expectProblem(await request('POST', `/~${slug}/sources/${source.id}/ingest`, { body: {}, headers: { 'webhook-id': 'm', 'webhook-timestamp': '1', 'webhook-signature': 'v1,x' } }), 404, 'not_found')

    const reactivated = await operator('POST', `/tenants/${slug}/reactivate`)
    expect(reactivated.status).toBe(200)
    expect(reactivated.body).toEqual({ slug, status: 'active' })
    expect((await api.get(`/contacts/${contact.$id}`)).status).toBe(200)
    expect((await member.api.get('/contacts')).body.total).toBe(1)
    expect((await request('POST', `/~${slug}/capture`, { body: { email: 'visitor@susp.dev' } })).status).toBe(201)

    // nothing was written while suspended; the log shows both status changes by the operator
    const events = await api.events()
    const status = events.filter((e) => e.type.startsWith('tenant.'))
    expect(status.map((e) => e.type)).toEqual(['tenant.suspended', 'tenant.reactivated'])
    for (const e of status) expect(e).toMatchObject({ actor: 'operator', actorRole: 'system', entityType: 'Tenant' })
    expect(events.filter((e) => e.actorRole !== 'public' && (e.type === 'contact.created' || e.type === 'apikey.created')).length).toBe(2)
    expect((await api.get('/contacts?name=During')).body.total).toBe(0)
  })
})

describe('API keys', () => {
  it('issues a member key that works, shown once; the list never shows a secret and records lastUsedAt', async () => {
    const { slug, key, keyId, api } = await createTenant()
    const res = await api.post('/keys', { role: 'member', name: 'CI bot' }, { headers: { 'x-request-id': 'req-key-1' } })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toEqual({ id: expect.stringMatching(/^key_[0-9A-Za-z]{9}$/), key: expect.stringMatching(/^rvl_[0-9A-Za-z]{32}$/), role: 'member', name: 'CI bot', user: null, createdAt: expect.any(String) })
    const member = res.body

    let listed = await api.get('/keys')
    expect(listed.status).toBe(200)
    let view = listed.body.data.find((k: { id: string }) => k.id === member.id)
    expect(view).toMatchObject({ id: member.id, name: 'CI bot', role: 'member', createdBy: keyId, lastUsedAt: null, revokedAt: null })
    expect(listed.body.data.find((k: { id: string }) => k.id === keyId)).toMatchObject({ role: 'admin', lastUsedAt: expect.any(String) })
    const text = JSON.stringify(listed.body)
    expect(text).not.toContain(member.key)
    expect(text).not.toContain(key)
    for (const k of listed.body.data) {
      expect(Object.keys(k).sort()).toEqual(['createdAt', 'createdBy', 'id', 'lastUsedAt', 'name', 'revokedAt', 'role', 'user'])
    }

    const memberApi = tenantApi(slug, member.key)
    const created = await memberApi.post('/contacts', { name: 'By member' })
    expect(created.status).toBe(201)
    expect(created.body.$createdBy).toBe(member.id)

    listed = await api.get('/keys')
    view = listed.body.data.find((k: { id: string }) => k.id === member.id)
    expect(Date.parse(view.lastUsedAt)).not.toBeNaN()

    const [event] = await api.events('type=apikey.created')
    expect(event).toMatchObject({ type: 'apikey.created', entityType: 'ApiKey', entityId: member.id, actor: keyId, actorRole: 'admin', requestId: 'req-key-1', data: { name: 'CI bot', role: 'member' } })
    expect(JSON.stringify(await api.events())).not.toContain(member.key)
  })

  it('issues admin keys and refuses a bad key request with 422', async () => {
    const { slug, key, api } = await createTenant()
    const admin = await issueKey(slug, key, 'admin')
    expect((await admin.api.get('/keys')).status).toBe(200)
    expect((await admin.api.put('/settings/capture', { rateLimitPerMinute: 30 })).status).toBe(200)
    const base = await eventCount(api)
    expectProblem(await api.post('/keys', { role: 'owner', name: 'x' }), 422, 'validation_failed')
    expectProblem(await api.post('/keys', { role: 'member' }), 422, 'validation_failed')
    expectProblem(await api.post('/keys', { role: 'member', name: 'x', hash: 'abc' }), 422, 'validation_failed')
    expect(await eventCount(api)).toBe(base)
  })

  it('revokes a key at once: the very next request with it is a 401', async () => {
    const { slug, key, keyId, api } = await createTenant()
    const member = await issueKey(slug, key, 'member')
    expect((await member.api.get('/contacts')).status).toBe(200)
    const revoked = await api.delete(`/keys/${member.id}`, { headers: { 'x-request-id': 'req-revoke-1' } })
    expect(revoked.status).toBe(200)
    expect(revoked.body).toMatchObject({ id: member.id, role: 'member', revokedAt: expect.any(String) })
    expect(JSON.stringify(revoked.body)).not.toContain(member.key)
    expectProblem(await member.api.get('/contacts'), 401, 'unauthorized')
    expectProblem(await member.api.post('/contacts', { name: 'After revoke' }), 401, 'unauthorized')
    // listed as revoked, and revoking again is a 404
    const view = (await api.get('/keys')).body.data.find((k: { id: string }) => k.id === member.id)
    expect(view.revokedAt).toEqual(revoked.body.revokedAt)
    expectProblem(await api.delete(`/keys/${member.id}`), 404, 'not_found')
    expectProblem(await api.delete('/keys/key_000000000'), 404, 'not_found')
    expectProblem(await api.delete('/keys/nonsense'), 404, 'not_found')

    const events = await api.events('type=apikey.revoked')
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ entityId: member.id, actor: keyId, actorRole: 'admin', requestId: 'req-revoke-1' })
    expect((await api.get('/contacts?name=After revoke')).body.total).toBe(0)
  })

  it('refuses to revoke the last admin key with 409; another admin key makes it possible', async () => {
    const { slug, key, keyId, api } = await createTenant()
    expectProblem(await api.delete(`/keys/${keyId}`), 409, 'conflict')
    expect((await api.get('/contacts')).status).toBe(200)
    const member = await issueKey(slug, key, 'member')
    // a member key does not count as an admin
    expectProblem(await api.delete(`/keys/${keyId}`), 409, 'conflict')
    const second = await issueKey(slug, key, 'admin')
    expect((await second.api.delete(`/keys/${keyId}`)).status).toBe(200)
    expectProblem(await api.get('/contacts'), 401, 'unauthorized')
    expectProblem(await second.api.delete(`/keys/${second.id}`), 409, 'conflict')
    expect((await second.api.get('/keys')).status).toBe(200)
    expect((await member.api.get('/contacts')).status).toBe(200)
    const revokedEvents = await second.api.events('type=apikey.revoked')
    expect(revokedEvents.map((e) => [e.entityId, e.actor])).toEqual([[keyId, second.id]])
  })

  it('remembers at most 1,000 unknown keys: 5,000 random bad keys are each a 401, and good keys still work', async () => {
    const { slug, key } = await createTenant()
    const member = await issueKey(slug, key, 'member')
    const stub = env.TENANT.getByName(slug)
    const randomHash = () => [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join('')
    for (let batch = 0; batch < 50; batch++) {
      const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) => stub.call({ keyHash: randomHash(), requestId: `probe-${batch}-${i}` }, { kind: 'authenticate' })))
      for (const outcome of outcomes) expect(outcome).toMatchObject({ ok: false, failure: { code: 'unauthorized' } })
    }
    const cached = await runInDurableObject(stub, (instance) => (instance as unknown as { state: { unknownKeysCached: number } }).state.unknownKeysCached)
    expect(cached).toBe(MAX_UNKNOWN_KEYS)
    // through the Worker: bad keys are still refused, good ones (cached or not) still work
    expectProblem(await tenantApi(slug, 'rvl_stillwrong').get('/contacts'), 401, 'unauthorized')
    expect((await tenantApi(slug, key).get('/contacts')).status).toBe(200)
    expect((await member.api.get('/contacts')).status).toBe(200)
    // and a key issued now works at once
    const late = await issueKey(slug, key, 'member')
    expect((await late.api.get('/contacts')).status).toBe(200)
  }, 120_000)

  it('does not let a member key manage keys (403), nor write anything', async () => {
    const { slug, key, keyId, api } = await createTenant()
    const member = await issueKey(slug, key, 'member')
    const base = await eventCount(api)
    expectProblem(await member.api.get('/keys'), 403, 'forbidden')
    expectProblem(await member.api.post('/keys', { role: 'admin', name: 'escalate' }), 403, 'forbidden')
    expectProblem(await member.api.post('/keys', { role: 'member', name: 'another' }), 403, 'forbidden')
    expectProblem(await member.api.delete(`/keys/${keyId}`), 403, 'forbidden')
    expectProblem(await member.api.delete(`/keys/${member.id}`), 403, 'forbidden')
    expect(await eventCount(api)).toBe(base)
    expect((await api.get('/keys')).body.data.map((k: { id: string }) => k.id).sort()).toEqual([keyId, member.id].sort())
  })
})

describe('Roles (seed 003 permissions)', () => {
  it('lets a member list, get, create, update and run verbs (qualify, advance a deal, log an activity)', async () => {
    const { slug, key, api } = await createTenant()
    const member = await issueKey(slug, key, 'member')
    const m = member.api

    const contact = await m.post('/contacts', { name: 'Jane Member', email: 'jane@member.dev', stage: 'Lead' }, { headers: { 'x-request-id': 'req-m-1' } })
    expect(contact.status, JSON.stringify(contact.body)).toBe(201)
    const id = contact.body.$id
    expect((await m.get('/contacts')).body.total).toBe(1)
    expect((await m.get(`/contacts/${id}`)).status).toBe(200)
    const updated = await m.patch(`/contacts/${id}`, { title: 'VP Sales' })
    expect(updated.status).toBe(200)
    expect(updated.body.title).toBe('VP Sales')
    const qualified = await m.post(`/contacts/${id}/qualify`)
    expect(qualified.status, JSON.stringify(qualified.body)).toBe(200)
    expect(qualified.body.stage).toBe('Qualified')

    const deal = await m.post('/deals', { name: 'Member deal', value: 1000, contact: id })
    expect(deal.status, JSON.stringify(deal.body)).toBe(201)
    expect(deal.body.stage).toBe('Prospecting')
    const advanced = await m.post(`/deals/${deal.body.$id}/advance`, { stage: 'Qualification' })
    expect(advanced.status, JSON.stringify(advanced.body)).toBe(200)
    expect(advanced.body.stage).toBe('Qualification')

    const activity = await m.post('/activities', { subject: 'Discovery call', type: 'Call', contact: id })
    expect(activity.status, JSON.stringify(activity.body)).toBe(201)
    expect((await m.get(`/activities/${activity.body.$id}`)).body.subject).toBe('Discovery call')
    expect((await m.get('/stages')).status).toBe(200)
    expect((await m.get('/events')).status).toBe(200)

    // every write is recorded with the member's key as actor and role member
    const mine = (await api.get(`/events?actor=${member.id}&limit=500`)).body.data
    expect(mine.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['contact.created', 'contact.updated', 'contact.qualified', 'deal.created', 'deal.advanced', 'activity.created']),
    )
    for (const e of mine) expect(e).toMatchObject({ actor: member.id, actorRole: 'member', requestId: expect.any(String) })
    expect(mine[0]).toMatchObject({ type: 'contact.created', entityId: id, requestId: 'req-m-1' })
    // the filter returns only this actor's events
    const all = await api.events()
    expect(mine.length).toBe(all.filter((e) => e.actor === member.id).length)
    expect(all.some((e) => e.actor !== member.id)).toBe(true)
  })

  it('refuses a member delete, restore, stage writes, settings, keys and sources with 403 and writes nothing', async () => {
    const { slug, key, api } = await createTenant()
    const member = await issueKey(slug, key, 'member')
    const m = member.api
    const live = (await api.post('/contacts', { name: 'Live' })).body
    const gone = (await api.post('/contacts', { name: 'Gone' })).body
    expect((await api.delete(`/contacts/${gone.$id}`)).status).toBe(204)
    const stage = (await api.get('/stages?name=Proposal')).body.data[0]
    expect(stage).toBeDefined()
    const source = (await api.post('/sources', { name: 'Form', mapping: MAPPING })).body
    const base = await eventCount(api)

    const cases: [string, () => Promise<ApiResponse>][] = [
      ['DELETE contact', () => m.delete(`/contacts/${live.$id}`)],
      ['restore contact', () => m.post(`/contacts/${gone.$id}/restore`)],
      ['create stage', () => m.post('/stages', { name: 'Discovery', order: 9 })],
      ['update stage', () => m.patch(`/stages/${stage.$id}`, { probability: 60 })],
      ['delete stage', () => m.delete(`/stages/${stage.$id}`)],
      ['retire stage', () => m.post(`/stages/${stage.$id}/retire`)],
      ['put automations', () => m.put('/settings/automations', [])],
      ['put tiers', () => m.put('/settings/tiers', [{ name: 'solo', label: 'Solo', lineItems: [{ description: 'x', unitPrice: 100 }] }])],
      ['put capture', () => m.put('/settings/capture', { rateLimitPerMinute: 5 })],
      ['get capture settings', () => m.get('/settings/capture')],
      ['list keys', () => m.get('/keys')],
      ['create key', () => m.post('/keys', { role: 'member', name: 'x' })],
      ['list sources', () => m.get('/sources')],
      ['create source', () => m.post('/sources', { name: 'Sneaky', mapping: MAPPING })],
      ['revoke source', () => m.delete(`/sources/${source.id}`)],
    ]
    for (const [what, send] of cases) expectProblem(await send(), 403, 'forbidden', what)

    expect(await eventCount(api)).toBe(base)
    expect((await api.get(`/contacts/${live.$id}`)).status).toBe(200)
    expectProblem(await api.get(`/contacts/${gone.$id}`), 404, 'not_found')
    expect((await api.get(`/stages/${stage.$id}`)).body).toMatchObject({ probability: stage.probability, status: 'Active' })
    expect((await api.get('/stages?name=Discovery')).body.total).toBe(0)
    expect((await api.get('/settings/capture')).body.data.rateLimitPerMinute).toBe(20)
    expect((await api.get('/sources')).body.data).toHaveLength(1)
  })

  it('lets an admin do all of it', async () => {
    const { slug, key, keyId, api } = await createTenant()
    const contact = (await api.post('/contacts', { name: 'Admin' })).body
    expect((await api.delete(`/contacts/${contact.$id}`)).status).toBe(204)
    expect((await api.post(`/contacts/${contact.$id}/restore`)).status).toBe(200)
    const stage = await api.post('/stages', { name: 'Discovery', order: 9 })
    expect(stage.status, JSON.stringify(stage.body)).toBe(201)
    expect((await api.patch(`/stages/${stage.body.$id}`, { probability: 15 })).status).toBe(200)
    expect((await api.post(`/stages/${stage.body.$id}/retire`)).status).toBe(200)
    expect((await api.delete(`/stages/${stage.body.$id}`)).status).toBe(204)
    expect((await api.put('/settings/automations', [])).status).toBe(200)
    expect((await api.put('/settings/tiers', [{ name: 'solo', label: 'Solo', lineItems: [{ description: 'x', unitPrice: 100 }] }])).status).toBe(200)
    expect((await api.put('/settings/capture', { rateLimitPerMinute: 5 })).status).toBe(200)
    expect((await api.get('/settings/capture')).body.data.rateLimitPerMinute).toBe(5)
    const member = await issueKey(slug, key, 'member')
    expect((await api.get('/keys')).body.data).toHaveLength(2)
    expect((await api.delete(`/keys/${member.id}`)).status).toBe(200)
    const source = await api.post('/sources', { name: 'Form', mapping: MAPPING })
    expect(source.status).toBe(201)
    expect((await api.get('/sources')).status).toBe(200)
    expect((await api.delete(`/sources/${source.body.id}`)).status).toBe(200)
    const types = (await api.events()).map((e) => e.type)
    expect(types).toEqual([
      'contact.created',
      'contact.deleted',
      'contact.restored',
      'stage.created',
      'stage.updated',
      'stage.retired',
      'stage.deleted',
      'settings.updated',
      'settings.updated',
      'settings.updated',
      'apikey.created',
      'apikey.revoked',
      'source.created',
      'source.revoked',
    ])
    for (const e of await api.events()) expect(e).toMatchObject({ actor: keyId, actorRole: 'admin' })
  })

  it('restores a soft-deleted contact (GET 200, contact.restored); restoring a live one is a 409', async () => {
    const { keyId, api } = await createTenant()
    const contact = (await api.post('/contacts', { name: 'Phoenix', email: 'phoenix@restore.dev' })).body
    expect((await api.delete(`/contacts/${contact.$id}`)).status).toBe(204)
    expectProblem(await api.get(`/contacts/${contact.$id}`), 404, 'not_found')
    expect((await api.get('/contacts')).body.total).toBe(0)

    const restored = await api.post(`/contacts/${contact.$id}/restore`, undefined, { headers: { 'x-request-id': 'req-restore' } })
    expect(restored.status, JSON.stringify(restored.body)).toBe(200)
    expect(restored.body).toMatchObject({ $id: contact.$id, name: 'Phoenix', email: 'phoenix@restore.dev' })
    expect(restored.body.$deletedAt).toBeUndefined()
    const got = await api.get(`/contacts/${contact.$id}`)
    expect(got.status).toBe(200)
    expect(got.body).toMatchObject({ name: 'Phoenix', email: 'phoenix@restore.dev' })
    expect((await api.get('/contacts')).body.total).toBe(1)

    // Restore takes no input: fields in its body are refused, not ignored.
    expect((await api.delete(`/contacts/${contact.$id}`)).status).toBe(204)
    const junk = await api.post(`/contacts/${contact.$id}/restore`, { name: 'Mallory' })
    expectProblem(junk, 422, 'validation_failed')
    expect(junk.body.errors).toEqual([{ path: 'name', message: 'is not a field of this noun' }])
    expectProblem(await api.get(`/contacts/${contact.$id}`), 404, 'not_found')
    expect((await api.post(`/contacts/${contact.$id}/restore`, undefined, { headers: { 'x-request-id': 'req-restore' } })).status).toBe(200)

    const before = await eventCount(api)
    expectProblem(await api.post(`/contacts/${contact.$id}/restore`), 409, 'invalid_transition')
    expect(await eventCount(api)).toBe(before)
    const events = await api.events(`entity=${contact.$id}`)
    expect(events.map((e) => e.type)).toEqual(['contact.created', 'contact.deleted', 'contact.restored', 'contact.deleted', 'contact.restored'])
    expect(events[2]).toMatchObject({ actor: keyId, actorRole: 'admin', requestId: 'req-restore', verb: 'restore' })
  })

  it('refuses (409) to restore a contact whose email another live contact now holds, and keeps it deleted', async () => {
    const { api } = await createTenant()
    const old = (await api.post('/contacts', { name: 'Old', email: 'taken@restore.dev' })).body
    expect((await api.delete(`/contacts/${old.$id}`)).status).toBe(204)
    const successor = await api.post('/contacts', { name: 'Successor', email: 'taken@restore.dev' })
    expect(successor.status).toBe(201)
    const before = await eventCount(api)
    const res = await api.post(`/contacts/${old.$id}/restore`)
    expectProblem(res, 409, 'conflict')
    expect(await eventCount(api)).toBe(before)
    expectProblem(await api.get(`/contacts/${old.$id}`), 404, 'not_found')
    expect((await api.get('/contacts?email=taken@restore.dev')).body.data.map((c: { $id: string }) => c.$id)).toEqual([successor.body.$id])
  })

  it('keeps the public (no key) and the operator token out of tenant routes', async () => {
    const { slug, api } = await createTenant()
    for (const k of [null, ADMIN_TOKEN]) {
      const t = tenantApi(slug, k)
      expectProblem(await t.get('/contacts'), 401, 'unauthorized')
      expectProblem(await t.post('/contacts', { name: 'x' }), 401, 'unauthorized')
      expectProblem(await t.get('/events'), 401, 'unauthorized')
      expectProblem(await t.get('/keys'), 401, 'unauthorized')
      expectProblem(await t.get('/sources'), 401, 'unauthorized')
      expectProblem(await t.put('/settings/capture', {}), 401, 'unauthorized')
    }
    expect((await api.get('/contacts')).body.total).toBe(0)
  })
})

describe('Cross-tenant attempts', () => {
  async function twoTenants() {
    const a = await createTenant('a')
    const b = await createTenant('b')
    const aMember = await issueKey(a.slug, a.key, 'member')
    const contact = (await a.api.post('/contacts', { name: 'Alice of A', email: 'alice@a.dev', stage: 'Lead' })).body
    return { a, b, aMember, contact }
  }

  it("refuses A's admin and member keys on B's path and on B's host with 401", async () => {
    const { a, b, aMember } = await twoTenants()
    const host = `${b.slug}.${BASE_HOST}`
    for (const [who, k] of [
      ['admin', a.key],
      ['member', aMember.key],
    ] as const) {
      const onB = tenantApi(b.slug, k)
      expectProblem(await onB.get('/contacts'), 401, 'unauthorized', `${who} path list`)
      expectProblem(await onB.post('/contacts', { name: 'Smuggled' }), 401, 'unauthorized', `${who} path create`)
      expectProblem(await onB.get('/keys'), 401, 'unauthorized', `${who} path keys`)
      expectProblem(await onB.post('/keys', { role: 'admin', name: 'x' }), 401, 'unauthorized', `${who} path key create`)
      expectProblem(await onB.get('/contacts/export'), 401, 'unauthorized', `${who} path export`)
      expectProblem(await onB.post('/contacts/import', 'name\nSmuggled\n', { headers: { 'content-type': 'text/csv' } }), 401, 'unauthorized', `${who} path import`)
      expectProblem(await request('GET', '/contacts', { key: k, host }), 401, 'unauthorized', `${who} host list`)
      expectProblem(await request('POST', '/contacts', { key: k, host, body: { name: 'Smuggled' } }), 401, 'unauthorized', `${who} host create`)
      expectProblem(await request('GET', '/events', { key: k, host }), 401, 'unauthorized', `${who} host events`)
    }
    // sanity: each key works on its own host
    expect((await request('GET', '/contacts', { key: a.key, host: `${a.slug}.${BASE_HOST}` })).body.total).toBe(1)
    expect((await request('GET', '/contacts', { key: aMember.key, host: `${a.slug}.${BASE_HOST}` })).body.total).toBe(1)
    expect((await request('GET', '/contacts', { key: b.key, host })).body.total).toBe(0)
    expect((await b.api.get('/contacts')).body.total).toBe(0)
    expect(await eventCount(b.api)).toBe(0)
  })

  it("does not let B's admin list or revoke A's keys", async () => {
    const { a, b, aMember } = await twoTenants()
    expectProblem(await b.api.delete(`/keys/${aMember.id}`), 404, 'not_found')
    expectProblem(await b.api.delete(`/keys/${a.keyId}`), 404, 'not_found')
    expect((await b.api.get('/keys')).body.data.map((k: { id: string }) => k.id)).toEqual([b.keyId])
    expect((await aMember.api.get('/contacts')).status).toBe(200)
    expect((await a.api.get('/keys')).body.data.every((k: { revokedAt: null }) => k.revokedAt === null)).toBe(true)
  })

  it("does not let B see or touch A's ids (get, patch, delete, verbs, restore, events)", async () => {
    const { a, b, contact } = await twoTenants()
    const deleted = (await a.api.post('/contacts', { name: 'Deleted of A' })).body
    expect((await a.api.delete(`/contacts/${deleted.$id}`)).status).toBe(204)
    const aBefore = await eventCount(a.api)

    expectProblem(await b.api.get(`/contacts/${contact.$id}`), 404, 'not_found')
    expectProblem(await b.api.patch(`/contacts/${contact.$id}`, { name: 'Hijacked' }), 404, 'not_found')
    expectProblem(await b.api.delete(`/contacts/${contact.$id}`), 404, 'not_found')
    expectProblem(await b.api.post(`/contacts/${contact.$id}/qualify`), 404, 'not_found')
    expectProblem(await b.api.post(`/contacts/${contact.$id}/restore`), 404, 'not_found')
    expectProblem(await b.api.post(`/contacts/${deleted.$id}/restore`), 404, 'not_found')
    expect((await b.api.get(`/events?entity=${contact.$id}`)).body.data).toEqual([])
    expect((await b.api.get(`/contacts?$id=${contact.$id}`)).body.total).toBe(0)

    expect(await eventCount(a.api)).toBe(aBefore)
    expect((await a.api.get(`/contacts/${contact.$id}`)).body).toEqual(contact)
    expectProblem(await a.api.get(`/contacts/${deleted.$id}`), 404, 'not_found')
    expect(await eventCount(b.api)).toBe(0)
  })

  it("does not let B reach A's ids through import or export", async () => {
    const { a, b, contact } = await twoTenants()
    // a lead pointing at A's contact is rejected; a contact with A's email is new in B, not an update of A's
    const leads = await b.api.post('/leads/import', `name,source,contact\nStolen lead,website,${contact.$id}\n`, { headers: { 'content-type': 'text/csv' } })
    expect(leads.status, JSON.stringify(leads.body)).toBe(422)
    expect(leads.body).toMatchObject({ created: 0, updated: 0, rejected: 1 })
    expect(leads.body.errors).toEqual([{ line: 2, field: 'contact', message: expect.any(String) }])
    const contacts = await b.api.post('/contacts/import', `name,email\nAlice of B,ALICE@a.dev\n`, { headers: { 'content-type': 'text/csv' } })
    expect(contacts.status).toBe(200)
    expect(contacts.body).toMatchObject({ created: 1, updated: 0, rejected: 0 })

    const exported = await b.api.get('/contacts/export')
    expect(exported.status).toBe(200)
    expect(exported.body).not.toContain(contact.$id)
    expect((await b.api.get('/leads')).body.total).toBe(0)
    // A is untouched
    expect((await a.api.get(`/contacts/${contact.$id}`)).body).toEqual(contact)
    expect((await a.api.get('/contacts')).body.total).toBe(1)
  })

  it("answers 404 for A's source id on B's path", async () => {
    const { a, b } = await twoTenants()
    const source = (await a.api.post('/sources', { name: 'A form', mapping: MAPPING })).body
    const res = await request('POST', `/~${b.slug}/sources/${source.id}/ingest`, {
      body: JSON.stringify({ email: 'x@y.dev' }),
      headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' },
    })
    expectProblem(res, 404, 'not_found')
    expectProblem(await b.api.delete(`/sources/${source.id}`), 404, 'not_found')
    expect((await a.api.get('/sources')).body.data[0]).toMatchObject({ id: source.id, revokedAt: null })
    expect(await eventCount(b.api)).toBe(0)
  })
})
