/** REST CRUD, history/asOf, includes and instance verbs over Contact and Organization. */
import { describe, expect, it } from 'vitest'
import { createTenant, type ApiResponse, type TenantApi } from './helpers'
import { expectProblem } from './helpers'

const ID = /^contact_[0-9A-Za-z]{9}$/
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/** Lets the clock move on, so consecutive writes get distinct timestamps. */
const tick = (ms = 15) => new Promise((resolve) => setTimeout(resolve, ms))


/** Event types of the tenant's contacts and organizations, in order (what provisioning writes is not counted). */
async function domainEvents(api: TenantApi): Promise<string[]> {
  return (await api.eventTypes()).filter((t) => t.startsWith('contact.') || t.startsWith('organization.'))
}

async function createContact(api: TenantApi, body: Record<string, unknown>) {
  const res = await api.post('/contacts', body)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

async function createOrg(api: TenantApi, body: Record<string, unknown>) {
  const res = await api.post('/organizations', body)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

describe('Contacts create', () => {
  it('answers 201 with Location, ETag "1" and the stored entity', async () => {
    const { api, slug, keyId } = await createTenant()
    const res = await api.post('/contacts', { name: 'Alice Chen', email: 'alice@acme.dev', stage: 'Lead', leadScore: 42 })
    expect(res.status).toBe(201)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(res.headers.get('etag')).toBe('"1"')
    expect(res.body.$id).toMatch(ID)
    expect(res.headers.get('location')).toBe(`/~${slug}/contacts/${res.body.$id}`)
    expect(res.body).toMatchObject({
      $type: 'Contact',
      $version: 1,
      $createdBy: keyId,
      name: 'Alice Chen',
      email: 'alice@acme.dev',
      stage: 'Lead',
      leadScore: 42,
    })
    expect(res.body.$createdAt).toMatch(ISO)
    expect(res.body.$updatedAt).toBe(res.body.$createdAt)
    expect(res.body).not.toHaveProperty('$deletedAt')
  })

  it('can be read back at its Location', async () => {
    const { api, key } = await createTenant()
    const created = await createContact(api, { name: 'Bo Diaz', phone: '+1 555 0100' })
    const got = await api.get(`/contacts/${created.$id}`)
    expect(got.status).toBe(200)
    expect(got.headers.get('etag')).toBe('"1"')
    expect(got.body).toEqual(created)
    expect(key).toBeTruthy()
  })

  it('omits fields that were not set', async () => {
    const { api } = await createTenant()
    const created = await createContact(api, { name: 'Minimal', email: null })
    expect(Object.keys(created).sort()).toEqual(['$createdAt', '$createdBy', '$id', '$type', '$updatedAt', '$version', 'name'])
  })

  it('emits contact.created carrying the new state', async () => {
    const { api } = await createTenant()
    const created = await createContact(api, { name: 'Evented', stage: 'Lead' })
    const events = await api.get(`/events?entity=${created.$id}`)
    expect(events.body.data).toHaveLength(1)
    expect(events.body.data[0]).toMatchObject({
      type: 'contact.created',
      entityType: 'Contact',
      entityId: created.$id,
      verb: 'create',
      version: 1,
      actor: created.$createdBy,
      before: null,
      after: created,
    })
    expect(events.body.data[0].id).toMatch(/^evt_[0-9A-Za-z]{9}$/)
  })

  it('gives every contact a distinct id', async () => {
    const { api } = await createTenant()
    const ids = new Set<string>()
    for (let i = 0; i < 5; i++) ids.add((await createContact(api, { name: `C${i}` })).$id)
    expect(ids.size).toBe(5)
  })
})

describe('Contacts read', () => {
  it('answers 404 problem for an id that does not exist', async () => {
    const { api } = await createTenant()
    expectProblem(await api.get('/contacts/contact_000000000'), 404, 'not_found')
  })

  it('answers 404 for an id of the wrong shape or noun', async () => {
    const { api } = await createTenant()
    const org = await createOrg(api, { name: 'Acme' })
    expectProblem(await api.get('/contacts/not-an-id'), 404, 'not_found')
    expectProblem(await api.get(`/contacts/${org.$id}`), 404, 'not_found')
  })

  it('refuses unknown query parameters on a single entity', async () => {
    const { api } = await createTenant()
    const c = await createContact(api, { name: 'Q' })
    const res = await api.get(`/contacts/${c.$id}?expand=organization`)
    expectProblem(res, 400, 'invalid_query')
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'expand' })])
  })
})

