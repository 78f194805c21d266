/** Errors over REST: problem+json for every 4xx, bad bodies, bad auth, unknown routes, and no writes on rejection. */
import { describe, expect, it } from 'vitest'
import { createTenant, request, tenantApi, type ApiResponse, type TenantApi } from './helpers'
import { expectProblem } from './helpers'

const PROBLEM_KEYS = ['code', 'detail', 'status', 'title', 'type']


function paths(res: ApiResponse): string[] {
  return (res.body.errors ?? []).map((e: { path: string }) => e.path)
}

/** Length of the tenant's whole event log; tests compare it with the count right after the tenant was made. */
async function eventCount(api: TenantApi): Promise<number> {
  return (await api.eventTypes()).length
}

describe('Problem responses', () => {
  it('shapes every 4xx as application/problem+json with type, title, status, detail and code', async () => {
    const { api, slug } = await createTenant()
    const contact = (await api.post('/contacts', { name: 'Existing', email: 'e@acme.dev', stage: 'Customer' })).body
    const cases: [string, () => Promise<ApiResponse>, number, string][] = [
      ['malformed JSON', () => api.post('/contacts', '{"name": '), 400, 'bad_request'],
      ['bad query', () => api.get('/contacts?nope=1'), 400, 'invalid_query'],
      ['no key', () => request('GET', `/~${slug}/contacts`), 401, 'unauthorized'],
      ['wrong key', () => tenantApi(slug, 'rvl_wrong').get('/contacts'), 401, 'unauthorized'],
      ['missing entity', () => api.get('/contacts/contact_000000000'), 404, 'not_found'],
      ['unknown collection', () => api.get('/widgets'), 404, 'not_found'],
      ['unknown route', () => request('GET', '/nowhere'), 404, 'not_found'],
      ['unique conflict', () => api.post('/contacts', { name: 'Dup', email: 'e@acme.dev' }), 409, 'conflict'],
      ['bad transition', () => api.post(`/contacts/${contact.$id}/qualify`), 409, 'invalid_transition'],
      ['stale If-Match', () => api.patch(`/contacts/${contact.$id}`, { title: 'x' }, { headers: { 'if-match': '"9"' } }), 412, 'precondition_failed'],
      ['too large', () => api.post('/contacts', { name: 'x'.repeat(1024 * 1024 + 1) }), 413, 'payload_too_large'],
      ['not JSON', () => api.post('/contacts', 'name=x', { headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type'],
      ['invalid body', () => api.post('/contacts', { name: 7 }), 422, 'validation_failed'],
    ]
    for (const [what, send, status, code] of cases) {
      const res = await send()
      expect(res.status, what).toBe(status)
      expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/)
      expect(Object.keys(res.body).filter((k) => k !== 'errors').sort(), what).toEqual(PROBLEM_KEYS)
      expect(res.body, what).toMatchObject({ status, code, title: expect.any(String), detail: expect.any(String) })
      expect(res.body.type, what).toEqual(expect.stringMatching(/\S/))
    }
  })

  it('lists field errors as [{ path, message }]', async () => {
    const { api } = await createTenant()
    const res = await api.post('/contacts', { name: 1, leadScore: 'x' })
    expectProblem(res, 422, 'validation_failed')
    for (const e of res.body.errors) expect(e).toEqual({ path: expect.any(String), message: expect.any(String) })
    expect(paths(res).sort()).toEqual(['leadScore', 'name'])
  })
})

describe('Malformed requests', () => {
  it('answers 400 for malformed JSON and writes nothing', async () => {
    const { api } = await createTenant()
    const base = await eventCount(api)
    for (const body of ['{"name": "x"', '{name: "x"}', "{'name': 'x'}", '{"name": "x"}}']) {
      expectProblem(await api.post('/contacts', body), 400, 'bad_request')
    }
    expect(await eventCount(api)).toBe(base)
    expect((await api.get('/contacts')).body.total).toBe(0)
  })

  it('answers 400 for JSON that is not an object', async () => {
    const { api } = await createTenant()
    const base = await eventCount(api)
    for (const body of ['[{"name": "x"}]', 'null', '"name"', '42', 'true']) {
      expectProblem(await api.post('/contacts', body), 400, 'bad_request')
    }
    expect(await eventCount(api)).toBe(base)
  })

  it('answers 400 for a create or update without a body', async () => {
    const { api } = await createTenant()
    const base = await eventCount(api)
    const c = (await api.post('/contacts', { name: 'Bodiless' })).body
    expectProblem(await api.post('/contacts'), 400, 'bad_request')
    expectProblem(await api.patch(`/contacts/${c.$id}`), 400, 'bad_request')
    expectProblem(await api.patch(`/contacts/${c.$id}`, '   '), 400, 'bad_request')
    expect(await eventCount(api)).toBe(base + 1)
  })

  it('answers 400 for malformed JSON on PATCH and leaves the contact alone', async () => {
    const { api } = await createTenant()
    const base = await eventCount(api)
    const c = (await api.post('/contacts', { name: 'Patchy' })).body
    expectProblem(await api.patch(`/contacts/${c.$id}`, '{"title": '), 400, 'bad_request')
    expect((await api.get(`/contacts/${c.$id}`)).body).toEqual(c)
    expect(await eventCount(api)).toBe(base + 1)
  })

  it('answers 415 for a body that is not application/json', async () => {
    const { api } = await createTenant()
    const base = await eventCount(api)
    const c = (await api.post('/contacts', { name: 'Typed', stage: 'Lead' })).body
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', '']) {
      const json = JSON.stringify({ name: 'Sneaky' })
      expectProblem(await api.post('/contacts', json, { headers: { 'content-type': type } }), 415, 'unsupported_media_type')
      expectProblem(await api.patch(`/contacts/${c.$id}`, JSON.stringify({ title: 'x' }), { headers: { 'content-type': type } }), 415, 'unsupported_media_type')
    }
    expectProblem(await api.post(`/contacts/${c.$id}/qualify`, '{}', { headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type')
    expect(await eventCount(api)).toBe(base + 1)
    expect((await api.get(`/contacts/${c.$id}`)).body).toEqual(c)
  })

  it('accepts application/json with a charset', async () => {
    const { api } = await createTenant()
    const res = await api.post('/contacts', JSON.stringify({ name: 'Charset' }), { headers: { 'content-type': 'application/json; charset=utf-8' } })
    expect(res.status).toBe(201)
  })

  it('answers 413 for a body over 1 MB and writes nothing', async () => {
    const { api } = await createTenant()
    const base = await eventCount(api)
    const c = (await api.post('/contacts', { name: 'Big' })).body
    const huge = 'x'.repeat(1024 * 1024 + 10)
    expectProblem(await api.post('/contacts', { name: huge }), 413, 'payload_too_large')
    expectProblem(await api.patch(`/contacts/${c.$id}`, { title: huge }), 413, 'payload_too_large')
    expectProblem(await api.post('/contacts', `{"name": "${huge}`), 413, 'payload_too_large')
    expect(await eventCount(api)).toBe(base + 1)
    expect((await api.get(`/contacts/${c.$id}`)).body).toEqual(c)
  })

  it('answers 413 for a large body sent without a content length', async () => {
    const { api, slug, key } = await createTenant()
    const base = await eventCount(api)
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024))
    let sent = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"name": "'))
        if (sent > 1024 * 1024 + 1) {
          controller.enqueue(new TextEncoder().encode('"}'))
          controller.close()
          return
        }
        controller.enqueue(chunk)
        sent += chunk.length
      },
    })
    const { exports } = await import('cloudflare:workers')
    const res = await exports.default.fetch(
      new Request(`http://revline.test/~${slug}/contacts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: stream,
      }),
    )
    expect(res.status).toBe(413)
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await eventCount(api)).toBe(base)
  })
})

describe('Invalid bodies', () => {
  it('answers 422 naming an unknown field', async () => {
    const { api } = await createTenant()
    const base = await eventCount(api)
    const res = await api.post('/contacts', { name: 'Extra', favouriteColour: 'blue' })
    expectProblem(res, 422, 'validation_failed')
    expect(paths(res)).toEqual(['favouriteColour'])
    expect(await eventCount(api)).toBe(base)
  })

  it('refuses meta fields and reverse relations in a body', async () => {
    const { api } = await createTenant()
    const base = await eventCount(api)
    for (const body of [{ name: 'M', $id: 'contact_000000000' }, { name: 'M', $version: 5 }, { name: 'M', $createdBy: 'key_x' }, { name: 'M', reports: [] }]) {
      const res = await api.post('/contacts', body)
      expectProblem(res, 422, 'validation_failed')
      expect(paths(res)).toEqual([Object.keys(body)[1]])
    }
    const c = (await api.post('/contacts', { name: 'Real' })).body
    const res = await api.patch(`/contacts/${c.$id}`, { $version: 99 })
    expectProblem(res, 422, 'validation_failed')
    expect(paths(res)).toEqual(['$version'])
    expect((await api.get(`/contacts/${c.$id}`)).body.$version).toBe(1)
    expect(await eventCount(api)).toBe(base + 1)
  })

  it('answers 422 naming each field of the wrong type', async () => {
    const { api } = await createTenant()
    const base = await eventCount(api)
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 42 }, 'name'],
      [{ name: 'T', leadScore: 'high' }, 'leadScore'],
      [{ name: 'T', stage: 'Prospect' }, 'stage'],
      [{ name: 'T', stage: 'lead' }, 'stage'],
      [{ name: 'T', organization: 'acme' }, 'organization'],
      [{ name: 'T', organization: 'contact_000000000' }, 'organization'],
      [{ name: 'T', lastEngagement: 'yesterday' }, 'lastEngagement'],
      [{ name: 'T', email: ['a@b.c'] }, 'email'],
      [{ name: 'T', title: { text: 'CTO' } }, 'title'],
      [{ name: 'x'.repeat(2001) }, 'name'],
    ]
    for (const [body, path] of cases) {
      const res = await api.post('/contacts', body)
      expectProblem(res, 422, 'validation_failed')
      expect(paths(res), JSON.stringify(body).slice(0, 80)).toEqual([path])
    }
    // 1e400 would parse to Infinity: the JSON door refuses the literal (400), naming where it stands
    const infinite = await api.post('/contacts', '{"name": "T", "leadScore": 1e400}')
    expectProblem(infinite, 400, 'bad_request')
    expect(paths(infinite)).toEqual(['leadScore'])
    expect(await eventCount(api)).toBe(base)
  })

  it('answers 422 for wrong types on an organization', async () => {
    const { api } = await createTenant()
    const base = await eventCount(api)
    for (const [body, path] of [
      [{ name: 'O', employeeCount: 10.5 }, 'employeeCount'],
      [{ name: 'O', email: 'not-an-email' }, 'email'],
      [{ name: 'O', website: 'not a url' }, 'website'],
      [{ name: 'O', tags: 'saas' }, 'tags'],
      [{ name: 'O', tags: ['ok', 3] }, 'tags.1'],
    ] as const) {
      const res = await api.post('/organizations', body)
      expectProblem(res, 422, 'validation_failed')
      expect(paths(res)).toEqual([path])
    }
    expect(await eventCount(api)).toBe(base)
  })

  it('answers 422 when the required name is missing', async () => {
    const { api } = await createTenant()
    const base = await eventCount(api)
    for (const body of [{}, { email: 'noname@acme.dev' }, { name: null }]) {
      const res = await api.post('/contacts', body)
      expectProblem(res, 422, 'validation_failed')
      expect(paths(res)).toEqual(['name'])
    }
    expect(await eventCount(api)).toBe(base)
  })

  it('answers 422 on PATCH for wrong types and keeps the contact', async () => {
    const { api } = await createTenant()
    const base = await eventCount(api)
    const c = (await api.post('/contacts', { name: 'Stable', leadScore: 10 })).body
    for (const [body, path] of [
      [{ leadScore: '20' }, 'leadScore'],
      [{ stage: 'Boss' }, 'stage'],
      [{ unknown: 1 }, 'unknown'],
      [{ email: 5 }, 'email'],
      [{ name: '   ' }, 'name'],
    ] as const) {
      const res = await api.patch(`/contacts/${c.$id}`, body)
      expectProblem(res, 422, 'validation_failed')
      expect(paths(res)).toEqual([path])
    }
    expect((await api.get(`/contacts/${c.$id}`)).body).toEqual(c)
    expect(await eventCount(api)).toBe(base + 1)
  })
})

describe('Authentication', () => {
  it('answers 401 without an Authorization header', async () => {
    const { slug } = await createTenant()
    const anonymous = tenantApi(slug, null)
    expectProblem(await anonymous.get('/contacts'), 401, 'unauthorized')
    expectProblem(await anonymous.post('/contacts', { name: 'Anon' }), 401, 'unauthorized')
    expectProblem(await anonymous.get('/events'), 401, 'unauthorized')
  })

  it('answers 401 for a wrong key and writes nothing', async () => {
    const { api, slug, key } = await createTenant()
    const base = await eventCount(api)
    const c = (await api.post('/contacts', { name: 'Guarded', stage: 'Lead' })).body
    const intruder = tenantApi(slug, `${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`)
    expectProblem(await intruder.get('/contacts'), 401, 'unauthorized')
    expectProblem(await intruder.get(`/contacts/${c.$id}`), 401, 'unauthorized')
    expectProblem(await intruder.post('/contacts', { name: 'Intruder' }), 401, 'unauthorized')
    expectProblem(await intruder.patch(`/contacts/${c.$id}`, { title: 'Hacked' }), 401, 'unauthorized')
    expectProblem(await intruder.post(`/contacts/${c.$id}/qualify`), 401, 'unauthorized')
    expectProblem(await intruder.delete(`/contacts/${c.$id}`), 401, 'unauthorized')
    expect((await api.get(`/contacts/${c.$id}`)).body).toEqual(c)
    expect(await eventCount(api)).toBe(base + 1)
  })

  it('answers 401 for an Authorization header that is not a bearer key', async () => {
    const { slug, key } = await createTenant()
    for (const authorization of [`Basic ${btoa(`user:${key}`)}`, key, 'Bearer', 'Bearer ', `Token ${key}`]) {
      expectProblem(await request('GET', `/~${slug}/contacts`, { headers: { authorization } }), 401, 'unauthorized')
    }
  })

  it('accepts the bearer scheme in any case', async () => {
    const { slug, key } = await createTenant()
    const res = await request('GET', `/~${slug}/contacts`, { headers: { authorization: `bearer ${key}` } })
    expect(res.status).toBe(200)
  })

  it('checks the key before validating the request', async () => {
    const { slug } = await createTenant()
    const intruder = tenantApi(slug, 'rvl_notarealkeynotarealkeynotareal')
    expectProblem(await intruder.get('/contacts?nope=1&limit=9999'), 401, 'unauthorized')
    expectProblem(await intruder.post('/contacts', '{"broken'), 401, 'unauthorized')
  })
})

describe('Unknown routes', () => {
  it('answers 404 for an unknown collection', async () => {
    const { api } = await createTenant()
    const base = await eventCount(api)
    expectProblem(await api.get('/widgets'), 404, 'not_found')
    expectProblem(await api.post('/widgets', { name: 'W' }), 404, 'not_found')
    expectProblem(await api.get('/widgets/widget_000000000'), 404, 'not_found')
    // collections are the lowercase plural
    expectProblem(await api.get('/contact'), 404, 'not_found')
    expectProblem(await api.get('/Contacts'), 404, 'not_found')
    expect(await eventCount(api)).toBe(base)
  })

  it('answers 404 for an unknown tenant, whatever the key', async () => {
    const { key } = await createTenant()
    const nowhere = `nowhere-${Date.now().toString(36)}`
    for (const k of ['rvl_whatever', key]) {
      const ghost = tenantApi(nowhere, k)
      expectProblem(await ghost.get('/contacts'), 404, 'not_found')
      expectProblem(await ghost.post('/contacts', { name: 'Ghost' }), 404, 'not_found')
      expectProblem(await ghost.get('/events'), 404, 'not_found')
    }
  })

  it('answers 404 for a tenant slug that cannot exist', async () => {
    const { key } = await createTenant()
    expectProblem(await request('GET', '/~Not_A_Slug/contacts', { key }), 404, 'not_found')
    expectProblem(await request('GET', `/~${'a'.repeat(60)}/contacts`, { key }), 404, 'not_found')
  })

  it('answers 4xx, never 500, for methods a route does not have', async () => {
    const { api, slug, key } = await createTenant()
    const base = await eventCount(api)
    const c = (await api.post('/contacts', { name: 'Methods' })).body
    for (const [method, path] of [['PUT', `/contacts/${c.$id}`], ['DELETE', '/contacts'], ['PATCH', '/contacts']] as const) {
      const res = await request(method, `/~${slug}${path}`, { key, body: { name: 'x' } })
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400)
      expect(res.status, `${method} ${path}`).toBeLessThan(500)
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    }
    expect((await api.get(`/contacts/${c.$id}`)).body).toEqual(c)
    expect(await eventCount(api)).toBe(base + 1)
  })
})

describe('Rejected writes', () => {
  it('leave the event log and the stored state unchanged', async () => {
    const { api, slug } = await createTenant()
    const holder = (await api.post('/contacts', { name: 'Holder', email: 'holder@acme.dev', stage: 'Customer' })).body
    const target = (await api.post('/contacts', { name: 'Target', stage: 'Lead', leadScore: 5 })).body
    const before = await eventCount(api)
    const listBefore = (await api.get('/contacts')).body

    const rejected: [string, () => Promise<ApiResponse>][] = [
      ['malformed', () => api.post('/contacts', '{"name"')],
      ['415', () => api.post('/contacts', JSON.stringify({ name: 'X' }), { headers: { 'content-type': 'text/plain' } })],
      ['413', () => api.post('/contacts', { name: 'y'.repeat(1_100_000) })],
      ['unknown field', () => api.post('/contacts', { name: 'X', nope: 1 })],
      ['wrong type', () => api.patch(`/contacts/${target.$id}`, { leadScore: 'ten' })],
      ['missing name', () => api.post('/contacts', { title: 'No name' })],
      ['dangling relation', () => api.patch(`/contacts/${target.$id}`, { organization: 'organization_000000000' })],
      ['unique', () => api.patch(`/contacts/${target.$id}`, { email: 'holder@acme.dev' })],
      ['transition', () => api.post(`/contacts/${holder.$id}/qualify`)],
      ['stale', () => api.patch(`/contacts/${target.$id}`, { title: 'x' }, { headers: { 'if-match': '"7"' } })],
      ['assign without owner', () => api.post(`/contacts/${target.$id}/assign`, {})],
      ['unknown verb', () => api.post(`/contacts/${target.$id}/explode`)],
      ['no key', () => request('POST', `/~${slug}/contacts`, { body: { name: 'Anon' } })],
      ['wrong key', () => tenantApi(slug, 'rvl_bad').delete(`/contacts/${target.$id}`)],
    ]
    for (const [what, send] of rejected) {
      const res = await send()
      expect(res.status, what).toBeGreaterThanOrEqual(400)
      expect(res.status, what).toBeLessThan(500)
      expect(await eventCount(api), what).toBe(before)
    }
    expect((await api.get('/contacts')).body).toEqual(listBefore)
    expect((await api.get(`/contacts/${target.$id}`)).body).toEqual(target)
  })
})
