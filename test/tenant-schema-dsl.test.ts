/**
 * The tenant's own schema (issue 15), the corners of the DSL an audit found open: defaults a field
 * cannot take, CRUD names declared as verbs, a verb state in two enums, reverse lists over list
 * relations, and how a manifest names a noun that would go with its records.
 */
import { describe, expect, it } from 'vitest'
import { createOk, createTenant, expectProblem, readOk } from './helpers'

const pathsOf = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path)

describe('defaults in a definition', () => {
  it('a default the field cannot take is a 422 naming the field, never a 500, and nothing changes', async () => {
    const { api } = await createTenant()
    const before = await readOk(api, '/nouns')
    for (const [dsl, what] of [
      ['string[] = nope', 'not JSON'],
      ['json = {bad', 'not JSON'],
      ['int[] = ["x"]', 'not a value of the field'],
      ['int[] = {"a":1}', 'JSON array'],
      ['date = yesterday', 'not a value of the field'],
      ['email = not-an-address', 'not a value of the field'],
      ['url = nowhere', 'not a value of the field'],
      ['string! = ""', 'not a value of the field'],
      ['-> Contact = organization_abcdefghi', 'not a value of the field'],
    ] as const) {
      for (const noun of ['Gadget', 'Contact']) {
        const res = await api.put(`/nouns/${noun}`, { label: 'string', extra: dsl })
        expectProblem(res, 422, 'validation_failed', `${noun} ${dsl}`)
        expect(pathsOf(res.body), `${noun} ${dsl}`).toEqual([`${noun}.extra`])
        expect(res.body.errors[0].message, dsl).toContain(what)
      }
    }
    expect(await readOk(api, '/nouns')).toEqual(before)
  })

  it('a default the field takes fills new records and, for a new required field, the stored ones', async () => {
    const { api } = await createTenant()
    expect((await api.put('/nouns/Gadget', { label: 'string!', since: 'date = 2026-01-31', tags: 'string[] = ["new"]', meta: 'json = {"v":1}' })).status).toBe(201)
    const gadget = await createOk(api, 'gadgets', { label: 'G1' })
    expect(gadget).toMatchObject({ since: '2026-01-31', tags: ['new'], meta: { v: 1 } })
    const grown = await api.put('/nouns/Gadget', { label: 'string!', since: 'date = 2026-01-31', tags: 'string[] = ["new"]', meta: 'json = {"v":1}', size: 'int! = 3' })
    expect(grown.status, JSON.stringify(grown.body)).toBe(200)
    expect(grown.body.migrated).toBe(1)
    expect((await readOk(api, `/gadgets/${gadget.$id}`)).size).toBe(3)
  })
})

describe('errors in a noun of the tenant’s own', () => {
  it('are placed at the field, as on a built-in noun (Gadget.budget, not Gadget)', async () => {
    const { api } = await createTenant()
    for (const [body, path] of [
      [{ name: 'string', budget: 'money' }, 'Gadget.budget'],
      [{ name: 'string', owner: '-> Contact.' }, 'Gadget.owner'],
      [{ name: 'string', kind: 'A | B = C' }, 'Gadget.kind'],
      [{ name: 'string', seen: '<- Lead' }, 'Gadget.seen'],
    ] as const) {
      const res = await api.put('/nouns/Gadget', body)
      expectProblem(res, 422, 'validation_failed', JSON.stringify(body))
      expect(pathsOf(res.body), JSON.stringify(body)).toEqual([path])
    }
  })
})

describe('verbs in a definition', () => {
  it('a CRUD name given a state is refused (the CRUD verb would silently replace it)', async () => {
    const { api } = await createTenant()
    for (const crud of ['create', 'update', 'delete']) {
      const res = await api.put('/nouns/Rocket', { name: 'string', status: 'Draft | Active', [crud]: 'Active' })
      expectProblem(res, 422, 'validation_failed', crud)
      expect(pathsOf(res.body)).toEqual([`Rocket.${crud}`])
      expect(res.body.errors[0].message).toContain('CRUD verb')
    }
    expect((await api.put('/nouns/Rocket', { name: 'string', delete: null })).status).toBe(201)
  })

  it('a state in two enums is refused at the verb, naming the enums', async () => {
    const { api } = await createTenant()
    const res = await api.put('/nouns/Rocket', { name: 'string', phase: 'Draft | Active', health: 'Active | Gone', go: 'Active' })
    expectProblem(res, 422, 'validation_failed')
    expect(pathsOf(res.body)).toEqual(['Rocket.go'])
    expect(res.body.errors[0].message).toContain('several enums (phase, health)')
  })
})

