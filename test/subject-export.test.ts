/**
 * Subject access (GDPR art. 15): `GET /contacts/{id}/export` answers everything held about the person
 * behind a contact, and nothing of anyone else's, with every event of their records in log order and
 * the chain head the auditor checks against `/events/verify`. Bulk exports carry the head too.
 */
import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { nouns } from '../src/domain/nouns'
import { PERSON_LINKS } from '../src/domain/person-links'
import { createOk as create, createTenant, expectProblem, issueKey, readOk as read, request, storeIn, tenantApi, type TenantApi } from './helpers'

const HEX64 = /^[0-9a-f]{64}$/

async function allEvents(api: TenantApi): Promise<any[]> {
  const out: any[] = []
  for (let after = 0; ; ) {
    const page = await read(api, `/events?limit=500&after=${after}`)
    out.push(...page.data)
    if (!page.next) return out
    after = Number(page.next)
  }
}

async function ok(promise: Promise<{ status: number; body: any }>) {
  const res = await promise
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body
}

async function captured(slug: string, body: Record<string, unknown>): Promise<{ contact: string; lead: string }> {
  const res = await request('POST', `/~${slug}/capture`, { body })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

const ids = async (api: TenantApi, path: string): Promise<string[]> => (await read(api, path)).data.map((e: { $id: string }) => e.$id)

/**
 * A person with most of what a tenant can hold about someone: captured (contact, lead, score, form
 * note), converted (deal, tracked event), won (customer, subscription, stage note, onboarding task),
 * a proposal and its contract, a call, a deleted note, a message and a billing customer that only
 * copy the email (in another case), a rep's notification about the deal, an earlier duplicate
 * merged in, and records of the tenant's own noun (hers, and one she is among the sitters of). Answers the ids the export must list.
 */
async function person(slug: string, api: TenantApi, rep: string) {
  expect((await api.put('/nouns/Pet', { name: 'string!', keeper: '-> Contact.pets', sitters: '-> Contact[]' })).status).toBe(201)
  const { contact, lead } = await captured(slug, { email: 'alice@acme.dev', name: 'Alice Chen', budget: 20_000 })
  await ok(api.post(`/leads/${lead}/assign`, { owner: rep }))
  const converted = await ok(api.post(`/leads/${lead}/convert`))
  const deal = converted.deal as string
  const proposal = await create(api, 'proposals', { deal, tier: 'warrior' })
  const contract = await create(api, 'contracts', { proposal: proposal.$id })
  await ok(api.post(`/contracts/${contract.$id}/send`))
  await ok(api.post(`/contracts/${contract.$id}/sign`, { signedBy: 'Alice Chen' }))
  await create(api, 'activities', { subject: 'Intro call', type: 'Call', contact })
  const note = await create(api, 'activities', { subject: 'Scratch note', type: 'Note', lead })
  expect((await api.delete(`/activities/${note.$id}`)).status).toBe(204)
  const notification = await create(api, 'notifications', { recipient: rep, title: 'Deal won', deal })
  const byLink = await create(api, 'messages', { to: 'alice@acme.dev', subject: 'Welcome', contact })
  const byEmail = await create(api, 'messages', { to: 'Alice@ACME.dev', subject: 'Receipt' })
  const billing = await create(api, 'customers', { name: 'Alice (billing)', email: 'ALICE@acme.dev' })
  const duplicate = await create(api, 'contacts', { name: 'A. Chen', email: 'achen@old.dev' })
  const oldMessage = await create(api, 'messages', { to: 'achen@old.dev', subject: 'Old newsletter' })
  await ok(api.post(`/contacts/${contact}/merge`, { from: duplicate.$id }))
  const pet = await create(api, 'pets', { name: 'Rex', keeper: contact })
  const sat = await create(api, 'pets', { name: 'Kitty', keeper: rep, sitters: [rep, contact] })

  const customers = await ids(api, `/customers?contact=${contact}`)
  expect(customers).toHaveLength(1)
  const expected: Record<string, string[]> = {
    contacts: [duplicate.$id],
    leads: [lead],
    deals: [deal],
    activities: [...new Set([...(await ids(api, `/activities?contact=${contact}&limit=200`)), ...(await ids(api, `/activities?deal=${deal}&limit=200`)), note.$id])],
    'lead-scores': await ids(api, `/lead-scores?lead=${lead}`),
    proposals: [proposal.$id],
    contracts: [contract.$id],
    customers: [...customers, billing.$id],
    subscriptions: await ids(api, `/subscriptions?customer=${customers[0]}`),
    messages: [byLink.$id, byEmail.$id, oldMessage.$id],
    notifications: [notification.$id],
    'tracked-events': await ids(api, `/tracked-events?lead=${lead}`),
    users: [],
    pets: [pet.$id, sat.$id],
  }
  expect(expected['lead-scores']!.length).toBeGreaterThan(0)
  expect(expected.subscriptions).toHaveLength(1)
  expect(expected['tracked-events']!.length).toBeGreaterThan(0)
  return { contact, lead, deal, expected }
}

async function exported(api: TenantApi, contact: string) {
  const res = await api.get(`/contacts/${contact}/export`)
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res
}

describe('GET /contacts/{id}/export', () => {
  it('holds exactly the person’s records, every event of them in log order, and the chain head /events/verify answers', async () => {
    const { slug, api } = await createTenant('subject')
    const rep = await create(api, 'contacts', { name: 'Rob Rep', email: 'rob@team.dev' })
    const alice = await person(slug, api, rep.$id)
    // Another person of the same tenant, with records of the same kinds.
    const bob = await captured(slug, { email: 'bob@other.dev', name: 'Bob Other' })
    await ok(api.post(`/leads/${bob.lead}/convert`))
    await create(api, 'messages', { to: 'bob@other.dev', subject: 'Hi Bob', contact: bob.contact })
    await create(api, 'pets', { name: 'Tom', keeper: bob.contact })
    await create(api, 'notifications', { recipient: bob.contact, title: 'For Bob' })
    // Someone in another tenant with Alice's email.
    const other = await createTenant('subject-other')
    await captured(other.slug, { email: 'alice@acme.dev', name: 'Alice Elsewhere' })

    const res = await exported(api, alice.contact)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${alice.contact}.json"`)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const doc = res.body

    // The head: what /events/verify recomputes, and the newest event of the log.
    const log = await allEvents(api)
    const verified = await read(api, '/events/verify')
    expect(verified.ok).toBe(true)
    expect(doc.chainHead).toEqual({ seq: log.at(-1).seq, hash: verified.head })
    expect(res.headers.get('revline-chain-head')).toBe(`${doc.chainHead.seq}:${verified.head}`)
    expect(doc.tenant).toEqual({ slug, name: `Tenant ${slug}` })
    expect(doc.subject).toBe(alice.contact)
    expect(Date.parse(doc.exportedAt)).not.toBeNaN()

    // The contact as it is now, its history as /history answers it.
    expect(doc.contact).toEqual(await read(api, `/contacts/${alice.contact}`))
    expect(doc.history).toEqual((await read(api, `/contacts/${alice.contact}/history`)).data)

    // Exactly the person's records, each as it is now (the deleted note and the merged duplicate too).
    const related = Object.fromEntries(Object.entries(doc.related as Record<string, any[]>).map(([collection, list]) => [collection, list.map((e) => e.$id).sort()]))
    expect(related).toEqual(Object.fromEntries(Object.entries(alice.expected).map(([collection, list]) => [collection, [...list].sort()])))
    for (const [collection, list] of Object.entries(doc.related as Record<string, any[]>))
      for (const record of list) if (!record.$deletedAt) expect(record, collection).toEqual(await read(api, `/${collection}/${record.$id}`))
    const deletedNote = doc.related.activities.find((a: any) => a.subject === 'Scratch note')
    expect(deletedNote.$deletedAt).toBeDefined()
    expect(doc.related.contacts[0]).toMatchObject({ mergedInto: alice.contact, $deletedAt: expect.any(String) })
    expect(doc.counts).toEqual({ history: doc.history.length, events: doc.events.length, related: Object.fromEntries(Object.entries(alice.expected).map(([c, list]) => [c, list.length])) })

    // Nothing of Bob, the rep's own records or the other tenant.
    const text = JSON.stringify(doc)
    for (const foreign of [bob.contact, bob.lead, 'bob@other.dev', 'Alice Elsewhere', 'Rob Rep']) expect(text).not.toContain(foreign)

    // Every event of those records (and only those), in seq order, as /events serves them.
    const mine = new Set([alice.contact, ...Object.values(alice.expected).flat()])
    expect(doc.events).toEqual(log.filter((e) => mine.has(e.entityId)))
    const seqs = doc.events.map((e: any) => e.seq)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    for (const event of doc.events) {
      expect(event.hash).toMatch(HEX64)
      expect(event.prevHash).toMatch(HEX64)
    }
    expect(doc.events.map((e: any) => e.type)).toEqual(expect.arrayContaining(['contact.captured', 'lead.converted', 'deal.won', 'customer.created', 'subscription.created', 'contract.signed', 'activity.deleted', 'pet.created']))
  }, 120_000)

  it('exports a soft-deleted contact too, and from a merged duplicate reaches the contact it was merged into', async () => {
    const { api } = await createTenant('subject-deleted')
    const survivor = await create(api, 'contacts', { name: 'Alice Chen', email: 'alice@acme.dev' })
    const duplicate = await create(api, 'contacts', { name: 'A. Chen', email: 'achen@old.dev' })
    await ok(api.post(`/contacts/${survivor.$id}/merge`, { from: duplicate.$id }))
    const doc = (await exported(api, duplicate.$id)).body
    expect(doc.contact).toMatchObject({ $id: duplicate.$id, mergedInto: survivor.$id, $deletedAt: expect.any(String) })
    expect(doc.history.at(-1).type).toBe('contact.deleted')
    expect(doc.related.contacts.map((c: any) => c.$id)).toEqual([survivor.$id])
  })

  it('pages a person with thousands of records and events into one document, in order', async () => {
    const { api } = await createTenant('subject-many')
    const contact = await create(api, 'contacts', { name: 'Busy Person', email: 'busy@acme.dev' })
    const rows = Array.from({ length: 1_200 }, (_, i) => JSON.stringify({ subject: `Call ${i}`, type: 'Call', contact: contact.$id })).join('\n')
    const imported = await api.post('/activities/import', rows, { headers: { 'content-type': 'application/x-ndjson' } })
    expect(imported.status, JSON.stringify(imported.body)).toBe(200)
    expect(imported.body.created).toBe(1_200)
    const doc = (await exported(api, contact.$id)).body
    expect(doc.related.activities).toHaveLength(1_200)
    // In creation order ($createdAt, then $id: one import batch shares its instant), as lists are.
    expect(doc.related.activities.map((a: any) => a.subject).sort()).toEqual(Array.from({ length: 1_200 }, (_, i) => `Call ${i}`).sort())
    const order = doc.related.activities.map((a: any) => `${a.$createdAt} ${a.$id}`)
    expect(order).toEqual([...order].sort())
    expect(doc.events).toHaveLength(1_201)
    expect(doc.counts).toMatchObject({ events: 1_201, history: 1, related: { activities: 1_200 } })
    const seqs = doc.events.map((e: any) => e.seq)
    expect(new Set(seqs).size).toBe(seqs.length)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
  }, 120_000)

  it('is for admins: 401 without a key, 403 for a member (before the id is looked at)', async () => {
    const { slug, key, api } = await createTenant('subject-auth')
    const contact = await create(api, 'contacts', { name: 'Alice', email: 'alice@acme.dev' })
    expectProblem(await tenantApi(slug, null).get(`/contacts/${contact.$id}/export`), 401, 'unauthorized')
    const member = await issueKey(slug, key, 'member')
    expectProblem(await member.api.get(`/contacts/${contact.$id}/export`), 403, 'forbidden')
    expectProblem(await member.api.get('/contacts/not-an-id/export'), 403, 'forbidden')
    expectProblem(await member.api.get(`/contacts/${contact.$id}/export?x=1`), 403, 'forbidden')
  })

  it('answers 404 for an unknown id, an id that is not a contact’s and another tenant’s contact', async () => {
    const { api } = await createTenant('subject-404')
    const other = await createTenant('subject-404-other')
    const theirs = await create(other.api, 'contacts', { name: 'Theirs', email: 'alice@acme.dev' })
    const lead = await create(api, 'leads', { name: 'L', source: 'website' })
    expectProblem(await api.get('/contacts/contact_AAAAAAAAA/export'), 404, 'not_found')
    expectProblem(await api.get(`/contacts/${lead.$id}/export`), 404, 'not_found')
    expectProblem(await api.get(`/contacts/${theirs.$id}/export`), 404, 'not_found')
    expectProblem(await api.get(`/leads/${lead.$id}/export`), 404, 'not_found')
    expectProblem(await api.get(`/contacts/${theirs.$id}/export?format=csv`), 400, 'invalid_query')
  })

  it('does not shadow the bulk export of contacts', async () => {
    const { api } = await createTenant('subject-bulk')
    await create(api, 'contacts', { name: 'Alice', email: 'alice@acme.dev' })
    const res = await api.get('/contacts/export')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/x-ndjson')
  })
})

describe('GET /{collection}/export', () => {
  it('says where the hash chain stood in Revline-Chain-Head, as /events/verify gives it', async () => {
    const { api } = await createTenant('chain-head')
    const empty = await api.get('/deals/export')
    for (const name of ['Alice', 'Bob']) await create(api, 'contacts', { name })
    const res = await api.get('/contacts/export?format=csv')
    expect(res.status).toBe(200)
    const verified = await read(api, '/events/verify')
    const log = await allEvents(api)
    expect(res.headers.get('revline-chain-head')).toBe(`${log.at(-1).seq}:${verified.head}`)
    // Taken earlier, the head is an earlier event of the same log, with its hash then.
    const [seq, hash] = empty.headers.get('revline-chain-head')!.split(':')
    expect(log.find((e) => e.seq === Number(seq)).hash).toBe(hash)
    expect(Number(seq)).toBeLessThan(log.at(-1).seq)
  })
})

describe('The person links (src/domain/person-links.ts)', () => {
  it('are followed through indexes (live rows: relation indexes; soft-deleted: the log’s type index); only email copies without one are scanned', async () => {
    const { slug, api } = await createTenant('subject-plans')
    const contact = await create(api, 'contacts', { name: 'Alice', email: 'alice@acme.dev' })
    const lead = await create(api, 'leads', { name: 'L', source: 'website', contact: contact.$id })
    const plans = await runInDurableObject(env.TENANT.getByName(slug), async (_instance, state) => {
      const { personRecords } = await import('../src/durable/person-records')
      const recorded: { statement: string; params: SqlStorageValue[] }[] = []
      const sql = state.storage.sql
      const recording = Object.create(sql, {
        exec: { value: (statement: string, ...params: SqlStorageValue[]) => (recorded.push({ statement, params }), sql.exec(statement, ...params)) },
      }) as SqlStorage
      const { store } = await storeIn(state, recording)
      const records = personRecords(store, contact.$id)
      expect([records.get('Contact'), records.get('Lead')]).toEqual([[contact.$id], [lead.$id]])
      return recorded.map((r) => ({ statement: r.statement, plan: sql.exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${r.statement}`, ...r.params).toArray().map((row) => row.detail) }))
    })
    expect(plans.length).toBeGreaterThan(20)
    const scanned = plans.flatMap(({ plan }) => plan.flatMap((detail) => /^SCAN (\w+)$/.exec(detail)?.[1] ?? []))
    expect([...new Set(scanned)].sort()).toEqual(['customers', 'messages'])
    for (const { statement, plan } of plans.filter((p) => p.statement.includes('deleted_at" is not null')))
      expect(plan.join(' | '), statement).toContain('USING INDEX events_type_idx')
  })


  it('name relations and email fields the built-in nouns have', () => {
    for (const [name, links] of Object.entries(PERSON_LINKS)) {
      const noun = nouns.byName(name)!
      expect(noun, name).toBeDefined()
      for (const link of links) {
        if ('from' in link) expect(noun.fields[link.field], `${name}.${link.field}`).toMatchObject({ kind: 'relation', target: link.from })
        else if ('pointedBy' in link) expect(nouns.byName(link.pointedBy)!.fields[link.field], `${link.pointedBy}.${link.field}`).toMatchObject({ kind: 'relation', target: name })
        else if (!link.whenDeclared) expect(noun.fields[link.email], `${name}.${link.email}`).toMatchObject({ kind: 'scalar', type: 'email', list: false })
      }
    }
  })
})
