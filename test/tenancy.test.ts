/** Tenants: isolation between two tenants, path and host routing, and the operator API. */
import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, createTenant, request, tenantApi, type ApiResponse, type TenantApi } from './helpers'
import { expectProblem } from './helpers'

const BASE_HOST = 'revline.localhost'


/** Event types of the tenant's contacts and organizations, in order (what provisioning writes is not counted). */
async function domainEvents(api: TenantApi): Promise<string[]> {
  return (await api.eventTypes()).filter((t) => t.startsWith('contact.') || t.startsWith('organization.'))
}

let n = 0
const freshSlug = (prefix = 'op') => `${prefix}-${Date.now().toString(36)}-${(n++).toString(36)}-${Math.random().toString(36).slice(2, 6)}`

async function twoTenants() {
  const a = await createTenant('a')
  const b = await createTenant('b')
  const contact = await a.api.post('/contacts', { name: 'Alice of A', email: 'alice@a.dev', stage: 'Lead' })
  expect(contact.status).toBe(201)
  return { a, b, contact: contact.body }
}

describe('Tenant isolation', () => {
  it("refuses tenant A's key on tenant B's path with 401", async () => {
    const { a, b } = await twoTenants()
    const aKeyOnB = tenantApi(b.slug, a.key)
    expectProblem(await aKeyOnB.get('/contacts'), 401, 'unauthorized')
    expectProblem(await aKeyOnB.post('/contacts', { name: 'Smuggled' }), 401, 'unauthorized')
    expectProblem(await aKeyOnB.get('/events'), 401, 'unauthorized')
    expect((await b.api.get('/contacts')).body.total).toBe(0)
    expect(await domainEvents(b.api)).toEqual([])
  })

  it("refuses tenant A's key on tenant B's host with 401", async () => {
    const { a, b } = await twoTenants()
    expectProblem(await request('GET', '/contacts', { key: a.key, host: `${b.slug}.${BASE_HOST}` }), 401, 'unauthorized')
  })

  it("does not let tenant B read tenant A's contact", async () => {
    const { b, contact } = await twoTenants()
    expectProblem(await b.api.get(`/contacts/${contact.$id}`), 404, 'not_found')
    expectProblem(await b.api.get(`/contacts/${contact.$id}/history`), 404, 'not_found')
    expectProblem(await b.api.get(`/contacts/${contact.$id}?asOf=${encodeURIComponent(new Date().toISOString())}`), 404, 'not_found')
    const list = await b.api.get(`/contacts?$id=${contact.$id}`)
    expect(list.body).toEqual({ data: [], total: 0, next: null })
    expect((await b.api.get(`/events?entity=${contact.$id}`)).body.data).toEqual([])
  })

  it("does not let tenant B change, delete or run verbs on tenant A's contact", async () => {
    const { a, b, contact } = await twoTenants()
    expectProblem(await b.api.patch(`/contacts/${contact.$id}`, { name: 'Hijacked' }), 404, 'not_found')
    expectProblem(await b.api.delete(`/contacts/${contact.$id}`), 404, 'not_found')
    expectProblem(await b.api.post(`/contacts/${contact.$id}/qualify`), 404, 'not_found')
    const owner = (await b.api.post('/contacts', { name: 'B Owner' })).body
    expectProblem(await b.api.post(`/contacts/${contact.$id}/assign`, { owner: owner.$id }), 404, 'not_found')

    const got = await a.api.get(`/contacts/${contact.$id}`)
    expect(got.status).toBe(200)
    expect(got.body).toEqual(contact)
    expect(await domainEvents(a.api)).toEqual(['contact.created'])
    expect(await domainEvents(b.api)).toEqual(['contact.created'])
  })

  it("does not let tenant B link to tenant A's organization", async () => {
    const { a, b } = await twoTenants()
    const org = (await a.api.post('/organizations', { name: 'A Corp' })).body
    const res = await b.api.post('/contacts', { name: 'Linker', organization: org.$id })
    expectProblem(res, 422, 'validation_failed')
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'organization' })])
    const own = (await b.api.post('/contacts', { name: 'B Person' })).body
    expectProblem(await b.api.post(`/contacts/${own.$id}/assign`, { owner: (await a.api.get('/contacts')).body.data[0].$id }), 422, 'validation_failed')
  })

  it('keeps unique fields per tenant', async () => {
    const { b, contact } = await twoTenants()
    const res = await b.api.post('/contacts', { name: 'Alice of B', email: contact.email })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body.$id).not.toBe(contact.$id)
  })

  it('keeps lists, totals and event logs apart', async () => {
    const { a, b } = await twoTenants()
    await b.api.post('/contacts', { name: 'Bob of B', stage: 'Lead' })
    await b.api.post('/contacts', { name: 'Bea of B', stage: 'Lead' })
    const listA = (await a.api.get('/contacts?stage=Lead')).body
    const listB = (await b.api.get('/contacts?stage=Lead')).body
    expect(listA.data.map((c: { name: string }) => c.name)).toEqual(['Alice of A'])
    expect(listB.data.map((c: { name: string }) => c.name)).toEqual(['Bob of B', 'Bea of B'])
    expect(listB.total).toBe(2)
    expect(await domainEvents(a.api)).toEqual(['contact.created'])
    expect(await domainEvents(b.api)).toEqual(['contact.created', 'contact.created'])
  })

  it("records each tenant's own key as the actor", async () => {
    const { a, b, contact } = await twoTenants()
    expect(contact.$createdBy).toBe(a.keyId)
    const mine = (await b.api.post('/contacts', { name: 'B' })).body
    expect(mine.$createdBy).toBe(b.keyId)
    expect(a.keyId).not.toBe(b.keyId)
  })
})

