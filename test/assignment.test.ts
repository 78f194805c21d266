/**
 * Issue 16, ownership and assignment: `assign` by user or by owner contact, "my" lists
 * (`?owner=me`), lead assignment rules as tenant settings (round-robin and rules with a fallback,
 * applied to captured, ingested, imported and API-created leads in the creating transaction), and
 * reminders and nurture notices emailed to the owning user.
 */
import { evictDurableObject } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { callTool, createTenant, expectProblem, readOk, request, tenantApi, type TenantApi } from './helpers'

const BASE = 'http://revline.test'
const DAY_MS = 86_400_000

interface Member {
  user: { $id: string; email: string; contact: string; status: string }
  key: string
  api: TenantApi
}

/** Invites a user (a member unless `role` says otherwise) and issues them a key: they act as themselves. */
async function invite(api: TenantApi, slug: string, name: string, role = 'member'): Promise<Member> {
  const email = `${name.toLowerCase()}@team.dev`
  const created = await api.post('/users', { email, name, role })
  expect(created.status, JSON.stringify(created.body)).toBe(201)
  const key = await api.post(`/users/${created.body.$id}/keys`, { name: `${name}'s key` })
  expect(key.status, JSON.stringify(key.body)).toBe(201)
  return { user: created.body, key: key.body.key, api: tenantApi(slug, key.body.key) }
}

