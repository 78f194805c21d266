/**
 * The tenant's own schema (issue 15): custom fields on built-in nouns and nouns of the tenant's
 * own, declared in the seeds' DSL over `/nouns`, live at once in every REST projection, and
 * never losing a stored value without being told to.
 */
import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { createOk, createTenant, expectProblem, issueKey, readOk } from './helpers'

const PROJECT = {
  name: 'string!',
  budget: 'number',
  code: 'string##',
  status: 'Draft | Active | Done',
  client: '-> Organization.projects',
  tags: 'string[]',
  priority: 'int = 3',
  activate: 'Active',
  finish: 'Done',
}

describe('GET /nouns', () => {
  it('lists every noun in the DSL, built-in and custom told apart', async () => {
    const { api } = await createTenant()
    const all = await readOk(api, '/nouns')
    const contact = all.data.find((n: { name: string }) => n.name === 'Contact')
    expect(contact).toMatchObject({ name: 'Contact', collection: 'contacts', builtIn: true, custom: {} })
    expect(contact.definition.email).toBe('email##')
    expect(contact.definition.qualify).toBe('Qualified')

    expect((await api.put('/nouns/Contact', { shoeSize: 'number#', tier: 'Gold | Silver | Bronze' })).status).toBe(200)
    const one = await readOk(api, '/nouns/Contact')
    expect(one.custom).toEqual({ shoeSize: 'number#', tier: 'Gold | Silver | Bronze' })
    expect(one.definition).toMatchObject({ email: 'email##', shoeSize: 'number#' })
    expectProblem(await api.get('/nouns/Nope'), 404, 'not_found')
  })
})

describe('custom fields on a built-in noun', () => {
  it('validates, stores, filters, sorts and indexes them', async () => {
    const { api } = await createTenant()
    expect((await api.put('/nouns/Contact', { shoeSize: 'number#', tier: 'Gold | Silver | Bronze', badge: 'string##' })).status).toBe(200)
    const a = await createOk(api, 'contacts', { name: 'Ada', email: 'ada@acme-labs.dev', shoeSize: 38, tier: 'Gold', badge: 'A1' })
    expect(a).toMatchObject({ shoeSize: 38, tier: 'Gold', badge: 'A1' })
    await createOk(api, 'contacts', { name: 'Bob', email: 'bob@acme-labs.dev', shoeSize: 44, tier: 'Silver' })
    await createOk(api, 'contacts', { name: 'Cy', email: 'cy@acme-labs.dev' })

    const bad = await api.post('/contacts', { name: 'X', email: 'x@acme-labs.dev', tier: 'Platinum', shoeSize: 'big' })
    expectProblem(bad, 422, 'validation_failed')
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['shoeSize', 'tier'])
    expectProblem(await api.post('/contacts', { name: 'Dup', email: 'dup@acme-labs.dev', badge: 'A1' }), 409, 'conflict')

    const big = await readOk(api, '/contacts?shoeSize[$gte]=40')
    expect(big.data.map((c: { name: string }) => c.name)).toEqual(['Bob'])
    const sorted = await readOk(api, '/contacts?sort=-shoeSize&shoeSize[$exists]=true')
    expect(sorted.data.map((c: { name: string }) => c.name)).toEqual(['Bob', 'Ada'])
    expect((await readOk(api, '/contacts?tier=Gold')).data.map((c: { name: string }) => c.name)).toEqual(['Ada'])
    expectProblem(await api.get('/contacts?tier[$gt]=x&nope=1'), 400, 'invalid_query')

    const patched = await api.patch(`/contacts/${a.$id}`, { shoeSize: 39 })
    expect(patched.body.shoeSize).toBe(39)
    const history = await readOk(api, `/contacts/${a.$id}/history`)
    expect(history.data.at(-1).entity.shoeSize).toBe(39)
  })

  it('answers index-backed plans for # fields', async () => {
    const { api, slug } = await createTenant()
    await api.put('/nouns/Contact', { shoeSize: 'number#' })
    await runInDurableObject(env.TENANT.getByName(slug), (_i, state) => {
      const plan = state.storage.sql
        .exec<{ detail: string }>(`EXPLAIN QUERY PLAN SELECT id FROM contacts WHERE "contacts"."deleted_at" IS NULL AND json_extract("contacts"."custom", '$.shoeSize') = 40`)
        .toArray()
        .map((r) => r.detail)
        .join('\n')
      expect(plan).toMatch(/USING INDEX cx_contacts__shoe_size__i/)
    })
  })

  it('refuses shadowing, unknown types, unsafe names and reserved names, naming the field', async () => {
    const { api } = await createTenant()
    for (const [body, path] of [
      [{ email: 'string' }, 'Contact.email'],
      [{ shoe: 'sneaker' }, 'Contact.shoe'],
      [{ 'x"; DROP TABLE contacts; --': 'string' }, 'Contact.x"; DROP TABLE contacts; --'],
      [{ __proto__x: 'string' }, 'Contact.__proto__x'],
      [{ custom: 'string' }, 'Contact.custom'],
      [{ qualify: 'string' }, 'Contact.qualify'],
      [{ friend: '-> Spaceship' }, 'Contact.friend'],
    ] as const) {
      const res = await api.put('/nouns/Contact', body)
      expectProblem(res, 422, 'validation_failed', JSON.stringify(body))
      expect(res.body.errors.map((e: { path: string }) => e.path), JSON.stringify(body)).toContain(path)
    }
    expect((await readOk(api, '/nouns/Contact')).custom).toEqual({})
  })

  it('is for admins: a member is refused before the body is read', async () => {
    const { slug, key } = await createTenant()
    const member = await issueKey(slug, key, 'member')
    expectProblem(await member.api.put('/nouns/Contact', 'not json at all'), 403, 'forbidden')
    expectProblem(await member.api.delete('/nouns/Project'), 403, 'forbidden')
    expect((await member.api.get('/nouns/Contact')).status).toBe(200)
  })
})