describe('Contacts update', () => {
  it('bumps the version, changes the ETag and keeps $createdAt', async () => {
    const { api } = await createTenant()
    const created = await createContact(api, { name: 'Ann', title: 'Engineer' })
    await tick()
    const res = await api.patch(`/contacts/${created.$id}`, { title: 'CTO', leadScore: 70 })
    expect(res.status).toBe(200)
    expect(res.headers.get('etag')).toBe('"2"')
    expect(res.body).toMatchObject({ $id: created.$id, $version: 2, name: 'Ann', title: 'CTO', leadScore: 70, $createdAt: created.$createdAt, $createdBy: created.$createdBy })
    expect(res.body.$updatedAt > created.$updatedAt).toBe(true)

    const got = await api.get(`/contacts/${created.$id}`)
    expect(got.headers.get('etag')).toBe('"2"')
    expect(got.body).toEqual(res.body)
  })

  it('unsets a field given null', async () => {
    const { api } = await createTenant()
    const created = await createContact(api, { name: 'Nullable', title: 'VP', phone: '123' })
    const res = await api.patch(`/contacts/${created.$id}`, { title: null })
    expect(res.status).toBe(200)
    expect(res.body).not.toHaveProperty('title')
    expect(res.body.phone).toBe('123')
    const got = await api.get(`/contacts/${created.$id}`)
    expect(got.body).not.toHaveProperty('title')
    expect(got.body.$version).toBe(2)
  })

  it('refuses to unset a required field', async () => {
    const { api } = await createTenant()
    const created = await createContact(api, { name: 'Required' })
    const res = await api.patch(`/contacts/${created.$id}`, { name: null })
    expectProblem(res, 422, 'validation_failed')
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('name')
    expect((await api.get(`/contacts/${created.$id}`)).body).toEqual(created)
  })

  it('emits contact.updated with the patch, before and after', async () => {
    const { api } = await createTenant()
    const created = await createContact(api, { name: 'Ev', title: 'A' })
    const updated = (await api.patch(`/contacts/${created.$id}`, { title: 'B' })).body
    expect(await api.eventTypes(created.$id)).toEqual(['contact.created', 'contact.updated'])
    const events = await api.get(`/events?entity=${created.$id}&type=contact.updated`)
    expect(events.body.data[0]).toMatchObject({ verb: 'update', version: 2, data: { title: 'B' }, before: created, after: updated })
  })

  it('answers 404 for a contact that does not exist and writes nothing', async () => {
    const { api } = await createTenant()
    expectProblem(await api.patch('/contacts/contact_000000000', { title: 'x' }), 404, 'not_found')
    expect(await domainEvents(api)).toEqual([])
  })

  it('guards stage moves with the stage machine', async () => {
    const { api } = await createTenant()
    const created = await createContact(api, { name: 'Jumper', stage: 'Lead' })
    const res = await api.patch(`/contacts/${created.$id}`, { stage: 'Churned' })
    expectProblem(res, 409, 'invalid_transition')
    expect((await api.get(`/contacts/${created.$id}`)).body.stage).toBe('Lead')
    const ok = await api.patch(`/contacts/${created.$id}`, { stage: 'Qualified' })
    expect(ok.status).toBe(200)
    expect(ok.body.stage).toBe('Qualified')
  })
})

