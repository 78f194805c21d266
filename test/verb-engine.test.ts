/**
 * The verb pipeline through real HTTP and real DO storage. The hooks registered here act only on
 * organizations whose name starts with a marker, so they stay out of every other test's way.
 */
import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { createValidator, revalidate, updateValidator, validate } from '../src/domain/noun/validators'
import { Lead, Organization } from '../src/domain/nouns'
import { createTenant, rowIds, storeIn } from './helpers'

Organization.creating((_draft, input) => {
  if (input.name === 'reject me') throw new Error('names like that are not welcome')
  if (typeof input.name === 'string' && input.name.startsWith('adjust:')) return { ...input, name: input.name.slice(7).trim(), industry: 'Adjusted' }
})

Organization.created((org, $) => {
  const name = String(org.name)
  if (name.startsWith('with-contact:')) $.Contact.create({ name: `Founder of ${name.slice(13).trim()}`, organization: org.$id })
  if (name.startsWith('explode:')) {
    $.Contact.create({ name: 'written then rolled back', organization: org.$id })
    throw new Error('after hook failed on purpose')
  }
  if (name.startsWith('recurse:')) $.Organization.create({ name: `recurse:${name}` })
})

Organization.updated((org, $) => {
  if (org.industry === 'chain') $.Organization.update(org.$id, { industry: 'chained', description: 'set by the updated hook' })
})

describe('before hooks', () => {
  it('reject a call with 422 rejected and write nothing', async () => {
    const { api } = await createTenant()
    const res = await api.post('/organizations', { name: 'reject me' })
    expect(res.status).toBe(422)
    expect(res.body).toMatchObject({ code: 'rejected', detail: 'names like that are not welcome' })
    expect((await api.get('/organizations')).body.total).toBe(0)
    expect(await api.eventTypes()).toEqual([])
  })

  it('may adjust the input, which is validated again', async () => {
    const { api } = await createTenant()
    const res = await api.post('/organizations', { name: 'adjust: Acme' })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ name: 'Acme', industry: 'Adjusted' })
    const [event] = await api.events()
    expect(event.data).toMatchObject({ name: 'Acme', industry: 'Adjusted' })
  })
})

describe("a before hook's replacement input", () => {
  const outcome = (fn: () => unknown) => {
    try {
      return JSON.stringify(fn())
    } catch (error) {
      return `refused ${JSON.stringify((error as { errors?: unknown }).errors)}`
    }
  }
  it('is checked only where it changed, with the whole validator\'s result, field order and errors', () => {
    for (const schema of [createValidator(Lead.schema), updateValidator(Lead.schema)]) {
      const previous = validate<Record<string, unknown>>(schema, { source: 'website', name: 'A', budget: 5, timeline: null, contact: 'contact_abcdefghi' }, 'x')
      const replacements = [
        { ...previous, firstTouchAt: '2026-01-01T00:00:00+02:00' },
        { ...previous, score: 20, band: 'low', scoreSource: 'rules' },
        { ...previous, budget: 7 },
        { ...previous, budget: undefined },
        { name: 'A' },
        { ...previous, score: 250 },
        { ...previous, band: 'lukewarm' },
        { ...previous, nope: 1 },
        { ...previous, name: null },
        { ...previous, __proto__: { polluted: true } },
        'not an object',
      ]
      for (const replaced of replacements) expect(outcome(() => revalidate(schema, previous, replaced, 'x'))).toBe(outcome(() => validate(schema, replaced, 'x')))
    }
  })
})

describe('after hooks', () => {
  it('reach other nouns through $, and their events carry the cause', async () => {
    const { api } = await createTenant()
    const res = await api.post('/organizations', { name: 'with-contact: Acme' })
    expect(res.status).toBe(201)
    const events = await api.events()
    expect(events.map((e: { type: string }) => e.type)).toEqual(['organization.created', 'contact.created'])
    expect(events[1].cause).toBe(events[0].id)
    expect(events[0].cause).toBeNull()
    const contacts = (await api.get(`/contacts?organization=${res.body.$id}`)).body
    expect(contacts.data).toHaveLength(1)
    expect(contacts.data[0].name).toBe('Founder of Acme')
  })

  it('roll the whole call back when they throw', async () => {
    const { api } = await createTenant()
    const res = await api.post('/organizations', { name: 'explode: now' })
    expect(res.status).toBe(422)
    expect(res.body.code).toBe('rejected')
    expect((await api.get('/organizations')).body.total).toBe(0)
    expect((await api.get('/contacts')).body.total).toBe(0)
    expect(await api.eventTypes()).toEqual([])
  })

  it('may change the entity that triggered them; the response shows the final state', async () => {
    const { api } = await createTenant()
    const org = (await api.post('/organizations', { name: 'Chainco' })).body
    const res = await api.patch(`/organizations/${org.$id}`, { industry: 'chain' })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ industry: 'chained', description: 'set by the updated hook', $version: 3 })
    expect(res.headers.get('etag')).toBe('"3"')
  })

  it('stop a runaway chain at the depth bound and roll it all back', async () => {
    const { api } = await createTenant()
    const res = await api.post('/organizations', { name: 'recurse:' })
    expect(res.status).toBe(422)
    expect(res.body.detail).toMatch(/hook chain deeper than/)
    expect((await api.get('/organizations')).body.total).toBe(0)
  })
})

