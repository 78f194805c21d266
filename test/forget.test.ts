/**
 * The right to be forgotten: `POST /contacts/{id}/forget` erases a person's personal data from every
 * read (the records, their history and asOf, `/events`, search, the stored rows and log columns
 * themselves) while business facts stay, the log stays append-only and its chain still verifies.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, createOk, createTenant, expectProblem, issueKey, ok, request, tenantApi, type TenantApi } from './helpers'

const ADA = ['Ada Lovelace', 'ada@engines.dev', '+44 20 7946 0018', 'Countess of Lovelace', 'Ada said the engine could compose music', 'analytical-engine-fan']
const GRACE = ['Grace Hopper', 'grace@navy.dev']

async function allEvents(api: TenantApi): Promise<any[]> {
  const out: any[] = []
  for (let after = 0; ; ) {
    const page = await ok(api.get(`/events?limit=500&after=${after}`))
    out.push(...page.data)
    if (!page.next) return out
    after = Number(page.next)
  }
}

/** Ada with a lead, a won deal (a billing customer and a contract copy her name and email), an activity, a tracked event; and Grace. */
async function twoPeople(api: TenantApi) {
  const ada = await createOk(api, 'contacts', { name: ADA[0], email: ADA[1], phone: ADA[2], title: ADA[3], stage: 'Qualified', source: 'referral' })
  const lead = await createOk(api, 'leads', { name: ADA[0], contact: ada.$id, source: 'website', budget: 12_000, need: ADA[4], status: 'Qualified' })
  const converted = await ok(api.post(`/leads/${lead.$id}/convert`))
  const deal = converted.deal as string
  await ok(api.patch(`/deals/${deal}`, { value: 12_000 }))
  const proposal = await createOk(api, 'proposals', { deal, tier: 'warrior' })
  const contract = await createOk(api, 'contracts', { proposal: proposal.$id, deal })
  await ok(api.post(`/contracts/${contract.$id}/send`))
  await ok(api.post(`/contracts/${contract.$id}/sign`, { signedBy: ADA[0] }))
  const activity = await createOk(api, 'activities', { subject: `Call ${ADA[0]}`, type: 'Call', contact: ada.$id, body: ADA[4] })
  const tracked = await createOk(api, 'tracked-events', { name: 'page_view', contact: ada.$id, properties: { handle: ADA[5] } })
  const grace = await createOk(api, 'contacts', { name: GRACE[0], email: GRACE[1] })
  await createOk(api, 'leads', { name: GRACE[0], contact: grace.$id, source: 'event' })
  return { ada, lead, deal, contract, activity, tracked, grace }
}

const mentionsAda = (value: unknown) => ADA.filter((text) => JSON.stringify(value).includes(text))