describe('Contacts If-Match', () => {
  it('applies a PATCH whose If-Match is the current version', async () => {
    const { api } = await createTenant()
    const created = await createContact(api, { name: 'Matchy' })
    const res = await api.patch(`/contacts/${created.$id}`, { title: 'Lead Dev' }, { headers: { 'if-match': '"1"' } })
    expect(res.status).toBe(200)
    expect(res.body.$version).toBe(2)
  })

  it('refuses a stale If-Match with 412 precondition_failed and changes nothing', async () => {
    const { api } = await createTenant()
    const created = await createContact(api, { name: 'Stale' })
    const v2 = (await api.patch(`/contacts/${created.$id}`, { title: 'One' })).body
    const res = await api.patch(`/contacts/${created.$id}`, { title: 'Two' }, { headers: { 'if-match': '"1"' } })
    expectProblem(res, 412, 'precondition_failed')
    const got = await api.get(`/contacts/${created.$id}`)
    expect(got.body).toEqual(v2)
    expect(got.headers.get('etag')).toBe('"2"')
    expect(await api.eventTypes(created.$id)).toEqual(['contact.created', 'contact.updated'])
  })

  it('refuses a stale If-Match on a DELETE and on a verb', async () => {
    const { api } = await createTenant()
    const created = await createContact(api, { name: 'Stale2', email: 'stale2@acme.dev', stage: 'Lead' })
    await api.patch(`/contacts/${created.$id}`, { title: 'One' })
    expectProblem(await api.delete(`/contacts/${created.$id}`, { headers: { 'if-match': '"1"' } }), 412, 'precondition_failed')
    expectProblem(await api.post(`/contacts/${created.$id}/qualify`, undefined, { headers: { 'if-match': '"1"' } }), 412, 'precondition_failed')
    const got = await api.get(`/contacts/${created.$id}`)
    expect(got.body).toMatchObject({ $version: 2, stage: 'Lead' })
    expect(await api.eventTypes(created.$id)).toEqual(['contact.created', 'contact.updated'])
  })

  it('answers 400 for an If-Match that is not a version', async () => {
    const { api } = await createTenant()
    const created = await createContact(api, { name: 'Garbled' })
    expectProblem(await api.patch(`/contacts/${created.$id}`, { title: 'x' }, { headers: { 'if-match': 'banana' } }), 400, 'bad_request')
    expect((await api.get(`/contacts/${created.$id}`)).body.$version).toBe(1)
  })
})

describe('Contacts delete', () => {
  it('soft-deletes with an admin key: 204, then 404, and the log keeps contact.deleted', async () => {
    const { api } = await createTenant()
    const created = await createContact(api, { name: 'Gone Soon', email: 'gone@acme.dev' })
    const res = await api.delete(`/contacts/${created.$id}`)
    expect(res.status).toBe(204)
    expect(res.body).toBeNull()
    expectProblem(await api.get(`/contacts/${created.$id}`), 404, 'not_found')
    expect(await api.eventTypes(created.$id)).toEqual(['contact.created', 'contact.deleted'])
    const deleted = (await api.get(`/events?entity=${created.$id}&type=contact.deleted`)).body.data[0]
    expect(deleted).toMatchObject({ verb: 'delete', version: 2, before: created })
    expect(deleted.after.$deletedAt).toMatch(ISO)
  })

  it('drops the contact from lists and totals', async () => {
    const { api } = await createTenant()
    const keep = await createContact(api, { name: 'Keep' })
    const drop = await createContact(api, { name: 'Drop' })
    await api.delete(`/contacts/${drop.$id}`)
    const list = await api.get('/contacts')
    expect(list.body.total).toBe(1)
    expect(list.body.data.map((c: { $id: string }) => c.$id)).toEqual([keep.$id])
  })

  it('cannot delete, patch or run a verb on a deleted contact', async () => {
    const { api } = await createTenant()
    const created = await createContact(api, { name: 'Twice', stage: 'Lead' })
    expect((await api.delete(`/contacts/${created.$id}`)).status).toBe(204)
    expectProblem(await api.delete(`/contacts/${created.$id}`), 404, 'not_found')
    expectProblem(await api.patch(`/contacts/${created.$id}`, { title: 'x' }), 404, 'not_found')
    expectProblem(await api.post(`/contacts/${created.$id}/qualify`), 404, 'not_found')
    expect(await api.eventTypes(created.$id)).toEqual(['contact.created', 'contact.deleted'])
  })
})