describe('a noun of the tenant’s own', () => {
  it('gets CRUD, verbs, its machine, events, history, asOf and relations both ways at once', async () => {
    const { api } = await createTenant()
    const put = await api.put('/nouns/Project', PROJECT)
    expect(put.status, JSON.stringify(put.body)).toBe(201)
    expect(put.body.noun).toMatchObject({ name: 'Project', collection: 'projects', builtIn: false, custom: PROJECT })

    const org = await createOk(api, 'organizations', { name: 'Fjordline' })
    const project = await createOk(api, 'projects', { name: 'Portal', budget: 12000, code: 'P-1', status: 'Draft', client: org.$id, tags: ['web'] })
    expect(project.$id).toMatch(/^project_/)
    expect(project).toMatchObject({ name: 'Portal', priority: 3, status: 'Draft' })
    expectProblem(await api.post('/projects', { budget: 1 }), 422, 'validation_failed')
    expectProblem(await api.post('/projects', { name: 'Copy', code: 'P-1' }), 409, 'conflict')

    const activated = await api.post(`/projects/${project.$id}/activate`)
    expect(activated.status, JSON.stringify(activated.body)).toBe(200)
    expect(activated.body.status).toBe('Active')
    expectProblem(await api.post(`/projects/${project.$id}/activate`), 409, 'invalid_transition')
    expectProblem(await api.post(`/projects/${project.$id}/launch`), 404, 'not_found')

    const withClient = await readOk(api, `/projects/${project.$id}?include=client`)
    expect(withClient.client).toMatchObject({ $id: org.$id, name: 'Fjordline' })
    const withProjects = await readOk(api, `/organizations/${org.$id}?include=projects`)
    expect(withProjects.projects.map((p: { $id: string }) => p.$id)).toEqual([project.$id])
    expect((await readOk(api, `/projects?client=${org.$id}&tags[$contains]=web`)).total).toBe(1)
    expect((await readOk(api, `/projects?client.name=Fjordline`)).total).toBe(1)

    expect(await api.eventTypes(project.$id)).toEqual(['project.created', 'project.activated'])
    const history = await readOk(api, `/projects/${project.$id}/history`)
    expect(history.data.map((e: { type: string }) => e.type)).toEqual(['project.created', 'project.activated'])
    const asOf = await readOk(api, `/projects/${project.$id}?asOf=${encodeURIComponent(history.data[0].at)}`)
    expect(asOf.status).toBe('Draft')

    expect((await api.delete(`/projects/${project.$id}`)).status).toBe(204)
    expect((await api.get(`/projects/${project.$id}`)).status).toBe(404)
    expect((await api.post(`/projects/${project.$id}/restore`)).status).toBe(200)
  })

  it('cannot take a route of the API as its collection, nor relate to an unknown noun', async () => {
    const { api } = await createTenant()
    expectProblem(await api.put('/nouns/Setting', { name: 'string' }), 422, 'validation_failed')
    expectProblem(await api.put('/nouns/Widget', { part: '-> Gadget' }), 422, 'validation_failed')
    expectProblem(await api.put('/nouns/Widget', {}), 422, 'validation_failed')
    expectProblem(await api.put('/nouns/Widget', ['name']), 422, 'validation_failed')
    expectProblem(await api.put('/nouns/Widget', { name: 42 }), 422, 'validation_failed')
    expectProblem(await api.get('/widgets'), 404, 'not_found')
  })

  it('is deleted only with its rows named in ?drop, and its table goes with it', async () => {
    const { api, slug } = await createTenant()
    await api.put('/nouns/Project', { name: 'string!' })
    await createOk(api, 'projects', { name: 'One' })
    const refused = await api.delete('/nouns/Project')
    expectProblem(refused, 409, 'schema_conflict')
    expect(refused.body.errors[0]).toMatchObject({ path: 'Project', rows: 1 })
    expect((await readOk(api, '/projects')).total).toBe(1)

    const gone = await api.delete('/nouns/Project?drop=Project')
    expect(gone.status, JSON.stringify(gone.body)).toBe(200)
    expect(gone.body).toMatchObject({ dropped: 1, noun: null })
    expectProblem(await api.get('/projects'), 404, 'not_found')
    expectProblem(await api.delete('/nouns/Contact'), 405, 'method_not_allowed')
    await runInDurableObject(env.TENANT.getByName(slug), (_i, state) => {
      expect(state.storage.sql.exec(`SELECT name FROM sqlite_master WHERE name LIKE 'c\\_projects%' ESCAPE '\\'`).toArray()).toEqual([])
    })
    const types = await api.eventTypes()
    expect(types.filter((t) => t.startsWith('schema.') || t.startsWith('project.'))).toEqual(['schema.changed', 'project.created', 'project.dropped', 'schema.changed'])
  })
})

