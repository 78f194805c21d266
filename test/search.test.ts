/** Issue 17, full-text search: FTS5 in the tenant object, kept by every write, Unicode-aware, ranked, safe. */
import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { createTenant, storeIn } from './helpers'

const names = (res: { body: { data: { name: string }[] } }) => res.body.data.map((h) => h.name)

describe('GET /search', () => {
  it('is case- and accent-insensitive, matches prefixes, ranks the name above other text, and marks the words', async () => {
    const { api } = await createTenant('search')
    await api.post('/contacts', { name: 'Zoë Ångström', email: 'zoe@fjordline.no', title: 'Head of Buying' })
    await api.post('/contacts', { name: 'Alice Archer', email: 'alice@acme.dev' })
    await api.post('/contacts', { name: 'Alistair Moss', email: 'al@moss.dev' })
    await api.post('/contacts', { name: 'Bob Stone', title: 'Works with Alice' })
    await api.post('/deals', { name: 'Fjordline renewal', value: 5000 })

    const zoe = await api.get('/search?q=zoe%20angstrom')
    expect(zoe.status).toBe(200)
    expect(zoe.body.data).toEqual([{ $type: 'Contact', $id: expect.stringMatching(/^contact_/), name: 'Zoë Ångström', snippet: expect.stringContaining('<mark>Zoë</mark>'), score: expect.any(Number) }])
    expect(zoe.body.next).toBeNull()

    const ali = await api.get('/search?q=ali')
    expect(names(ali).slice(0, 2).sort()).toEqual(['Alice Archer', 'Alistair Moss'])
    expect(names(ali)).toContain('Bob Stone') // "Alice" in his title: after the names
    expect(names(ali).at(-1)).toBe('Bob Stone')

    // Across nouns, and narrowed by type (noun or collection).
    expect(names(await api.get('/search?q=fjordline')).sort()).toEqual(['Fjordline renewal', 'Zoë Ångström'])
    expect(names(await api.get('/search?q=fjordline&type=deals'))).toEqual(['Fjordline renewal'])
    expect(names(await api.get('/search?q=fjordline&type=Contact'))).toEqual(['Zoë Ångström'])
  })

  it('follows every write: update, verbs that change text, soft delete and restore, import', async () => {
    const { api } = await createTenant('search-writes')
    const c = (await api.post('/contacts', { name: 'Nora Quist' })).body
    await api.patch(`/contacts/${c.$id}`, { name: 'Nora Lindqvist' })
    expect(names(await api.get('/search?q=quist'))).toEqual([])
    expect(names(await api.get('/search?q=lindqvist'))).toEqual(['Nora Lindqvist'])
    expect((await api.delete(`/contacts/${c.$id}`)).status).toBe(204)
    expect(names(await api.get('/search?q=lindqvist'))).toEqual([])
    expect((await api.post(`/contacts/${c.$id}/restore`)).status).toBe(200)
    expect(names(await api.get('/search?q=lindqvist'))).toEqual(['Nora Lindqvist'])

    const csv = 'name,email\nImre Ödön,imre@import.dev\n'
    const imported = await api.post('/contacts/import', csv, { headers: { 'content-type': 'text/csv' } })
    expect(imported.status, JSON.stringify(imported.body)).toBe(200)
    expect(names(await api.get('/search?q=odon'))).toEqual(['Imre Ödön'])
  })

  it('treats FTS syntax as plain words, pages with a cursor, and refuses what has no words or is too long (422/400, never 500)', async () => {
    const { api } = await createTenant('search-hostile')
    for (let i = 0; i < 5; i++) await api.post('/contacts', { name: `Hostile Near ${i}` })
    for (const q of ['"', 'NEAR(', 'name:hostile', 'hostile OR', '*', 'hostile"', '-hostile', 'NEAR(hostile near, 2)', '^hostile', 'hostile AND NOT x']) {
      const res = await api.get(`/search?q=${encodeURIComponent(q)}`)
      expect([200, 422], `${q}: ${JSON.stringify(res.body)}`).toContain(res.status)
    }
    // A column filter is two plain words, both required.
    expect(names(await api.get(`/search?q=${encodeURIComponent('hostile:near')}`))).toHaveLength(5)
    expect(names(await api.get(`/search?q=${encodeURIComponent('title:hostile')}`))).toHaveLength(0)
    const empty = await api.get(`/search?q=${encodeURIComponent('"()*')}`)
    expect([empty.status, empty.body.errors?.[0]?.path]).toEqual([422, 'q'])
    const long = await api.get(`/search?q=${'a'.repeat(5000)}`)
    expect([long.status, long.body.errors?.[0]?.path]).toEqual([400, 'q'])
    expect((await api.get('/search')).status).toBe(400)
    expect((await api.get('/search?q=x&type=nope')).status).toBe(404)

    const first = await api.get('/search?q=hostile&limit=2')
    expect(first.body.data).toHaveLength(2)
    const second = await api.get(`/search?q=hostile&limit=2&cursor=${first.body.next}`)
    const third = await api.get(`/search?q=hostile&limit=2&cursor=${second.body.next}`)
    expect(third.body.next).toBeNull()
    const seen = [...first.body.data, ...second.body.data, ...third.body.data].map((h: { $id: string }) => h.$id)
    expect(new Set(seen).size).toBe(5)
  })

  it('escapes the record’s own text in snippets, and another tenant’s records are never found', async () => {
    const a = await createTenant('search-a')
    const b = await createTenant('search-b')
    await a.api.post('/activities', { subject: 'Call', type: 'Note', body: 'Said <script>alert(1)</script> about Quokka pricing' })
    const hit = (await a.api.get('/search?q=quokka')).body.data[0]
    expect(hit.snippet).toContain('&lt;script&gt;')
    expect(hit.snippet).toContain('<mark>Quokka</mark>')
    expect((await b.api.get('/search?q=quokka')).body.data).toEqual([])
    // The index's own match markers are control characters: a record's never reach it.
    await a.api.post('/contacts', { name: 'Quill\u0003 \u0003odd\u0002 marker' })
    const odd = (await a.api.get('/search?q=odd')).body.data[0]
    expect(odd.snippet.match(/<mark>/g)?.length).toBe(odd.snippet.match(/<\/mark>/g)?.length)
    // A deal's stage is no text to search: its snippet starts with what it is called.
    await a.api.post('/deals', { name: 'Wombat rollout', stage: 'Prospecting' })
    expect(names(await a.api.get('/search?q=prospecting&type=Deal'))).toEqual([])
    expect((await b.api.get('/search?q=quokka', { key: 'rvl_wrong' })).status).toBe(401)
  })

  it('combines words with the filter language: $search in query strings and JSON filters, with sort and paging', async () => {
    const { api } = await createTenant('search-filter')
    await api.post('/leads', { name: 'Fjordline expansion', source: 'website', budget: 20000 })
    await api.post('/leads', { name: 'Fjordline pilot', source: 'referral', budget: 5000 })
    await api.post('/leads', { name: 'Other deal', source: 'website', budget: 30000 })
    const both = await api.get('/leads?$search=fjord&source=website')
    expect(both.status).toBe(200)
    expect(both.body.data.map((l: { name: string }) => l.name)).toEqual(['Fjordline expansion'])
    const json = await api.get(`/leads?filter=${encodeURIComponent(JSON.stringify({ $or: [{ $search: 'pilot' }, { budget: { $gte: 25000 } }] }))}&sort=-budget`)
    expect(json.body.data.map((l: { name: string }) => l.name)).toEqual(['Other deal', 'Fjordline pilot'])
    const bad = await api.get(`/leads?$search=${encodeURIComponent('"*')}`)
    expect([bad.status, bad.body.errors?.[0]?.path]).toEqual([400, '$search'])
    expect((await api.get(`/leads?filter=${encodeURIComponent('{"$search":42}')}`)).status).toBe(400)
  })

  it('follows schema changes: a dropped field or noun leaves the index, and records written before the index are backfilled once', async () => {
    const { slug, api } = await createTenant('search-schema')
    expect((await api.put('/nouns/Project', { name: 'string!', brief: 'text' })).status).toBe(201)
    expect((await api.put('/nouns/Contact', { nickname: 'string' })).status).toBe(200)
    const project = (await api.post('/projects', { name: 'Harbour bridge', brief: 'Steel for Fjordline' })).body
    const contact = (await api.post('/contacts', { name: 'Ola Nordmann', nickname: 'Skipper' })).body
    expect(names(await api.get('/search?q=fjordline'))).toEqual(['Harbour bridge'])
    expect(names(await api.get('/search?q=skipper'))).toEqual(['Ola Nordmann'])

    // Dropping a field with its values takes its text out of the index in the same change.
    expect((await api.put('/nouns/Project?drop=brief', { name: 'string!' })).status).toBe(200)
    expect(names(await api.get('/search?q=fjordline'))).toEqual([])
    expect(names(await api.get('/search?q=harbour'))).toEqual(['Harbour bridge'])

    // A tenant upgraded from before the index: its own nouns' and fields' text is not indexed yet.
    const stub = env.TENANT.getByName(slug)
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec('DELETE FROM search_fts')
      state.storage.sql.exec('DELETE FROM search_docs')
      state.storage.sql.exec('INSERT INTO search_backfill_pending (pending) VALUES (1)')
    })
    expect(names(await api.get('/search?q=skipper'))).toEqual([])
    const read = await runInDurableObject(stub, async (_instance, state) => {
      const { backfillSearchIndex } = await import('../src/durable/search-backfill')
      const { store, registry } = await storeIn(state)
      return state.storage.transactionSync(() => [backfillSearchIndex(store, registry), backfillSearchIndex(store, registry)])
    })
    expect(read).toEqual([2, 0]) // the project and the contact with a nickname; once only
    expect(names(await api.get('/search?q=skipper'))).toEqual(['Ola Nordmann'])
    expect(names(await api.get('/search?q=harbour'))).toEqual(['Harbour bridge'])
    expect(contact.$id).toMatch(/^contact_/)

    // Deleting the noun with its records takes them out of the index.
    expect((await api.delete('/nouns/Project?drop=Project')).status).toBe(200)
    expect(names(await api.get('/search?q=harbour'))).toEqual([])
    expect(project.$id).toMatch(/^project_/)
  })

  it("leaves a lead's scores out: their reason is a machine value, and migration 0022 takes the ones indexed before out", async () => {
    const { slug, api } = await createTenant('search-scores')
    const lead = (await api.post('/leads', { name: 'Budget Holder', source: 'website', budget: 12_000 })).body
    expect((await api.patch(`/leads/${lead.$id}`, { budget: 90_000 })).status).toBe(200)
    // Two scores now ('created', 'updated: budget'); neither is a search hit, the lead is.
    expect((await api.get(`/leads/${lead.$id}/scores`)).body.data).toHaveLength(2)
    expect(names(await api.get('/search?q=created'))).toEqual([])
    expect((await api.get('/search?q=budget')).body.data.map((h: { $type: string }) => h.$type)).toEqual(['Lead'])
    // A tenant indexed before: its scores' entries are taken out by the migration's statements.
    const stub = env.TENANT.getByName(slug)
    const left = await runInDurableObject(stub, async (_instance, state) => {
      const { default: migrations } = await import('../migrations/migrations.js')
      const sql = state.storage.sql
      const count = (where: string) => sql.exec<{ n: number }>(`SELECT count(*) AS n FROM search_docs WHERE ${where}`).one().n
      const others = count('1') // the lead, the default stages and plan
      const score = sql.exec<{ id: string }>('SELECT id FROM lead_scores LIMIT 1').one()
      sql.exec('INSERT INTO search_docs (entity_id, entity_type) VALUES (?, ?)', score.id, 'LeadScore')
      sql.exec("INSERT INTO search_fts (rowid, title, body) VALUES (last_insert_rowid(), '', 'created')")
      const before = count("entity_type = 'LeadScore'")
      for (const statement of (migrations.migrations as Record<string, string>).m0022!.split('--> statement-breakpoint')) sql.exec(statement)
      return { before, others, docs: count('1'), text: sql.exec<{ n: number }>('SELECT count(*) AS n FROM search_fts').one().n }
    })
    expect(left).toEqual({ before: 1, others: left.others, docs: left.others, text: left.others }) // every other entry stays
    expect(names(await api.get('/search?q=created'))).toEqual([])
    expect(names(await api.get('/search?q=budget'))).toEqual(['Budget Holder'])
  })
})