describe('forgetting a person', () => {
  it('erases their personal data from every read, keeps business facts, and the chain still verifies', async () => {
    const { slug, api } = await createTenant('forget')
    const { ada, lead, deal, contract, activity, tracked, grace } = await twoPeople(api)
    const customers = (await ok(api.get(`/customers?contact=${ada.$id}`))).data
    expect(customers).toHaveLength(1)
    expect(mentionsAda(customers)).not.toEqual([])
    const dealBefore = await ok(api.get(`/deals/${deal}`))
    const summaryBefore = await ok(api.get('/pipeline/summary'))
    const beforeForget = new Date().toISOString()
    expect(mentionsAda(await allEvents(api))).toEqual(ADA)

    const forgotten = await ok(api.post(`/contacts/${ada.$id}/forget`))
    // A required field keeps a marker (the record stays valid); the others are gone.
    expect(forgotten.contact).toMatchObject({ $id: ada.$id, name: '(forgotten)', stage: 'Customer', source: 'referral' })
    for (const field of ['email', 'phone', 'title']) expect(forgotten.contact).not.toHaveProperty(field)
    expect(forgotten.records).toMatchObject({ Lead: [lead.$id], Customer: [customers[0].$id], Activity: expect.arrayContaining([activity.$id]), TrackedEvent: expect.arrayContaining([tracked.$id]), Contract: [contract.$id] })

    // Every read: the records, lists, history, asOf, the log, search.
    const reads = await Promise.all([
      ok(api.get(`/contacts/${ada.$id}`)),
      ok(api.get(`/contacts/${ada.$id}/history`)),
      ok(api.get(`/contacts/${ada.$id}?asOf=${beforeForget}`)),
      ok(api.get(`/leads/${lead.$id}/history`)),
      ok(api.get(`/leads/${lead.$id}?asOf=${beforeForget}`)),
      ok(api.get(`/customers/${customers[0].$id}/history`)),
      ok(api.get(`/contracts/${contract.$id}/history`)),
      ok(api.get(`/activities/${activity.$id}/history`)),
      ok(api.get(`/tracked-events/${tracked.$id}`)),
      ok(api.get('/contacts?limit=100')),
      ok(api.get('/leads?limit=100')),
      ok(api.get('/activities?limit=100')),
      ok(api.get(`/deals/${deal}?include=contact,leads`)),
      ok(api.get('/contacts/export')),
      ok(api.get(`/contacts/${ada.$id}/export`)),
      allEvents(api),
      ok(api.get('/search?q=Lovelace')),
      ok(api.get('/search?q=engines')),
    ])
    for (const [i, read] of reads.entries()) expect(mentionsAda(read), `read ${i}`).toEqual([])
    expect((await ok(api.get('/search?q=Lovelace'))).data).toEqual([])
    // Grace is untouched.
    expect(await ok(api.get(`/contacts/${grace.$id}`))).toMatchObject({ name: GRACE[0], email: GRACE[1] })
    expect((await ok(api.get('/search?q=Hopper'))).data.length).toBeGreaterThan(0)

    // Business facts stay: the deal, its value and stage, the counters.
    const { name: _name, $version: _v, $updatedAt: _u, ...facts } = dealBefore
    expect(await ok(api.get(`/deals/${deal}`))).toEqual({ ...facts, name: '(forgotten)', $version: dealBefore.$version + 1, $updatedAt: expect.any(String) })
    expect(facts).toMatchObject({ value: expect.any(Number), stage: 'Won', contact: ada.$id })
    expect(await ok(api.get('/pipeline/summary'))).toEqual(summaryBefore)

    // The forget is in the log, naming who asked; the log stays whole and verifies.
    const events = await allEvents(api)
    const forget = events.find((e) => e.type === 'contact.forgotten')
    expect(forget).toMatchObject({ entityId: ada.$id, verb: 'forget', actorRole: 'admin', data: { records: expect.objectContaining({ Lead: 1, Customer: 1 }) } })
    expect(events.filter((e) => e.cause === forget.id).map((e) => e.type)).toEqual(expect.arrayContaining(['lead.forgotten', 'customer.forgotten', 'activity.forgotten', 'trackedevent.forgotten', 'contract.forgotten']))
    expect(await ok(api.get('/events/verify'))).toEqual({ ok: true, count: events.length, head: events.at(-1).hash })

    // Not even the stored bytes say it: no table row, no log column holds it in the clear.
    await runInDurableObject(env.TENANT.getByName(slug), (_instance, state) => {
      const sql = state.storage.sql
      const tables = sql.exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'`).toArray()
      for (const { name } of tables) {
        const rows = sql.exec(`SELECT * FROM "${name}"`).toArray()
        expect(mentionsAda(rows.map((row) => Object.fromEntries(Object.entries(row).filter(([, v]) => typeof v === 'string')))), name).toEqual([])
      }
    })
  }, 60_000)

  it('folds back: each forgotten record is what its last event says, and the replayed log agrees with every row', async () => {
    const { api } = await createTenant('forget-fold')
    const { ada, lead } = await twoPeople(api)
    await ok(api.post(`/contacts/${ada.$id}/forget`))
    for (const path of [`/contacts/${ada.$id}`, `/leads/${lead.$id}`]) {
      const history = (await ok(api.get(`${path}/history`))).data
      expect(history.at(-1).entity).toEqual(await ok(api.get(path)))
      expect(history.at(-1).type).toMatch(/\.forgotten$/)
    }
  })

  it('keeps the record working for business writes, and refuses personal data written to it again', async () => {
    const { api } = await createTenant('forget-after')
    const { ada, lead } = await twoPeople(api)
    await ok(api.post(`/contacts/${ada.$id}/forget`))
    expect(await ok(api.patch(`/contacts/${ada.$id}`, { stage: 'Churned' }))).toMatchObject({ stage: 'Churned', name: '(forgotten)' })
    expect(await ok(api.post(`/leads/${lead.$id}/rescore`))).toMatchObject({ $id: lead.$id, name: '(forgotten)' })
    expectProblem(await api.patch(`/contacts/${ada.$id}`, { email: 'ada@again.dev' }), 409, 'conflict')
    // The person may come back, as a new record.
    expect(await createOk(api, 'contacts', { name: ADA[0], email: ADA[1] })).toMatchObject({ email: ADA[1] })
    // A second forget is harmless.
    expect(await ok(api.post(`/contacts/${ada.$id}/forget`))).toMatchObject({ contact: { $id: ada.$id, name: '(forgotten)' } })
    expect(await ok(api.get('/events/verify'))).toMatchObject({ ok: true })
  })

  it('leaves nothing of the person in a backup taken after, and a tenant restored from it keeps them forgotten', async () => {
    const { slug, api } = await createTenant('forget-backup')
    const { ada, lead, grace } = await twoPeople(api)
    await ok(api.post(`/contacts/${ada.$id}/forget`))
    const backup = await api.post('/backups')
    expect(backup.status, JSON.stringify(backup.body)).toBe(201)
    const object = await env.BACKUPS.get(`tenants/${slug}/${backup.body.id}.ndjson.gz`)
    const text = await new Response(object!.body.pipeThrough(new DecompressionStream('gzip'))).text()
    // (Nobody's personal data is in it in the clear: the log holds it sealed, the keys of those not forgotten beside it.)
    expect(text).toContain(ada.$id)
    expect(mentionsAda(text)).toEqual([])

    const restoredSlug = `forget-restored-${Date.now().toString(36)}`
    const restored = await request('POST', '/tenants', { key: ADMIN_TOKEN, body: { slug: restoredSlug, name: 'Restored', restoreFrom: { tenant: slug, backup: backup.body.id } } })
    expect(restored.status, JSON.stringify(restored.body)).toBe(201)
    const copy = tenantApi(restoredSlug, restored.body.apiKey)
    expect(await ok(copy.get(`/contacts/${ada.$id}`))).toMatchObject({ name: '(forgotten)' })
    expect(mentionsAda([await ok(copy.get(`/contacts/${ada.$id}/history`)), await ok(copy.get(`/leads/${lead.$id}/history`))])).toEqual([])
    expect(await ok(copy.get(`/contacts/${grace.$id}`))).toMatchObject({ name: GRACE[0], email: GRACE[1] })
    expectProblem(await copy.patch(`/contacts/${ada.$id}`, { email: ADA[1] }), 409, 'conflict')
    expect(await ok(copy.get('/events/verify'))).toMatchObject({ ok: true })
  }, 60_000)

  it('is for admins only; an unknown contact is 404; a team member is not forgotten through their contact', async () => {
    const { slug, key, api } = await createTenant('forget-acl')
    const ada = await createOk(api, 'contacts', { name: ADA[0], email: ADA[1] })
    const member = await issueKey(slug, key, 'member')
    expectProblem(await member.api.post(`/contacts/${ada.$id}/forget`), 403, 'forbidden')
    expect(await ok(api.get(`/contacts/${ada.$id}`))).toMatchObject({ name: ADA[0] })
    expectProblem(await api.post('/contacts/contact_doesnotexist1/forget'), 404, 'not_found')
    expectProblem(await api.post('/contacts/lead_abc/forget'), 404, 'not_found')
    const other = await createTenant('forget-other')
    expectProblem(await other.api.post(`/contacts/${ada.$id}/forget`), 404, 'not_found')
    const user = await createOk(api, 'users', { email: 'mia@team.dev', name: 'Mia' })
    expectProblem(await api.post(`/contacts/${user.contact}/forget`), 409, 'conflict')
  })
})