describe('Contacts include', () => {
  it('expands the organization in place', async () => {
    const { api } = await createTenant()
    const org = await createOrg(api, { name: 'Acme', domain: 'acme.dev' })
    const contact = await createContact(api, { name: 'Inc', organization: org.$id })
    expect(contact.organization).toBe(org.$id)
    const res = await api.get(`/contacts/${contact.$id}?include=organization`)
    expect(res.status).toBe(200)
    expect(res.body.organization).toEqual(org)
    expect(res.body.name).toBe('Inc')
    // without include the field stays an id
    expect((await api.get(`/contacts/${contact.$id}`)).body.organization).toBe(org.$id)
  })

  it('leaves a contact without an organization as it is', async () => {
    const { api } = await createTenant()
    const contact = await createContact(api, { name: 'Solo' })
    const res = await api.get(`/contacts/${contact.$id}?include=organization`)
    expect(res.status).toBe(200)
    expect(res.body).toEqual(contact)
  })

  it('lists an organization\'s contacts with include=contacts', async () => {
    const { api } = await createTenant()
    const org = await createOrg(api, { name: 'Globex' })
    const other = await createOrg(api, { name: 'Initech' })
    const a = await createContact(api, { name: 'A', organization: org.$id })
    await createContact(api, { name: 'Elsewhere', organization: other.$id })
    const b = await createContact(api, { name: 'B', organization: org.$id })
    const gone = await createContact(api, { name: 'Deleted', organization: org.$id })
    await api.delete(`/contacts/${gone.$id}`)
    const res = await api.get(`/organizations/${org.$id}?include=contacts`)
    expect(res.status).toBe(200)
    expect(res.body.name).toBe('Globex')
    expect(res.body.contacts.map((c: { $id: string }) => c.$id)).toEqual([a.$id, b.$id])
    expect(res.body.contacts[0]).toEqual(a)
  })

  it('gives an empty list for an organization without contacts', async () => {
    const { api } = await createTenant()
    const org = await createOrg(api, { name: 'Empty Inc' })
    const res = await api.get(`/organizations/${org.$id}?include=contacts`)
    expect(res.status).toBe(200)
    expect(res.body.contacts).toEqual([])
  })

  it('answers 400 for an unknown relation, naming it', async () => {
    const { api } = await createTenant()
    const contact = await createContact(api, { name: 'X' })
    const res = await api.get(`/contacts/${contact.$id}?include=employer`)
    expectProblem(res, 400, 'invalid_query')
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'include', message: expect.stringContaining('employer') })])
    // a plain field is not a relation either
    expectProblem(await api.get(`/contacts/${contact.$id}?include=email`), 400, 'invalid_query')
  })
})