describe('changes that would lose or invalidate stored values', () => {
  it('answer 409 schema_conflict with rows and values, and change nothing, unless told what to drop', async () => {
    const { api } = await createTenant()
    await api.put('/nouns/Contact', { shoeSize: 'number#', tier: 'Gold | Silver | Bronze', badge: 'string' })
    const a = await createOk(api, 'contacts', { name: 'A', email: 'a@acme-labs.dev', shoeSize: 38, tier: 'Bronze', badge: 'X' })
    await createOk(api, 'contacts', { name: 'B', email: 'b@acme-labs.dev', tier: 'Gold', badge: 'X' })

    const dropField = await api.put('/nouns/Contact', { tier: 'Gold | Silver | Bronze', badge: 'string' })
    expectProblem(dropField, 409, 'schema_conflict')
    expect(dropField.body.errors).toEqual([expect.objectContaining({ path: 'shoeSize', rows: 1, values: [38] })])

    const narrow = await api.put('/nouns/Contact', { shoeSize: 'number#', tier: 'Gold | Silver', badge: 'string' })
    expectProblem(narrow, 409, 'schema_conflict')
    expect(narrow.body.errors).toEqual([expect.objectContaining({ path: 'tier', rows: 1, values: ['Bronze'] })])

    const required = await api.put('/nouns/Contact', { shoeSize: 'number!#', tier: 'Gold | Silver | Bronze', badge: 'string' })
    expectProblem(required, 409, 'schema_conflict')
    expect(required.body.errors).toEqual([expect.objectContaining({ path: 'shoeSize', rows: 1 })])

    const unique = await api.put('/nouns/Contact', { shoeSize: 'number#', tier: 'Gold | Silver | Bronze', badge: 'string##' })
    expectProblem(unique, 409, 'schema_conflict')
    expect(unique.body.errors).toEqual([expect.objectContaining({ path: 'badge', rows: 2, values: ['X'] })])

    expect((await readOk(api, '/nouns/Contact')).custom).toEqual({ shoeSize: 'number#', tier: 'Gold | Silver | Bronze', badge: 'string' })
    expect(await readOk(api, `/contacts/${a.$id}`)).toMatchObject({ shoeSize: 38, tier: 'Bronze' })

    const dropped = await api.put('/nouns/Contact?drop=shoeSize,tier', { tier: 'Gold | Silver', badge: 'string' })
    expect(dropped.status, JSON.stringify(dropped.body)).toBe(200)
    expect(dropped.body.migrated).toBe(1)
    const after = await readOk(api, `/contacts/${a.$id}`)
    expect(after.shoeSize).toBeUndefined()
    expect(after.tier).toBeUndefined()
    expect(after.$version).toBe(a.$version + 1)
    const history = await readOk(api, `/contacts/${a.$id}/history`)
    expect(history.data.at(-1)).toMatchObject({ type: 'contact.migrated', version: a.$version + 1 })
    const [migrated] = await api.events(`entity=${a.$id}&type=contact.migrated`)
    expect(migrated.data).toEqual({ schemaVersion: 2, dropped: ['shoeSize', 'tier'] })
    const before = await readOk(api, `/contacts/${a.$id}?asOf=${encodeURIComponent(history.data.at(-2).at)}`)
    expect(before.shoeSize).toBe(38)
  })

  it('fills a new required field from its default, each row with an event', async () => {
    const { api } = await createTenant()
    const c = await createOk(api, 'contacts', { name: 'A', email: 'a@acme-labs.dev' })
    expectProblem(await api.put('/nouns/Contact', { region: 'string!' }), 409, 'schema_conflict')
    expect((await api.put('/nouns/Contact', { region: 'string! = EMEA' })).status).toBe(200)
    expect((await readOk(api, `/contacts/${c.$id}`)).region).toBe('EMEA')
    expect(await api.eventTypes(c.$id)).toEqual(['contact.created', 'contact.migrated'])
  })

  it('records every schema change as schema.changed with the definition before and after', async () => {
    const { api } = await createTenant()
    await api.put('/nouns/Contact', { shoeSize: 'number' })
    await api.put('/nouns/Contact', { shoeSize: 'number#' })
    const events = (await api.events('type=schema.changed')).map((e) => e.data)
    expect(events).toEqual([
      expect.objectContaining({ noun: 'Contact', before: null, after: { shoeSize: 'number' }, version: 1 }),
      expect.objectContaining({ noun: 'Contact', before: { shoeSize: 'number' }, after: { shoeSize: 'number#' }, version: 2 }),
    ])
  })
})