describe('the event log', () => {
  it('is append-only: SQLite refuses UPDATE and DELETE', async () => {
    const { api, slug } = await createTenant()
    await api.post('/organizations', { name: 'Logged' })
    await runInDurableObject(env.TENANT.getByName(slug), (_instance, state) => {
      expect(() => state.storage.sql.exec(`UPDATE events SET type = 'forged'`)).toThrow(/append-only/)
      expect(() => state.storage.sql.exec('DELETE FROM events')).toThrow(/append-only/)
      expect(state.storage.sql.exec(`SELECT count(*) AS n FROM events WHERE type = 'organization.created'`).one().n).toBe(1)
    })
  })

  it("keeps an update's before once: read back from the stream's previous after", async () => {
    const { api, slug } = await createTenant()
    const created = (await api.post('/organizations', { name: 'Before' })).body
    const updated = (await api.patch(`/organizations/${created.$id}`, { industry: 'SaaS' })).body
    await api.patch(`/organizations/${created.$id}`, { employeeCount: 40 })
    const events = (await api.get(`/events?entity=${created.$id}`)).body.data as { type: string; before: unknown; after: unknown }[]
    expect(events.map((e) => e.type)).toEqual(['organization.created', 'organization.updated', 'organization.updated'])
    expect(events.map((e) => e.before)).toEqual([null, created, updated])
    expect(events[2]!.after).toMatchObject({ industry: 'SaaS', employeeCount: 40, $version: 3 })
    await runInDurableObject(env.TENANT.getByName(slug), (_instance, state) => {
      const stored = state.storage.sql.exec<{ before: string | null }>('SELECT before FROM events WHERE entity_id = ? ORDER BY seq', created.$id).toArray()
      expect(stored.map((r) => r.before)).toEqual([null, null, null])
    })
  })

  it('records the actor and request id of every change', async () => {
    const { api, keyId } = await createTenant()
    const res = await api.post('/organizations', { name: 'Audited' }, { headers: { 'x-request-id': 'req-123' } })
    expect(res.headers.get('x-request-id')).toBe('req-123')
    const [event] = await api.events()
    expect(event).toMatchObject({ actor: keyId, actorRole: 'admin', requestId: 'req-123', type: 'organization.created', version: 1 })
    expect((await api.get(`/events?actor=${keyId}`)).body.data).toHaveLength(1)
    expect((await api.get('/events?actor=system')).body.data.map((e: { type: string }) => e.type)).toEqual([
      ...Array(6).fill('stage.created'),
      'plan.created',
    ])
    expect((await api.get('/events?actor=key_nobody123')).body.data).toHaveLength(0)
  })

  it('reproduces every table when folded', async () => {
    const { api, slug } = await createTenant()
    const org = (await api.post('/organizations', { name: 'Fold Inc', tags: ['a', 'b'], employeeCount: 12 })).body
    const a = (await api.post('/contacts', { name: 'A', email: 'a@fold.dev', organization: org.$id, stage: 'Lead' })).body
    const b = (await api.post('/contacts', { name: 'B', email: 'b@fold.dev', manager: a.$id })).body
    await api.post(`/contacts/${a.$id}/qualify`)
    await api.patch(`/contacts/${b.$id}`, { phone: '+1 555', manager: null })
    await api.post(`/contacts/${b.$id}/assign`, { owner: a.$id })
    await api.patch(`/organizations/${org.$id}`, { tags: ['c'], employeeCount: null })
    await api.delete(`/contacts/${b.$id}`)
    await api.post('/organizations', { name: 'with-contact: Folded' })

    const events = (await api.get('/events?limit=500')).body.data as { entityId: string; entityType: string; after: Record<string, unknown> }[]
    const folded = new Map<string, Record<string, unknown>>()
    for (const e of events) if (e.entityType === 'Contact' || e.entityType === 'Organization') folded.set(e.entityId, e.after)

    const tables = await runInDurableObject(env.TENANT.getByName(slug), async (_instance, state) => {
      const { store, nouns } = await storeIn(state)
      return [
        ...store.getAnyMany(nouns.byName('Contact')!, rowIds(state.storage.sql, 'contacts')),
        ...store.getAnyMany(nouns.byName('Organization')!, rowIds(state.storage.sql, 'organizations')),
      ]
    })
    expect(tables).toHaveLength(folded.size)
    for (const row of tables) expect(folded.get(row.$id)).toEqual(row)
  })
})