describe('reverse lists over a list relation', () => {
  it('`<- Task.watchers[]` and a back-reference on `-> Contact.following[]` list the records that name the id', async () => {
    const { api } = await createTenant()
    const [ann, bob] = [await createOk(api, 'contacts', { name: 'Ann' }), await createOk(api, 'contacts', { name: 'Bob' })]
    expect((await api.put('/nouns/Task', { title: 'string!', watchers: '-> Contact[]', followers: '-> Contact.following[]' })).status).toBe(201)
    const put = await api.put('/nouns/Contact', { watching: '<- Task.watchers[]' })
    expect(put.status, JSON.stringify(put.body)).toBe(200)
    const t1 = await createOk(api, 'tasks', { title: 'T1', watchers: [ann.$id, bob.$id], followers: [bob.$id] })
    const t2 = await createOk(api, 'tasks', { title: 'T2', watchers: [ann.$id] })
    await createOk(api, 'tasks', { title: 'T3', watchers: [] })

    const annView = await readOk(api, `/contacts/${ann.$id}?include=watching,following`)
    expect(annView.watching.map((t: { title: string }) => t.title)).toEqual(['T1', 'T2'])
    expect(annView.following).toEqual([])
    const bobView = await readOk(api, `/contacts/${bob.$id}?include=watching,following`)
    expect(bobView.watching.map((t: { $id: string }) => t.$id)).toEqual([t1.$id])
    expect(bobView.following.map((t: { $id: string }) => t.$id)).toEqual([t1.$id])

    expect((await api.delete(`/tasks/${t2.$id}`)).status).toBe(204)
    expect((await readOk(api, `/contacts/${ann.$id}?include=watching`)).watching.map((t: { title: string }) => t.title)).toEqual(['T1'])
  })
})

describe('a manifest that would drop a noun with records', () => {
  it('names the noun itself (nouns.Project) and how many records stand in the way; a bad definition is placed under nouns.', async () => {
    const { api } = await createTenant()
    expect((await api.put('/nouns/Project', { name: 'string!' })).status).toBe(201)
    await createOk(api, 'projects', { name: 'Portal' })
    const manifest = await readOk(api, '/manifest')
    const refused = await api.put('/manifest?dryRun=true', { ...manifest, nouns: {} })
    expectProblem(refused, 409, 'schema_conflict')
    expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'nouns.Project', rows: 1 })])
    expect(refused.body.errors[0].message).toMatch(/^1 record of Project is stored/)
    const invalid = await api.put('/manifest?dryRun=true', { ...manifest, nouns: { ...manifest.nouns, Gadget: { name: 'string', size: 'money' } } })
    expectProblem(invalid, 422, 'validation_failed')
    expect(pathsOf(invalid.body)).toEqual(['nouns.Gadget.size'])
    const dropped = await api.put('/manifest?drop=Project', { ...manifest, nouns: {} })
    expect(dropped.status, JSON.stringify(dropped.body)).toBe(200)
    expectProblem(await api.get('/projects'), 404, 'not_found')
  })
})

describe('a definition stored before these checks', () => {
  it('still builds as it was accepted (its records stay in sight); only a change to it is held to them', async () => {
    const { buildRegistry } = await import('../src/domain/schema/registry')
    const { BUILT_IN_NOUNS } = await import('../src/durable/tenant-nouns')
    const doc = { nouns: { Gadget: { name: 'string', since: 'date = yesterday', status: 'Draft | Active', update: 'Active' }, Contact: { rank: 'int = 3' } } }
    expect(buildRegistry(BUILT_IN_NOUNS, doc).byName('Gadget')?.plural).toBe('gadgets')
    expect(() => buildRegistry(BUILT_IN_NOUNS, doc, { checked: new Set(['Contact']) })).not.toThrow()
    try {
      buildRegistry(BUILT_IN_NOUNS, doc, { checked: new Set(['Gadget']) })
      expect.unreachable('a checked Gadget does not build')
    } catch (error) {
      expect((error as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual(['Gadget.since', 'Gadget.update'])
    }
  })
})