describe('isolation', () => {
  it('one tenant’s schema is invisible to another', async () => {
    const a = await createTenant()
    const b = await createTenant()
    await a.api.put('/nouns/Contact', { shoeSize: 'number' })
    await a.api.put('/nouns/Project', { name: 'string!' })
    expect((await readOk(b.api, '/nouns/Contact')).custom).toEqual({})
    expectProblem(await b.api.get('/projects'), 404, 'not_found')
    const res = await b.api.post('/contacts', { name: 'X', email: 'x@acme-labs.dev', shoeSize: 3 })
    expectProblem(res, 422, 'validation_failed')
    expectProblem(await b.api.put('/nouns/Project', { name: 'string' }, { key: a.key }), 401, 'unauthorized')
  })
})

describe('rules on custom fields', () => {
  it('automations and scoring rules may name them, and a change that removes one is a conflict', async () => {
    const { api } = await createTenant()
    await api.put('/nouns/Lead', { industry: 'Retail | Software | Other' })
    const scoring = await readOk(api, '/settings/scoring')
    const rules = { ...scoring.data, rules: [...scoring.data.rules, { id: 'software', label: 'Sells software', when: { industry: 'Software' }, points: 25 }] }
    delete rules.version
    const saved = await api.put('/settings/scoring', rules)
    expect(saved.status, JSON.stringify(saved.body)).toBe(200)
    const automation = { id: 'retail-task', on: 'lead.created', when: { industry: 'Retail' }, do: [{ create: 'Activity', with: { subject: 'Call {{lead.name}}', type: 'Task' } }] }
    expect((await api.put('/settings/automations', [automation])).status).toBe(200)

    const software = await createOk(api, 'leads', { name: 'Soft', source: 'website', industry: 'Software' })
    const other = await createOk(api, 'leads', { name: 'Other', source: 'website', industry: 'Other' })
    expect(software.score - other.score).toBe(25)
    await createOk(api, 'leads', { name: 'Shop', source: 'website', industry: 'Retail' })
    expect((await readOk(api, '/activities?subject=Call Shop')).total).toBe(1)

    const refused = await api.put('/nouns/Lead?drop=industry', {})
    expectProblem(refused, 409, 'schema_conflict')
    expect(refused.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['settings.automations[0].when.industry', `settings.scoring.rules[${rules.rules.length - 1}].when.industry`].sort())
  })
})