describe('Contacts history', () => {
  it('lists every version from the log, oldest first', async () => {
    const { api, keyId } = await createTenant()
    const v1 = await createContact(api, { name: 'Hist', email: 'hist@acme.dev', stage: 'Lead' })
    const v2 = (await api.patch(`/contacts/${v1.$id}`, { title: 'Dev' })).body
    const v3 = (await api.post(`/contacts/${v1.$id}/qualify`)).body
    const res = await api.get(`/contacts/${v1.$id}/history`)
    expect(res.status).toBe(200)
    expect(res.body.data.map((h: { version: number; type: string }) => [h.version, h.type])).toEqual([
      [1, 'contact.created'],
      [2, 'contact.updated'],
      [3, 'contact.qualified'],
    ])
    expect(res.body.data.map((h: { entity: unknown }) => h.entity)).toEqual([v1, v2, v3])
    for (const h of res.body.data) {
      expect(h.actor).toBe(keyId)
      expect(h.event).toMatch(/^evt_/)
      expect(h.at).toMatch(ISO)
    }
  })

  it('survives deletion', async () => {
    const { api } = await createTenant()
    const c = await createContact(api, { name: 'Deleted History' })
    await api.delete(`/contacts/${c.$id}`)
    const res = await api.get(`/contacts/${c.$id}/history`)
    expect(res.status).toBe(200)
    expect(res.body.data.map((h: { type: string }) => h.type)).toEqual(['contact.created', 'contact.deleted'])
  })

  it('answers 404 for a contact that never existed', async () => {
    const { api } = await createTenant()
    expectProblem(await api.get('/contacts/contact_000000000/history'), 404, 'not_found')
  })
})