/** Signs a user in by their invitation link (GET the page, POST its form): they become Active. */
async function activate(api: TenantApi, email: string) {
  const message = (await readOk(api, `/messages?to=${encodeURIComponent(email)}&kind=invitation&limit=1`)).data[0]
  const link = new URL(/(https?:\/\/\S+\/auth\/link\?token=[A-Za-z0-9_-]{43})/.exec(String(message.body))![1]!)
  const token = link.searchParams.get('token')!
  const res = await exports.default.fetch(
    new Request(`${BASE}${link.pathname}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE }, body: new URLSearchParams({ token }) }),
  )
  expect(res.status).toBe(303)
}

let ip = 0
/** A public capture from its own client address (the rate limit is per client). */
async function capture(slug: string, body: Record<string, unknown>) {
  const res = await request('POST', `/~${slug}/capture`, { body, headers: { 'cf-connecting-ip': `198.51.100.${(ip++ % 250) + 1}` } })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body as { contact: string; lead: string }
}

const ownerOf = async (api: TenantApi, lead: string) => (await readOk(api, `/leads/${lead}`)).owner as string | undefined

async function putAssignment(api: TenantApi, body: unknown) {
  const res = await api.put('/settings/assignment', body)
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body
}

const paths = (res: { body: { errors?: { path: string }[] } }) => (res.body.errors ?? []).map((e) => e.path)

describe('assign', () => {
  it('takes { user } (the owner becomes that user’s contact) or { owner } on leads, deals, activities and contacts', async () => {
    const { slug, api } = await createTenant('asg')
    const mia = await invite(api, slug, 'Mia')
    const rep = (await api.post('/contacts', { name: 'Rep Contact' })).body
    const lead = (await api.post('/leads', { name: 'Inbound', source: 'website' })).body
    const deal = (await api.post('/deals', { name: 'Big one', stage: 'Prospecting' })).body
    const task = (await api.post('/activities', { subject: 'Call', type: 'Task' })).body
    const person = (await api.post('/contacts', { name: 'Prospect' })).body

    for (const [plural, entity] of [['leads', lead], ['deals', deal], ['activities', task], ['contacts', person]] as const) {
      const byUser = await api.post(`/${plural}/${entity.$id}/assign`, { user: mia.user.$id })
      expect(byUser.status, JSON.stringify(byUser.body)).toBe(200)
      expect(byUser.body.owner).toBe(mia.user.contact)
      const byOwner = await api.post(`/${plural}/${entity.$id}/assign`, { owner: rep.$id, reason: 'covering' })
      expect(byOwner.status, JSON.stringify(byOwner.body)).toBe(200)
      expect(byOwner.body.owner).toBe(rep.$id)
      expect(byOwner.body).not.toHaveProperty('reason')
    }
    const events = (await api.events(`entity=${lead.$id}`)).filter((e) => e.type === 'lead.assigned')
    expect(events.map((e) => e.data)).toEqual([
      { user: mia.user.$id, owner: mia.user.contact },
      { owner: rep.$id, reason: 'covering' },
    ])
    expect(await api.eventTypes(deal.$id)).toContain('deal.assigned')
    expect(await api.eventTypes(task.$id)).toContain('activity.assigned')
    expect(await api.eventTypes(person.$id)).toContain('contact.assigned')

    // A member may assign (it is a write), and the event names them.
    const byMember = await mia.api.post(`/leads/${lead.$id}/assign`, { user: mia.user.$id })
    expect(byMember.status).toBe(200)
    expect((await api.events(`entity=${lead.$id}`)).at(-1)).toMatchObject({ type: 'lead.assigned', actor: mia.user.$id })
  })

  it('refuses none or both of user and owner, an unknown, malformed or deactivated user: 422 naming the field, nothing written', async () => {
    const { slug, api } = await createTenant('asg')
    const mia = await invite(api, slug, 'Mia')
    const gone = await invite(api, slug, 'Gone')
    expect((await api.post(`/users/${gone.user.$id}/deactivate`)).status).toBe(200)
    const lead = (await api.post('/leads', { name: 'Inbound', source: 'website' })).body

    const cases: [unknown, string[]][] = [
      [{}, ['owner']],
      [{ reason: 'no one' }, ['owner']],
      [{ user: mia.user.$id, owner: mia.user.contact }, ['user']],
      [{ user: 'user_000000000' }, ['user']],
      [{ user: 'mia@team.dev' }, ['user']],
      [{ user: mia.user.contact }, ['user']],
      [{ user: gone.user.$id }, ['user']],
      [{ owner: 'contact_000000000' }, ['owner']],
      [{ user: mia.user.$id, extra: 1 }, ['extra']],
    ]
    for (const [body, expected] of cases) {
      const res = await api.post(`/leads/${lead.$id}/assign`, body)
      expectProblem(res, 422, 'validation_failed', JSON.stringify(body))
      expect(paths(res), JSON.stringify(body)).toEqual(expected)
    }
    expect((await api.post(`/leads/${lead.$id}/assign`, { user: gone.user.$id })).body.errors[0].message).toContain('deactivated')
    expect(await api.eventTypes(lead.$id)).toEqual(['lead.created'])
    // Reactivated, they can be assigned again.
    expect((await api.post(`/users/${gone.user.$id}/reactivate`)).status).toBe(200)
    expect((await api.post(`/leads/${lead.$id}/assign`, { user: gone.user.$id })).body.owner).toBe(gone.user.contact)
  })
})

describe('?owner=me', () => {
  it('lists what the calling user owns on leads, deals, activities and contacts; a service key is told it has no user', async () => {
    const { slug, api, key } = await createTenant('me')
    const mia = await invite(api, slug, 'Mia')
    const leo = await invite(api, slug, 'Leo')
    const mine = (await api.post('/leads', { name: 'Mine', source: 'website', owner: mia.user.contact })).body
    await api.post('/leads', { name: 'Leo’s', source: 'website', owner: leo.user.contact })
    await api.post('/leads', { name: 'Nobody’s', source: 'website' })
    const deal = (await api.post('/deals', { name: 'My deal', stage: 'Prospecting', owner: mia.user.contact })).body
    await api.post('/deals', { name: 'Other deal', stage: 'Prospecting', owner: leo.user.contact })
    const task = (await api.post('/activities', { subject: 'My task', type: 'Task', owner: mia.user.contact })).body
    const person = (await api.post('/contacts', { name: 'My prospect', owner: mia.user.contact })).body

    const ids = async (as: TenantApi, path: string) => (await readOk(as, path)).data.map((e: { $id: string }) => e.$id)
    expect(await ids(mia.api, '/leads?owner=me')).toEqual([mine.$id])
    expect(await ids(mia.api, '/deals?owner=me')).toEqual([deal.$id])
    expect(await ids(mia.api, '/activities?owner=me')).toEqual([task.$id])
    expect(await ids(mia.api, '/contacts?owner=me')).toEqual([person.$id])
    expect(await ids(mia.api, `/leads?filter=${encodeURIComponent(JSON.stringify({ owner: 'me' }))}`)).toEqual([mine.$id])
    expect(await ids(leo.api, `/leads?owner[$in]=me,${mia.user.contact}`)).toHaveLength(2)
    expect(await ids(leo.api, '/leads?owner=me')).not.toContain(mine.$id)

    // A service key has no contact: 400 naming the field, with a message that says why.
    const service = tenantApi(slug, key)
    const refused = await service.get('/leads?owner=me')
    expectProblem(refused, 400, 'invalid_query')
    expect(paths(refused)).toEqual(['owner'])
    expect(refused.body.errors[0].message).toMatch(/user/)
    expect(paths(await service.get(`/leads?filter=${encodeURIComponent(JSON.stringify({ 'deal.owner': 'me' }))}`))).toEqual(['deal.owner'])
    // `me` is only a contact: not a name, and not in fields that point elsewhere.
    expect((await readOk(service, '/leads?name=me')).total).toBe(0)
    expectProblem(await mia.api.get('/leads?deal=me'), 400, 'invalid_query')

    // MCP search takes it too.
    const found = await callTool(slug, mia.key, 'search', { type: 'Lead', filter: { owner: 'me' } })
    expect(found.isError, JSON.stringify(found.body)).toBe(false)
    expect(found.body.data.map((e: { $id: string }) => e.$id)).toEqual([mine.$id])
    expect((await callTool(slug, key, 'search', { type: 'Lead', filter: { owner: 'me' } })).isError).toBe(true)
  })
})

describe('PUT /settings/assignment', () => {
  it('saves round-robin or rules with users by id or email (kept as ids); admins only, 403 before validation', async () => {
    const { slug, api } = await createTenant('set')
    const mia = await invite(api, slug, 'Mia')
    const leo = await invite(api, slug, 'Leo', 'admin')
    expect((await readOk(api, '/settings/assignment')).data).toEqual({ strategy: 'none' })

    const saved = await putAssignment(api, { strategy: 'round-robin', users: [mia.user.$id, 'LEO@team.dev'] })
    expect(saved.data).toEqual({ strategy: 'round-robin', users: [mia.user.$id, leo.user.$id] })
    expect((await readOk(api, '/settings/assignment')).data).toEqual(saved.data)
    const rules = await putAssignment(api, { strategy: 'rules', rules: [{ when: { source: 'website', budget: { $gte: 10_000 } }, user: leo.user.$id }] })
    expect(rules.data).toEqual({ strategy: 'rules', rules: [{ when: { source: 'website', budget: { $gte: 10_000 } }, user: leo.user.$id }], fallback: { strategy: 'none' } })
    expect((await api.events('type=settings.updated')).length).toBe(2)

    expectProblem(await mia.api.put('/settings/assignment', { strategy: 'nonsense' }), 403, 'forbidden')
    expectProblem(await mia.api.get('/settings/assignment'), 403, 'forbidden')
  })

  it('refuses unknown, deactivated and repeated users, bad filters and shapes: 422 naming the field', async () => {
    const { slug, api } = await createTenant('set')
    const mia = await invite(api, slug, 'Mia')
    const gone = await invite(api, slug, 'Gone')
    await api.post(`/users/${gone.user.$id}/deactivate`)
    const cases: [unknown, string[]][] = [
      [{ strategy: 'round-robin', users: [mia.user.$id, 'user_000000000'] }, ['assignment.users.1']],
      [{ strategy: 'round-robin', users: ['nobody@team.dev'] }, ['assignment.users.0']],
      [{ strategy: 'round-robin', users: [gone.user.$id] }, ['assignment.users.0']],
      [{ strategy: 'round-robin', users: [mia.user.$id, 'mia@team.dev'] }, ['assignment.users.1']],
      [{ strategy: 'round-robin', users: [] }, ['assignment.users']],
      [{ strategy: 'round-robin' }, ['assignment.users']],
      [{ strategy: 'sometimes' }, ['assignment.strategy']],
      [{ strategy: 'rules', rules: [{ when: { nope: 1 }, user: mia.user.$id }] }, ['assignment.rules.0.when.nope']],
      [{ strategy: 'rules', rules: [{ when: { budget: { $gte: 'lots' } }, user: mia.user.$id }] }, ['assignment.rules.0.when.budget.$gte']],
      [{ strategy: 'rules', rules: [{ when: { owner: 'me' }, user: mia.user.$id }] }, ['assignment.rules.0.when.owner']],
      [{ strategy: 'rules', rules: [{ when: {}, user: gone.user.$id }] }, ['assignment.rules.0.user']],
      [{ strategy: 'rules', rules: [{ when: {} }] }, ['assignment.rules.0.user']],
      [{ strategy: 'rules', rules: [{ when: {}, user: mia.user.$id }], fallback: { strategy: 'round-robin', users: ['who@team.dev'] } }, ['assignment.fallback.users.0']],
      [{ strategy: 'round-robin', users: [mia.user.$id], extra: true }, ['assignment.extra']],
    ]
    for (const [body, expected] of cases) {
      const res = await api.put('/settings/assignment', body)
      expectProblem(res, 422, 'validation_failed', JSON.stringify(body))
      expect(paths(res), JSON.stringify(body)).toEqual(expected)
    }
    expect((await readOk(api, '/settings/assignment')).data).toEqual({ strategy: 'none' })
  })

  it('travels in the manifest by email, so another tenant with the same people takes it; a schema change may not break a rule', async () => {
    const a = await createTenant('man')
    const b = await createTenant('man')
    const miaA = await invite(a.api, a.slug, 'Mia')
    await putAssignment(a.api, { strategy: 'rules', rules: [{ when: { source: 'referral' }, user: miaA.user.$id }], fallback: { strategy: 'round-robin', users: [miaA.user.$id] } })
    const manifest = await readOk(a.api, '/manifest')
    expect(manifest.settings.assignment).toEqual({ strategy: 'rules', rules: [{ when: { source: 'referral' }, user: 'mia@team.dev' }], fallback: { strategy: 'round-robin', users: ['mia@team.dev'] } })

    const missing = await b.api.put('/manifest', manifest)
    expectProblem(missing, 422, 'validation_failed')
    expect(paths(missing)).toEqual(['settings.assignment.rules.0.user', 'settings.assignment.fallback.users.0'])
    const miaB = await invite(b.api, b.slug, 'Mia')
    expect((await b.api.put('/manifest', manifest)).status).toBe(200)
    expect((await readOk(b.api, '/settings/assignment')).data.rules[0].user).toBe(miaB.user.$id)
    expect((await readOk(b.api, '/manifest')).settings.assignment).toEqual(manifest.settings.assignment)

    // A rule on the tenant's own field holds that field in place.
    expect((await a.api.put('/nouns/Lead', { tier: 'Gold | Silver' })).status).toBe(200)
    await putAssignment(a.api, { strategy: 'rules', rules: [{ when: { tier: 'Gold' }, user: miaA.user.$id }] })
    const dropped = await a.api.put('/nouns/Lead', {})
    expectProblem(dropped, 409, 'schema_conflict')
    expect(paths(dropped)).toContain('settings.assignment.rules.0.when.tier')
  })
})

describe('round-robin assignment', () => {
  it('rotates captured, ingested, imported and API-created leads fairly, skips deactivated users, and keeps its turn across a restart', async () => {
    const { slug, api } = await createTenant('rr')
    const [ann, ben, cat] = [await invite(api, slug, 'Ann'), await invite(api, slug, 'Ben'), await invite(api, slug, 'Cat')]
    await putAssignment(api, { strategy: 'round-robin', users: [ann.user.$id, ben.user.$id, cat.user.$id] })
    const contacts = { ann: ann.user.contact, ben: ben.user.contact, cat: cat.user.contact }
    const who = (owner: string | undefined) => Object.entries(contacts).find(([, c]) => c === owner)?.[0] ?? 'nobody'

    // Captures: Ann, Ben, Cat, Ann. Each assignment is its own event, caused by the lead's creation.
    const captured = []
    for (let i = 0; i < 4; i++) captured.push(await capture(slug, { email: `visitor${i}@buyer.dev`, name: `Visitor ${i}` }))
    expect(await Promise.all(captured.map(async (c) => who(await ownerOf(api, c.lead))))).toEqual(['ann', 'ben', 'cat', 'ann'])
    const events = await api.events(`entity=${captured[0]!.lead}`)
    const [createdEvent, assigned] = [events.find((e) => e.type === 'lead.created'), events.find((e) => e.type === 'lead.assigned')]
    expect(assigned).toMatchObject({ cause: createdEvent.id, actorRole: 'public', data: { user: ann.user.$id, owner: ann.user.contact, reason: 'round-robin' } })
    expect(assigned.requestId).toBe(createdEvent.requestId)

    // The turn survives the object's restart: it is read from the event log.
    await evictDurableObject(env.TENANT.getByName(slug))
    // Ingested through a signed source: Ben.
    const source = (await api.post('/sources', { name: 'Forms', mapping: { email: 'email', name: 'name' } })).body
    const id = `msg_${Date.now().toString(36)}`
    const at = new Date()
    const body = JSON.stringify({ email: 'ingested@buyer.dev', name: 'Ingested' })
    const ingested = await request('POST', `/~${slug}/sources/${source.id}/ingest`, {
      body,
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(source.secret).sign(id, at, body) },
    })
    expect(ingested.status, JSON.stringify(ingested.body)).toBe(201)
    expect(who(await ownerOf(api, ingested.body.lead))).toBe('ben')

    // Ben leaves: the rotation skips him. Imported leads: Cat, Ann, Cat, Ann; one with an owner keeps it.
    await api.post(`/users/${ben.user.$id}/deactivate`)
    const csv = ['name,source,owner', 'I1,import,', 'I2,import,', `Owned,import,${ben.user.contact}`, 'I3,import,', 'I4,import,'].join('\n')
    const imported = await api.post('/leads/import', csv, { headers: { 'content-type': 'text/csv' } })
    expect(imported.body, JSON.stringify(imported.body)).toMatchObject({ created: 5, rejected: 0 })
    const rows = (await readOk(api, '/leads?source=import&sort=$createdAt&limit=10')).data
    expect(Object.fromEntries(rows.map((l: { name: string; owner?: string }) => [l.name, who(l.owner)]))).toEqual({ I1: 'cat', I2: 'ann', Owned: 'ben', I3: 'cat', I4: 'ann' })

    // Created over the API without an owner: assigned too (Cat); with one: left alone, no assignment event.
    const viaApi = (await api.post('/leads', { name: 'API lead', source: 'api' })).body
    expect(who(viaApi.owner)).toBe('cat')
    const given = (await api.post('/leads', { name: 'Given', source: 'api', owner: ann.user.contact })).body
    expect(await api.eventTypes(given.$id)).toEqual(['lead.created'])

    // Nobody left: the lead stays unassigned, and nothing else changes.
    await api.post(`/users/${ann.user.$id}/deactivate`)
    await api.post(`/users/${cat.user.$id}/deactivate`)
    const orphan = await capture(slug, { email: 'orphan@buyer.dev' })
    expect(await ownerOf(api, orphan.lead)).toBeUndefined()
    expect(await api.eventTypes(orphan.lead)).not.toContain('lead.assigned')
  })

  it('a refused capture assigns nobody and moves no turn', async () => {
    const { slug, api } = await createTenant('rr')
    const [ann, ben] = [await invite(api, slug, 'Ann'), await invite(api, slug, 'Ben')]
    await putAssignment(api, { strategy: 'round-robin', users: [ann.user.$id, ben.user.$id] })
    const bad = await request('POST', `/~${slug}/capture`, { body: { email: 'not-an-email' }, headers: { 'cf-connecting-ip': '192.0.2.77' } })
    expect(bad.status).toBe(422)
    const first = await capture(slug, { email: 'first@buyer.dev' })
    expect(await ownerOf(api, first.lead)).toBe(ann.user.contact)
  })
})

describe('rule assignment', () => {
  it('gives a lead to the first matching rule’s user (relation paths too), else to the fallback in turn; a deactivated rule user is passed over', async () => {
    const { slug, api } = await createTenant('rules')
    const [big, ref, f1, f2] = [await invite(api, slug, 'Big'), await invite(api, slug, 'Ref'), await invite(api, slug, 'Fone'), await invite(api, slug, 'Ftwo')]
    await putAssignment(api, {
      strategy: 'rules',
      rules: [
        { when: { source: 'website', budget: { $gte: 10_000 } }, user: big.user.$id },
        { when: { 'contact.email': { $contains: '@partner.dev' } }, user: ref.user.$id },
      ],
      fallback: { strategy: 'round-robin', users: [f1.user.$id, f2.user.$id] },
    })
    const large = await capture(slug, { email: 'cfo@bigco.dev', source: 'website', budget: 50_000 })
    const partner = await capture(slug, { email: 'ally@partner.dev', source: 'referral' })
    const small1 = await capture(slug, { email: 'one@small.dev', source: 'website', budget: 500 })
    const small2 = await capture(slug, { email: 'two@small.dev', source: 'website' })
    expect(await ownerOf(api, large.lead)).toBe(big.user.contact)
    expect(await ownerOf(api, partner.lead)).toBe(ref.user.contact)
    expect(await ownerOf(api, small1.lead)).toBe(f1.user.contact)
    expect(await ownerOf(api, small2.lead)).toBe(f2.user.contact)
    const reasons = async (lead: string) => (await api.events(`entity=${lead}&type=lead.assigned`)).map((e) => e.data.reason)
    expect([...(await reasons(large.lead)), ...(await reasons(partner.lead)), ...(await reasons(small1.lead))]).toEqual(['rules[0]', 'rules[1]', 'round-robin'])

    // Rule users do not take fallback turns; a deactivated rule user is passed over to the fallback.
    await api.post(`/users/${big.user.$id}/deactivate`)
    const large2 = await capture(slug, { email: 'ceo@bigco.dev', source: 'website', budget: 90_000 })
    expect(await ownerOf(api, large2.lead)).toBe(f1.user.contact)
  })

  it('with no fallback, a lead no rule takes stays unassigned', async () => {
    const { slug, api } = await createTenant('rules')
    const big = await invite(api, slug, 'Big')
    await putAssignment(api, { strategy: 'rules', rules: [{ when: { budget: { $gte: 10_000 } }, user: big.user.$id }] })
    const small = await capture(slug, { email: 'small@buyer.dev', budget: 100 })
    expect(await ownerOf(api, small.lead)).toBeUndefined()
    expect(await api.eventTypes(small.lead)).not.toContain('lead.assigned')
  })
})

describe('owner emails', () => {
  /** Runs a job in the tenant object as the queue consumer would. */
  const runJob = async (job: Record<string, unknown>) => {
    const outcome = (await env.TENANT.getByName(String(job.tenant)).runJob(job as never)) as { ok: boolean }
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true)
  }

  it('reminders go to the owning user’s email (not the contact’s), none to a deactivated user; once a day', async () => {
    const { slug, api } = await createTenant('mail')
    const mia = await invite(api, slug, 'Mia')
    await activate(api, mia.user.email)
    const gone = await invite(api, slug, 'Gone')
    await activate(api, gone.user.email)
    await api.post(`/users/${gone.user.$id}/deactivate`)
    // Mia's contact record carries another address: the user's is the one that counts.
    await api.patch(`/contacts/${mia.user.contact}`, { email: 'mia.personal@home.dev' })
    const yesterday = new Date(Date.now() - DAY_MS).toISOString()
    const task = (await api.post('/activities', { subject: 'Call back', type: 'Task', dueAt: yesterday, owner: mia.user.contact })).body
    const orphaned = (await api.post('/activities', { subject: 'Left behind', type: 'Task', dueAt: yesterday, owner: gone.user.contact })).body

    const day = new Date().toISOString().slice(0, 10)
    const job = { type: 'reminders', tenant: slug, runId: `reminders:${day}`, day }
    await runJob(job)
    await runJob(job)
    const reminders = (await readOk(api, '/messages?kind=reminder')).data
    expect(reminders).toHaveLength(1)
    expect(reminders[0]).toMatchObject({ to: mia.user.email, activity: task.$id, status: 'Sent', contact: mia.user.contact })
    // Both owners still get the in-app notification.
    expect((await readOk(api, `/notifications?activity=${orphaned.$id}`)).total).toBe(1)
  })

  it('a nurture notice is emailed to the owning user when they are active (kind notification), once per stage entry', async () => {
    const { slug, api } = await createTenant('mail')
    const mia = await invite(api, slug, 'Mia')
    const customer = (await api.post('/contacts', { name: 'Alice Chen', email: 'alice@acme.dev' })).body
    const deal = (await api.post('/deals', { name: 'Acme Expansion', stage: 'Prospecting', contact: customer.$id })).body
    expect((await api.post(`/deals/${deal.$id}/assign`, { user: mia.user.$id })).status).toBe(200)

    // Invited, not yet signed in: the notification only.
    await api.post(`/deals/${deal.$id}/advance`, { stage: 'Qualification' })
    const first = (await api.events(`entity=${deal.$id}&type=deal.advanced`)).at(-1)
    await runJob({ type: 'nurture', tenant: slug, event: first.id, deal: deal.$id, stage: 'Qualification' })
    expect((await readOk(api, '/messages?kind=notification')).total).toBe(0)
    expect((await readOk(api, `/notifications?recipient=${mia.user.contact}`)).total).toBe(1)

    await activate(api, mia.user.email)
    await api.post(`/deals/${deal.$id}/advance`, { stage: 'Proposal' })
    const second = (await api.events(`entity=${deal.$id}&type=deal.advanced`)).at(-1)
    const job = { type: 'nurture', tenant: slug, event: second.id, deal: deal.$id, stage: 'Proposal' }
    await runJob(job)
    await runJob(job)
    const notices = (await readOk(api, '/messages?kind=notification')).data
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatchObject({ to: mia.user.email, subject: 'Acme Expansion entered Proposal', status: 'Sent', cause: second.id, deal: deal.$id })
    // The customer's nurture email is unchanged.
    expect((await readOk(api, '/messages?kind=nurture')).data.map((m: { to: string }) => m.to)).toEqual(['alice@acme.dev', 'alice@acme.dev'])
  })
})