describe('hostile schema input', () => {
  it('refuses prototype names, oversized definitions and too many nouns with a 4xx naming the place', async () => {
    const { api } = await createTenant()
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      const res = await api.put('/nouns/Contact', { [name]: 'string' })
      expectProblem(res, 422, 'validation_failed', name)
      expect(res.body.errors[0].path).toBe(`Contact.${name}`)
    }
    expectProblem(await api.put('/nouns/Contact', '{"__proto__":"string"}'), 422, 'validation_failed')
    expectProblem(await api.put('/nouns/Contact', '{"__proto__":{"polluted":"string"}}'), 422, 'validation_failed')
    const wide = Object.fromEntries(Array.from({ length: 260 }, (_, i) => [`f${i}`, 'string']))
    expectProblem(await api.put('/nouns/Contact', wide), 422, 'validation_failed')
    const longEnum = Array.from({ length: 400 }, (_, i) => `V${i}`).join(' | ')
    expectProblem(await api.put('/nouns/Contact', { huge: longEnum }), 422, 'validation_failed')
    expectProblem(await api.put('/nouns/Contact', { deep: 'string'.repeat(400) }), 422, 'validation_failed')
    expectProblem(await api.put('/nouns/Contact?drop=' + 'x'.repeat(5000), {}), 400, 'invalid_query')
    expectProblem(await api.put('/nouns/__proto__', { name: 'string' }), 404, 'not_found')
    expectProblem(await api.put('/nouns/Bad%00Name', { name: 'string' }), 404, 'not_found')
    expect((await readOk(api, '/nouns/Contact')).custom).toEqual({})
    expect({}.hasOwnProperty('polluted')).toBe(false)
  })

  it('enforces the limit on nouns of the tenant’s own', async () => {
    const { api } = await createTenant()
    const nouns = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`Thing${i}`, { name: 'string' }]))
    const manifest = { ...(await readOk(api, '/manifest')), nouns }
    const res = await api.put('/manifest', manifest)
    expectProblem(res, 422, 'validation_failed')
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('nouns')
  }, 60_000)
})

describe('random definitions', () => {
  it('are answered with 2xx or a 4xx problem naming the place, never a 5xx, and a refusal changes nothing', async () => {
    const fc = (await import('fast-check')).default
    const { api } = await createTenant()
    await createOk(api, 'contacts', { name: 'Keeper', email: 'keeper@acme-labs.dev' })
    const name = fc.oneof(fc.constantFrom('size', 'tier', 'client', 'tags', 'status', 'go', 'email', '$id', 'x y', 'constructor', '__proto__', 'ÄÖ', ''), fc.string({ maxLength: 12 }))
    const dsl = fc.oneof(
      fc.constantFrom('string', 'number#', 'int!', 'email##', 'A | B', 'A | B = C', '-> Organization.projects', '-> Contact', '<- Deal.contact[]', 'string[]', 'json', 'boolean = true', 'Active', 'datetime#', '-> Nope', 'int = x', '| |', '!#', '->', 'string[] = x', 'json = {', 'date = x', '-> Contact[]'),
      fc.string({ maxLength: 40 }),
    )
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('Contact', 'Gadget', 'Lead'), fc.dictionary(name, dsl, { maxKeys: 6 }), async (noun, body) => {
        const before = (await api.get('/nouns')).body
        const res = await api.put(`/nouns/${noun}`, body)
        expect(res.status, JSON.stringify({ noun, body, res: res.body })).toBeLessThan(500)
        if (res.status >= 400) {
          expect(res.body.errors?.length ?? 0, JSON.stringify(res.body)).toBeGreaterThan(0)
          expect((await api.get('/nouns')).body).toEqual(before)
        }
        // Whatever was accepted works: the collection lists.
        if (res.status < 300 && noun === 'Gadget') expect((await api.get('/gadgets')).status).toBe(200)
        if (res.status < 300 && noun === 'Gadget') expect((await api.delete('/nouns/Gadget?drop=Gadget')).status).toBe(200)
      }),
      { numRuns: 60 },
    )
    expect((await readOk(api, '/contacts')).total).toBe(1)
  }, 120_000)
})