describe('Host routing', () => {
  it('reaches the same data as the /~{slug} path', async () => {
    const { slug, key, api } = await createTenant('h')
    const host = `${slug}.${BASE_HOST}`
    const viaPath = (await api.post('/contacts', { name: 'Path Made', email: 'path@acme.dev', stage: 'Lead' })).body

    const list = await request('GET', '/contacts', { key, host })
    expect(list.status).toBe(200)
    expect(list.body.data).toEqual([viaPath])

    const got = await request('GET', `/contacts/${viaPath.$id}`, { key, host })
    expect(got.status).toBe(200)
    expect(got.body).toEqual(viaPath)
    expect(got.headers.get('etag')).toBe('"1"')

    const viaHost = await request('POST', '/contacts', { key, host, body: { name: 'Host Made' } })
    expect(viaHost.status).toBe(201)
    expect((await api.get(`/contacts/${viaHost.body.$id}`)).body).toEqual(viaHost.body)

    const qualified = await request('POST', `/contacts/${viaPath.$id}/qualify`, { key, host })
    expect(qualified.status).toBe(200)
    expect((await api.get(`/contacts/${viaPath.$id}`)).body.stage).toBe('Qualified')

    const events = await request('GET', '/events?type=contact.*', { key, host })
    expect(events.body.data.map((e: { type: string }) => e.type)).toEqual(['contact.created', 'contact.created', 'contact.qualified'])
  })

  it('answers the same errors through the host', async () => {
    const { slug, key } = await createTenant('h')
    const host = `${slug}.${BASE_HOST}`
    expectProblem(await request('GET', '/contacts', { host }), 401, 'unauthorized')
    expectProblem(await request('GET', '/contacts?nope=1', { key, host }), 400, 'invalid_query')
    expectProblem(await request('GET', '/contacts/contact_000000000', { key, host }), 404, 'not_found')
  })

  it('treats the host case-insensitively', async () => {
    const { slug, key } = await createTenant('h')
    const res = await request('GET', '/contacts', { key, host: `${slug}.REVLINE.localhost` })
    expect(res.status).toBe(200)
  })

  it('answers 404 for the host of an unknown tenant', async () => {
    expectProblem(await request('GET', '/contacts', { key: 'rvl_any', host: `${freshSlug('ghost')}.${BASE_HOST}` }), 404, 'not_found')
  })

  it('does not treat other hosts as tenants', async () => {
    const { slug, key } = await createTenant('h')
    expectProblem(await request('GET', '/contacts', { key, host: `${slug}.example.com` }), 404, 'not_found')
    expectProblem(await request('GET', '/contacts', { key, host: `x.${slug}.${BASE_HOST}` }), 404, 'not_found')
  })
})

