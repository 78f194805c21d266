/**
 * Authorization before anything else: on every admin route a member key gets exactly 403 (the same
 * problem body whatever it sent), a request without a key exactly 401, and only an admin key learns
 * what was wrong with the request (400, 404, 409, 412, 415, 422…). A malformed Idempotency-Key is
 * judged after the key: 401 with a bad API key, 400 with a good one.
 */
import { describe, expect, it } from 'vitest'
import { createTenant, expectProblem, issueKey, request, type ApiResponse, type TenantApi } from './helpers'

/** One request to a tenant route; `valid` marks the one an admin key would see succeed. */
interface Probe {
  what: string
  method: string
  path: string
  body?: string
  headers?: Record<string, string>
  valid?: boolean
}

interface Route {
  route: string
  probes: Probe[]
}

const JSON_TYPE = { 'content-type': 'application/json' }
const CAPTURE_FIELDS = ['firstName', 'lastName', 'name', 'email', 'phone', 'company', 'title', 'source', 'sourceDetail', 'budget', 'authority', 'need', 'timeline', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content']
const MAPPING = Object.fromEntries(CAPTURE_FIELDS.map((f) => [f, f]))
const SECTIONS = ['automations', 'tiers', 'capture', 'scoring', 'templates', 'webhooks', 'dashboard']

/** Every kind of bad body a write can carry, plus the valid one (`optional`: verbs that need no body). */
function bodyProbes(method: string, path: string, valid: unknown, invalid: unknown, { optional = false } = {}): Probe[] {
  const probes: Probe[] = [
    { what: 'valid body', method, path, body: JSON.stringify(valid), headers: JSON_TYPE, valid: true },
    { what: 'no body', method, path, valid: optional },
    { what: 'empty JSON body', method, path, body: '', headers: JSON_TYPE, valid: optional },
    { what: 'invalid JSON', method, path, body: '{"name": ', headers: JSON_TYPE },
    { what: 'a JSON array', method, path, body: '[1, 2]', headers: JSON_TYPE },
    { what: 'wrong content type', method, path, body: JSON.stringify(valid), headers: { 'content-type': 'text/plain' } },
    { what: 'form body', method, path, body: 'a=1&b=2', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
  ]
  if (invalid !== undefined) probes.push({ what: 'invalid fields', method, path, body: JSON.stringify(invalid), headers: JSON_TYPE })
  if (method === 'POST') probes.push({ what: 'malformed Idempotency-Key', method, path, body: JSON.stringify(valid), headers: { ...JSON_TYPE, 'idempotency-key': 'has spaces in it' } })
  return probes
}

/** If-Match values that are malformed or stale. */
const ifMatchProbes = (method: string, path: string, body?: string): Probe[] => [
  { what: 'malformed If-Match', method, path, body, headers: { ...(body ? JSON_TYPE : {}), 'if-match': 'not-a-version' } },
  { what: 'stale If-Match', method, path, body, headers: { ...(body ? JSON_TYPE : {}), 'if-match': '"99"' } },
]

interface Fixture {
  slug: string
  admin: TenantApi
  adminKey: string
  adminKeyId: string
  member: { id: string; key: string; api: TenantApi }
  sourceId: string
  stageId: string
  contactId: string
  deletedContactId: string
  sections: Record<string, unknown>
}

async function fixture(): Promise<Fixture> {
  const { slug, key, keyId, api } = await createTenant('authz')
  const member = await issueKey(slug, key, 'member')
  const source = await api.post('/sources', { name: 'Form', mapping: MAPPING })
  expect(source.status, JSON.stringify(source.body)).toBe(201)
  const stage = await api.post('/stages', { name: 'Discovery', order: 9 })
  expect(stage.status, JSON.stringify(stage.body)).toBe(201)
  const contact = (await api.post('/contacts', { name: 'Kept', email: 'kept@authz.dev' })).body
  const deleted = (await api.post('/contacts', { name: 'Gone', email: 'gone@authz.dev' })).body
  expect((await api.delete(`/contacts/${deleted.$id}`)).status).toBe(204)
  const sections: Record<string, unknown> = {}
  for (const section of SECTIONS) sections[section] = (await api.get(`/settings/${section}`)).body.data
  return { slug, admin: api, adminKey: key, adminKeyId: keyId, member, sourceId: source.body.id, stageId: stage.body.$id, contactId: contact.$id, deletedContactId: deleted.$id, sections }
}

/** Every route the tenant object authorizes as 'admin' or 'delete', with each kind of bad request. */
function adminRoutes(f: Fixture): Route[] {
  const routes: Route[] = [
    { route: 'POST /keys', probes: bodyProbes('POST', '/keys', { role: 'member', name: 'New' }, { role: 'owner', name: '' }) },
    {
      route: 'GET /keys',
      probes: [
        { what: 'plain', method: 'GET', path: '/keys', valid: true },
        { what: 'with a query', method: 'GET', path: '/keys?limit=0&nope=1', valid: true },
      ],
    },
    {
      route: 'DELETE /keys/{id}',
      probes: [
        { what: 'the last admin key', method: 'DELETE', path: `/keys/${f.adminKeyId}` },
        { what: 'an unknown id', method: 'DELETE', path: '/keys/key_000000000' },
        { what: 'a malformed id', method: 'DELETE', path: '/keys/nonsense' },
      ],
    },
    { route: 'POST /sources', probes: bodyProbes('POST', '/sources', { name: 'Another', mapping: MAPPING }, { name: '', mapping: { nope: 'x' } }) },
    { route: 'GET /sources', probes: [{ what: 'plain', method: 'GET', path: '/sources', valid: true }] },
    {
      route: 'DELETE /sources/{id}',
      probes: [
        { what: 'an existing source', method: 'DELETE', path: `/sources/${f.sourceId}`, valid: true },
        { what: 'an unknown id', method: 'DELETE', path: '/sources/source_000000000' },
        { what: 'a malformed id', method: 'DELETE', path: '/sources/nonsense' },
      ],
    },
    ...['/jobs', '/jobs/dead', '/webhooks/deliveries'].map((path) => ({
      route: `GET ${path}`,
      probes: [
        { what: 'plain', method: 'GET', path, valid: true },
        { what: 'limit out of range', method: 'GET', path: `${path}?limit=0` },
        { what: 'unknown parameter', method: 'GET', path: `${path}?nope=1` },
      ],
    })),
    {
      route: 'GET /settings/{unknown}',
      probes: [{ what: 'unknown section', method: 'GET', path: '/settings/nope' }],
    },
    { route: 'PUT /settings/{unknown}', probes: bodyProbes('PUT', '/settings/nope', {}, { nope: 1 }).map((p) => ({ ...p, valid: false })) },
    { route: 'POST /stages', probes: bodyProbes('POST', '/stages', { name: 'Proposal review', order: 12 }, { name: '', order: 'first', nope: 1 }) },
    {
      route: 'PATCH /stages/{id}',
      probes: [
        ...bodyProbes('PATCH', `/stages/${f.stageId}`, { probability: 15 }, { probability: 'high', nope: 1 }),
        ...ifMatchProbes('PATCH', `/stages/${f.stageId}`, JSON.stringify({ probability: 20 })),
        { what: 'an unknown id', method: 'PATCH', path: '/stages/stage_000000000', body: '{}', headers: JSON_TYPE },
        { what: 'a malformed id', method: 'PATCH', path: '/stages/nonsense', body: '{}', headers: JSON_TYPE },
      ],
    },
    {
      route: 'DELETE /stages/{id}',
      probes: [...ifMatchProbes('DELETE', `/stages/${f.stageId}`), { what: 'an unknown id', method: 'DELETE', path: '/stages/stage_000000000' }, { what: 'a malformed id', method: 'DELETE', path: '/stages/x' }],
    },
    {
      route: 'POST /stages/{id}/{verb}',
      probes: [
        ...bodyProbes('POST', `/stages/${f.stageId}/retire`, {}, { nope: 1 }, { optional: true }),
        ...ifMatchProbes('POST', `/stages/${f.stageId}/retire`),
        { what: 'reinstate a live stage', method: 'POST', path: `/stages/${f.stageId}/reinstate` },
        { what: 'restore a live stage', method: 'POST', path: `/stages/${f.stageId}/restore` },
        { what: 'an unknown verb', method: 'POST', path: `/stages/${f.stageId}/explode` },
        { what: 'an unknown id', method: 'POST', path: '/stages/stage_000000000/retire' },
        { what: 'an unknown collection verb', method: 'POST', path: '/stages/explode' },
      ],
    },
    {
      route: 'POST /stages/import',
      probes: [
        { what: 'valid CSV', method: 'POST', path: '/stages/import', body: 'name,order\nImported,20\n', headers: { 'content-type': 'text/csv' }, valid: true },
        { what: 'wrong content type', method: 'POST', path: '/stages/import', body: '{}', headers: JSON_TYPE },
        { what: 'no body', method: 'POST', path: '/stages/import', headers: { 'content-type': 'text/csv' } },
        { what: 'invalid rows', method: 'POST', path: '/stages/import', body: 'name,order\n,first\n', headers: { 'content-type': 'text/csv' } },
      ],
    },
    {
      route: 'DELETE /contacts/{id}',
      probes: [
        { what: 'a live contact', method: 'DELETE', path: `/contacts/${f.contactId}`, valid: true },
        ...ifMatchProbes('DELETE', `/contacts/${f.contactId}`),
        { what: 'an unknown id', method: 'DELETE', path: '/contacts/contact_000000000' },
        { what: 'a malformed id', method: 'DELETE', path: '/contacts/nonsense' },
        { what: 'another noun’s id', method: 'DELETE', path: `/contacts/${f.stageId}` },
      ],
    },
    {
      route: 'POST /contacts/{id}/restore',
      probes: [
        // restore takes no input (what a body holds is not looked at), so it has no 'invalid fields'
        ...bodyProbes('POST', `/contacts/${f.deletedContactId}/restore`, {}, undefined, { optional: true }),
        ...ifMatchProbes('POST', `/contacts/${f.deletedContactId}/restore`),
        { what: 'a live contact', method: 'POST', path: `/contacts/${f.contactId}/restore` },
        { what: 'an unknown id', method: 'POST', path: '/contacts/contact_000000000/restore' },
      ],
    },
    {
      route: 'POST /contacts/{id}/forget',
      probes: [
        { what: 'a live contact', method: 'POST', path: `/contacts/${f.contactId}/forget`, valid: true },
        { what: 'an unknown id', method: 'POST', path: '/contacts/contact_000000000/forget' },
        { what: 'a malformed id', method: 'POST', path: '/contacts/nonsense/forget' },
        { what: 'another noun’s id', method: 'POST', path: `/contacts/${f.stageId}/forget` },
      ],
    },
    { route: 'GET /events/verify', probes: [{ what: 'plain', method: 'GET', path: '/events/verify', valid: true }] },
    {
      route: 'GET /contacts/{id}/export',
      probes: [
        { what: 'a live contact', method: 'GET', path: `/contacts/${f.contactId}/export`, valid: true },
        { what: 'a deleted contact', method: 'GET', path: `/contacts/${f.deletedContactId}/export`, valid: true },
        { what: 'an unknown id', method: 'GET', path: '/contacts/contact_000000000/export' },
        { what: 'a malformed id', method: 'GET', path: '/contacts/nonsense/export' },
        { what: 'another noun’s id', method: 'GET', path: `/contacts/${f.stageId}/export` },
        { what: 'an unknown query parameter', method: 'GET', path: `/contacts/${f.contactId}/export?format=csv` },
      ],
    },
  ]
  for (const section of SECTIONS) {
    routes.push({ route: `GET /settings/${section}`, probes: [{ what: 'plain', method: 'GET', path: `/settings/${section}`, valid: true }] })
    const invalid = Array.isArray(f.sections[section]) ? [{ nope: 1 }] : { nope: 1 }
    routes.push({ route: `PUT /settings/${section}`, probes: bodyProbes('PUT', `/settings/${section}`, f.sections[section], invalid) })
  }
  return routes
}

function send(slug: string, key: string | null, probe: Probe): Promise<ApiResponse> {
  return request(probe.method, `/~${slug}${probe.path}`, { key, headers: probe.headers, ...(probe.body !== undefined ? { body: probe.body } : {}) })
}

const eventCount = async (api: TenantApi) => (await api.events()).length

describe('Authorization before anything else', () => {
  it('gives a member key exactly 403, the same problem body for any request, on every admin route', async () => {
    const f = await fixture()
    const before = await eventCount(f.admin)
    for (const { route, probes } of adminRoutes(f)) {
      let first: unknown
      for (const probe of probes) {
        const res = await send(f.slug, f.member.key, probe)
        expectProblem(res, 403, 'forbidden', `${route}: ${probe.what}`)
        expect(res.body.errors, `${route}: ${probe.what}`).toBeUndefined()
        first ??= res.body
        expect(res.body, `${route}: ${probe.what}`).toEqual(first)
      }
    }
    expect(await eventCount(f.admin)).toBe(before)
    expect((await f.admin.get('/keys')).body.data).toHaveLength(2)
    expect((await f.admin.get(`/contacts/${f.contactId}`)).status).toBe(200)
  }, 120_000)

  it('gives a request without a key, or with a wrong key, exactly 401 on every admin route', async () => {
    const f = await fixture()
    const before = await eventCount(f.admin)
    for (const { route, probes } of adminRoutes(f)) {
      for (const probe of probes) {
        expectProblem(await send(f.slug, null, probe), 401, 'unauthorized', `${route}: ${probe.what} without a key`)
        expectProblem(await send(f.slug, 'rvl_notakeyofthistenant', probe), 401, 'unauthorized', `${route}: ${probe.what} with a wrong key`)
      }
    }
    expect(await eventCount(f.admin)).toBe(before)
  }, 180_000)

  it('still tells an admin key what is wrong with its request (a 4xx that is neither 401 nor 403)', async () => {
    const f = await fixture()
    const before = await eventCount(f.admin)
    for (const { route, probes } of adminRoutes(f)) {
      for (const probe of probes.filter((p) => !p.valid)) {
        const res = await send(f.slug, f.adminKey, probe)
        expect(res.status, `${route}: ${probe.what} → ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(400)
        expect(res.status, `${route}: ${probe.what}`).toBeLessThan(500)
        expect([401, 403], `${route}: ${probe.what} → ${JSON.stringify(res.body)}`).not.toContain(res.status)
        // (an import's refusal is its report, plain JSON listing the rejected rows)
        expect(res.headers.get('content-type'), `${route}: ${probe.what}`).toMatch(/^application\/(problem\+)?json/)
      }
    }
    expect(await eventCount(f.admin)).toBe(before)
    // A few answers named exactly, as a reminder of what the member no longer learns.
    expectProblem(await f.admin.post('/keys', { role: 'owner', name: 'x' }), 422, 'validation_failed')
    expectProblem(await f.admin.get('/settings/nope'), 404, 'not_found')
    expectProblem(await f.admin.delete(`/keys/${f.adminKeyId}`), 409, 'conflict')
    expectProblem(await f.admin.delete(`/contacts/${f.contactId}`, { headers: { 'if-match': 'x' } }), 400, 'bad_request')
  }, 120_000)

  it('a member still reads and writes where its role allows, and is refused deletes before its If-Match is read', async () => {
    const f = await fixture()
    const m = f.member.api
    expect((await m.get('/stages')).status).toBe(200)
    expect((await m.get(`/stages/${f.stageId}`)).status).toBe(200)
    expect((await m.patch(`/contacts/${f.contactId}`, { title: 'VP' }, { headers: { 'if-match': '"1"' } })).status).toBe(200)
    // Member writes that are wrong still name the field: members may write contacts.
    expectProblem(await m.post('/contacts', { name: 'x', stage: 'Nope' }), 422, 'validation_failed')
    expectProblem(await m.delete(`/contacts/${f.contactId}`, { headers: { 'if-match': 'x' } }), 403, 'forbidden')
  }, 60_000)
})

describe('Idempotency-Key after authentication', () => {
  it('answers a malformed key 401 with a bad API key, 400 with a good one, and 403 to a member on an admin route', async () => {
    const { slug, key } = await createTenant()
    const member = await issueKey(slug, key, 'member')
    const bad = { 'idempotency-key': 'has spaces in it' }
    expectProblem(await request('POST', `/~${slug}/contacts`, { key: 'rvl_wrong', body: { name: 'x' }, headers: bad }), 401, 'unauthorized')
    expectProblem(await request('POST', `/~${slug}/contacts`, { key: null, body: { name: 'x' }, headers: bad }), 401, 'unauthorized')
    expectProblem(await request('POST', `/~${slug}/contacts`, { key, body: { name: 'x' }, headers: bad }), 400, 'bad_request')
    expectProblem(await request('POST', `/~${slug}/contacts`, { key: member.key, body: { name: 'x' }, headers: bad }), 400, 'bad_request')
    expectProblem(await request('POST', `/~${slug}/keys`, { key: member.key, body: { role: 'member', name: 'x' }, headers: bad }), 403, 'forbidden')
    expectProblem(await request('POST', `/~${slug}/contacts/import`, { key: 'rvl_wrong', body: 'name\nX\n', headers: { ...bad, 'content-type': 'text/csv' } }), 401, 'unauthorized')
    expectProblem(await request('POST', `/~${slug}/contacts/import`, { key, body: 'name\nX\n', headers: { ...bad, 'content-type': 'text/csv' } }), 400, 'bad_request')
    expect((await tenantApiCount(slug, key)).total).toBe(0)
  })
})

async function tenantApiCount(slug: string, key: string) {
  return (await request('GET', `/~${slug}/contacts`, { key })).body as { total: number }
}