describe('Contacts asOf', () => {
  it('returns the older state for an instant between two updates', async () => {
    const { api } = await createTenant()
    const v1 = await createContact(api, { name: 'Timey', title: 'Intern' })
    await tick()
    const v2 = (await api.patch(`/contacts/${v1.$id}`, { title: 'Engineer' })).body
    await tick()
    const v3 = (await api.patch(`/contacts/${v1.$id}`, { title: 'Manager' })).body
    const between = new Date((Date.parse(v2.$updatedAt) + Date.parse(v3.$updatedAt)) / 2).toISOString()
    expect(between > v2.$updatedAt && between < v3.$updatedAt).toBe(true)

    const res = await api.get(`/contacts/${v1.$id}?asOf=${encodeURIComponent(between)}`)
    expect(res.status).toBe(200)
    expect(res.body).toEqual(v2)
    expect(res.headers.get('etag')).toBe('"2"')

    const first = await api.get(`/contacts/${v1.$id}?asOf=${encodeURIComponent(v1.$createdAt)}`)
    expect(first.body).toEqual(v1)
    const now = await api.get(`/contacts/${v1.$id}?asOf=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)
    expect(now.body).toEqual(v3)
  })

  it('accepts an instant with a UTC offset', async () => {
    const { api } = await createTenant()
    const v1 = await createContact(api, { name: 'Offset', title: 'Old' })
    await tick()
    await api.patch(`/contacts/${v1.$id}`, { title: 'New' })
    // the creation instant, written as a +02:00 local time
    const ms = Date.parse(v1.$createdAt) + 2 * 3600_000
    const local = new Date(ms).toISOString().replace('Z', '+02:00')
    const res = await api.get(`/contacts/${v1.$id}?asOf=${encodeURIComponent(local)}`)
    expect(res.status).toBe(200)
    expect(res.body.title).toBe('Old')
  })

  it('answers 404 before the contact was created', async () => {
    const { api } = await createTenant()
    const before = new Date(Date.now() - 60_000).toISOString()
    const c = await createContact(api, { name: 'Young' })
    expectProblem(await api.get(`/contacts/${c.$id}?asOf=${encodeURIComponent(before)}`), 404, 'not_found')
  })

  it('answers 404 after deletion but shows the state before it', async () => {
    const { api } = await createTenant()
    const c = await createContact(api, { name: 'Mortal' })
    await tick()
    const alive = new Date().toISOString()
    await tick()
    await api.delete(`/contacts/${c.$id}`)
    const later = new Date(Date.now() + 60_000).toISOString()
    expectProblem(await api.get(`/contacts/${c.$id}?asOf=${encodeURIComponent(later)}`), 404, 'not_found')
    const res = await api.get(`/contacts/${c.$id}?asOf=${encodeURIComponent(alive)}`)
    expect(res.status).toBe(200)
    expect(res.body).toEqual(c)
  })

  it('answers 400 for an asOf that is not a date', async () => {
    const { api } = await createTenant()
    const c = await createContact(api, { name: 'Bad Date' })
    const res = await api.get(`/contacts/${c.$id}?asOf=yesterday`)
    expectProblem(res, 400, 'invalid_query')
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'asOf' })])
  })
})

describe('Contact qualify', () => {
  it('moves a Lead to Qualified and emits contact.qualified', async () => {
    const { api } = await createTenant()
    const lead = await createContact(api, { name: 'Quinn', email: 'quinn@acme.dev', stage: 'Lead' })
    const res = await api.post(`/contacts/${lead.$id}/qualify`)
    expect(res.status).toBe(200)
    expect(res.headers.get('etag')).toBe('"2"')
    expect(res.body).toMatchObject({ $id: lead.$id, stage: 'Qualified', $version: 2, name: 'Quinn' })
    expect((await api.get(`/contacts/${lead.$id}`)).body).toEqual(res.body)
    expect(await api.eventTypes(lead.$id)).toEqual(['contact.created', 'contact.qualified'])
    const event = (await api.get(`/events?type=contact.qualified`)).body.data[0]
    expect(event).toMatchObject({ verb: 'qualify', entityId: lead.$id, version: 2, data: { stage: 'Qualified' }, after: res.body })
    expect(event.before.stage).toBe('Lead')
  })

  it('qualifies a contact without a stage', async () => {
    const { api } = await createTenant()
    const c = await createContact(api, { name: 'Stageless', email: 'stageless@acme.dev' })
    const res = await api.post(`/contacts/${c.$id}/qualify`)
    expect(res.status).toBe(200)
    expect(res.body.stage).toBe('Qualified')
  })

  it('refuses to qualify twice with 409 invalid_transition', async () => {
    const { api } = await createTenant()
    const lead = await createContact(api, { name: 'Twice', email: 'twice@acme.dev', stage: 'Lead' })
    const first = await api.post(`/contacts/${lead.$id}/qualify`)
    const res = await api.post(`/contacts/${lead.$id}/qualify`)
    expectProblem(res, 409, 'invalid_transition')
    expect((await api.get(`/contacts/${lead.$id}`)).body).toEqual(first.body)
    expect(await api.eventTypes(lead.$id)).toEqual(['contact.created', 'contact.qualified'])
  })

  it('cannot qualify a Customer', async () => {
    const { api } = await createTenant()
    const customer = await createContact(api, { name: 'Paying', email: 'paying@acme.dev', stage: 'Customer' })
    const res = await api.post(`/contacts/${customer.$id}/qualify`)
    expectProblem(res, 409, 'invalid_transition')
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'stage' })])
    expect((await api.get(`/contacts/${customer.$id}`)).body).toEqual(customer)
    expect(await api.eventTypes(customer.$id)).toEqual(['contact.created'])
  })

  it('takes no input fields', async () => {
    const { api } = await createTenant()
    const lead = await createContact(api, { name: 'Input', email: 'input@acme.dev', stage: 'Lead' })
    const res = await api.post(`/contacts/${lead.$id}/qualify`, { stage: 'Customer' })
    expectProblem(res, 422, 'validation_failed')
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'stage' })])
    expect((await api.get(`/contacts/${lead.$id}`)).body.stage).toBe('Lead')
  })
})

describe('Contact assign', () => {
  it('sets the owner and emits contact.assigned', async () => {
    const { api } = await createTenant()
    const owner = await createContact(api, { name: 'Owner' })
    const c = await createContact(api, { name: 'Assignee' })
    const res = await api.post(`/contacts/${c.$id}/assign`, { owner: owner.$id })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ owner: owner.$id, $version: 2 })
    expect((await api.get(`/contacts/${c.$id}`)).body.owner).toBe(owner.$id)
    expect(await api.eventTypes(c.$id)).toEqual(['contact.created', 'contact.assigned'])
  })

  it('requires an owner: 422 naming owner', async () => {
    const { api } = await createTenant()
    const c = await createContact(api, { name: 'Unowned' })
    for (const res of [await api.post(`/contacts/${c.$id}/assign`), await api.post(`/contacts/${c.$id}/assign`, {})]) {
      expectProblem(res, 422, 'validation_failed')
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['owner'])
    }
    expect(await api.eventTypes(c.$id)).toEqual(['contact.created'])
  })

  it('requires the owner to be an existing contact', async () => {
    const { api } = await createTenant()
    const c = await createContact(api, { name: 'Orphan' })
    const gone = await createContact(api, { name: 'Gone' })
    await api.delete(`/contacts/${gone.$id}`)
    for (const owner of ['contact_000000000', gone.$id]) {
      const res = await api.post(`/contacts/${c.$id}/assign`, { owner })
      expectProblem(res, 422, 'validation_failed')
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'owner' })])
    }
    const org = await createOrg(api, { name: 'Not A Person' })
    const wrongNoun = await api.post(`/contacts/${c.$id}/assign`, { owner: org.$id })
    expectProblem(wrongNoun, 422, 'validation_failed')
    expect(wrongNoun.body.errors).toEqual([expect.objectContaining({ path: 'owner' })])
    const got = (await api.get(`/contacts/${c.$id}`)).body
    expect(got).toEqual(c)
    expect(await api.eventTypes(c.$id)).toEqual(['contact.created'])
  })
})

describe('Contact verbs', () => {
  it('answers 404 for an unknown verb', async () => {
    const { api } = await createTenant()
    const c = await createContact(api, { name: 'Verbless' })
    expectProblem(await api.post(`/contacts/${c.$id}/promote`), 404, 'not_found')
    // CRUD verbs have their own methods, not POST /{id}/{verb}
    expectProblem(await api.post(`/contacts/${c.$id}/delete`), 404, 'not_found')
    expectProblem(await api.post(`/contacts/${c.$id}/update`, { title: 'x' }), 404, 'not_found')
    // a collection verb does not run on an instance
    expectProblem(await api.post(`/contacts/${c.$id}/capture`), 404, 'not_found')
    expect((await api.get(`/contacts/${c.$id}`)).body).toEqual(c)
    expect(await domainEvents(api)).toEqual(['contact.created'])
  })

  it('answers 404 for a verb on a contact that does not exist', async () => {
    const { api } = await createTenant()
    expectProblem(await api.post('/contacts/contact_000000000/qualify'), 404, 'not_found')
    expect(await domainEvents(api)).toEqual([])
  })
})

describe('Contact relations', () => {
  it('refuses an organization that does not exist: 422 at path organization', async () => {
    const { api } = await createTenant()
    const res = await api.post('/contacts', { name: 'Dangling', organization: 'organization_000000000' })
    expectProblem(res, 422, 'validation_failed')
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'organization' })])
    expect((await api.get('/contacts')).body.total).toBe(0)
    expect(await domainEvents(api)).toEqual([])
  })

  it('refuses an organization that was deleted, also on PATCH', async () => {
    const { api } = await createTenant()
    const org = await createOrg(api, { name: 'Defunct' })
    const c = await createContact(api, { name: 'Employee' })
    await api.delete(`/organizations/${org.$id}`)
    const res = await api.patch(`/contacts/${c.$id}`, { organization: org.$id })
    expectProblem(res, 422, 'validation_failed')
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'organization' })])
    expect((await api.get(`/contacts/${c.$id}`)).body).toEqual(c)
  })

  it('links to an existing organization and can unlink with null', async () => {
    const { api } = await createTenant()
    const org = await createOrg(api, { name: 'Linked' })
    const c = await createContact(api, { name: 'Linker' })
    const linked = await api.patch(`/contacts/${c.$id}`, { organization: org.$id })
    expect(linked.body.organization).toBe(org.$id)
    const unlinked = await api.patch(`/contacts/${c.$id}`, { organization: null })
    expect(unlinked.status).toBe(200)
    expect(unlinked.body).not.toHaveProperty('organization')
  })
})

describe('Contact email uniqueness', () => {
  it('refuses a second contact with the same email: 409 conflict at path email', async () => {
    const { api } = await createTenant()
    const holder = await createContact(api, { name: 'First', email: 'same@acme.dev' })
    const res = await api.post('/contacts', { name: 'Second', email: 'same@acme.dev' })
    expectProblem(res, 409, 'conflict')
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'email' })])
    const list = await api.get('/contacts')
    expect(list.body.data.map((c: { $id: string }) => c.$id)).toEqual([holder.$id])
    expect(await domainEvents(api)).toEqual(['contact.created'])
  })

  it('refuses a PATCH that takes another contact\'s email', async () => {
    const { api } = await createTenant()
    await createContact(api, { name: 'Holder', email: 'taken@acme.dev' })
    const other = await createContact(api, { name: 'Other', email: 'other@acme.dev' })
    const res = await api.patch(`/contacts/${other.$id}`, { email: 'taken@acme.dev' })
    expectProblem(res, 409, 'conflict')
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'email' })])
    expect((await api.get(`/contacts/${other.$id}`)).body.email).toBe('other@acme.dev')
  })

  it('lets a contact keep its own email on PATCH', async () => {
    const { api } = await createTenant()
    const c = await createContact(api, { name: 'Self', email: 'self@acme.dev' })
    const res = await api.patch(`/contacts/${c.$id}`, { email: 'self@acme.dev', title: 'Same' })
    expect(res.status).toBe(200)
  })

  it('frees the email once the holder is deleted', async () => {
    const { api } = await createTenant()
    const holder = await createContact(api, { name: 'Leaver', email: 'reuse@acme.dev' })
    expect((await api.delete(`/contacts/${holder.$id}`)).status).toBe(204)
    const res = await api.post('/contacts', { name: 'Newcomer', email: 'reuse@acme.dev' })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const list = await api.get('/contacts?email=reuse@acme.dev')
    expect(list.body.data.map((c: { $id: string }) => c.$id)).toEqual([res.body.$id])
  })

  it('frees the email once the holder changes it', async () => {
    const { api } = await createTenant()
    const holder = await createContact(api, { name: 'Mover', email: 'old@acme.dev' })
    await api.patch(`/contacts/${holder.$id}`, { email: 'new@acme.dev' })
    expect((await api.post('/contacts', { name: 'Taker', email: 'old@acme.dev' })).status).toBe(201)
  })
})

describe('Organizations', () => {
  it('support the same CRUD cycle', async () => {
    const { api } = await createTenant()
    const res = await api.post('/organizations', { name: 'Umbrella', domain: 'umbrella.dev', tags: ['bio', 'pharma'], employeeCount: 5000 })
    expect(res.status).toBe(201)
    expect(res.body.$id).toMatch(/^organization_[0-9A-Za-z]{9}$/)
    expect(res.body).toMatchObject({ $type: 'Organization', $version: 1, tags: ['bio', 'pharma'], employeeCount: 5000 })
    const patched = await api.patch(`/organizations/${res.body.$id}`, { tags: ['bio'] })
    expect(patched.body).toMatchObject({ $version: 2, tags: ['bio'] })
    expect((await api.delete(`/organizations/${res.body.$id}`)).status).toBe(204)
    expect(await api.eventTypes(res.body.$id)).toEqual(['organization.created', 'organization.updated', 'organization.deleted'])
  })

  it('keep domains unique', async () => {
    const { api } = await createTenant()
    await createOrg(api, { name: 'One', domain: 'dup.dev' })
    const res = await api.post('/organizations', { name: 'Two', domain: 'dup.dev' })
    expectProblem(res, 409, 'conflict')
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'domain' })])
  })
})