describe('Operator API', () => {
  it('creates a tenant with an admin key that works at once', async () => {
    const slug = freshSlug()
    const res = await request('POST', '/tenants', { key: ADMIN_TOKEN, body: { slug, name: 'Fresh Co' } })
    expect(res.status).toBe(201)
    expect(res.body.tenant).toMatchObject({ slug, name: 'Fresh Co', status: 'active' })
    expect(res.body.apiKey).toMatch(/^rvl_[0-9A-Za-z]{32}$/)
    expect(res.body.keyId).toMatch(/^key_[0-9A-Za-z]{9}$/)
    const list = await request('GET', `/~${slug}/contacts`, { key: res.body.apiKey })
    expect(list.status).toBe(200)
    expect(list.body.total).toBe(0)
  })

  it('answers 401 without the operator token, and creates nothing', async () => {
    const slug = freshSlug()
    expectProblem(await request('POST', '/tenants', { body: { slug, name: 'No Token' } }), 401, 'unauthorized')
    expectProblem(await request('POST', '/tenants', { key: 'not-the-token', body: { slug, name: 'Bad Token' } }), 401, 'unauthorized')
    expectProblem(await request('POST', '/tenants', { headers: { authorization: `Basic ${btoa(`admin:${ADMIN_TOKEN}`)}` }, body: { slug, name: 'Basic' } }), 401, 'unauthorized')
    // the slug is still free
    expect((await request('POST', '/tenants', { key: ADMIN_TOKEN, body: { slug, name: 'Now Real' } })).status).toBe(201)
  })

  it("does not take a tenant's API key as the operator token", async () => {
    const { key } = await createTenant()
    expectProblem(await request('POST', '/tenants', { key, body: { slug: freshSlug(), name: 'Escalation' } }), 401, 'unauthorized')
  })

  it('answers 409 for a slug that is taken, and keeps the first tenant intact', async () => {
    const { slug, api, key } = await createTenant()
    const c = (await api.post('/contacts', { name: 'Original' })).body
    const res = await request('POST', '/tenants', { key: ADMIN_TOKEN, body: { slug, name: 'Impostor' } })
    expectProblem(res, 409, 'conflict')
    expect(res.body).not.toHaveProperty('apiKey')
    const got = await request('GET', `/~${slug}/contacts/${c.$id}`, { key })
    expect(got.status).toBe(200)
    expect(got.body).toEqual(c)
  })

  it('answers 422 for a bad slug, naming it', async () => {
    for (const slug of ['Upper', 'under_score', '-leading', 'trailing-', 'a'.repeat(41), '', 'dots.in.slug', 'spa ce']) {
      const res = await request('POST', '/tenants', { key: ADMIN_TOKEN, body: { slug, name: 'Bad' } })
      expectProblem(res, 422, 'validation_failed')
      expect(res.body.errors, slug).toEqual([expect.objectContaining({ path: 'slug' })])
    }
  })

  it('answers 422 for a missing name, unknown fields or a missing slug', async () => {
    const missingName = await request('POST', '/tenants', { key: ADMIN_TOKEN, body: { slug: freshSlug() } })
    expectProblem(missingName, 422, 'validation_failed')
    expect(missingName.body.errors).toEqual([expect.objectContaining({ path: 'name' })])
    const blankName = await request('POST', '/tenants', { key: ADMIN_TOKEN, body: { slug: freshSlug(), name: '   ' } })
    expectProblem(blankName, 422, 'validation_failed')
    const extra = await request('POST', '/tenants', { key: ADMIN_TOKEN, body: { slug: freshSlug(), name: 'X', plan: 'gold' } })
    expectProblem(extra, 422, 'validation_failed')
    expect(extra.body.errors).toEqual([expect.objectContaining({ path: 'plan' })])
    const noSlug = await request('POST', '/tenants', { key: ADMIN_TOKEN, body: { name: 'X' } })
    expectProblem(noSlug, 422, 'validation_failed')
    expect(noSlug.body.errors).toEqual([expect.objectContaining({ path: 'slug' })])
  })

  it('answers 400 and 415 for bodies that are not JSON objects', async () => {
    expectProblem(await request('POST', '/tenants', { key: ADMIN_TOKEN, body: '{"slug": ' }), 400, 'bad_request')
    expectProblem(await request('POST', '/tenants', { key: ADMIN_TOKEN, body: 'slug=x&name=y', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type')
  })
})
