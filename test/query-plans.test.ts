/**
 * Hot queries read their page from an index instead of sorting every matching row: the statements
 * the store really runs are recorded inside the tenant object and explained by SQLite. (At 100,000
 * leads a sort of every referral lead costs ~20 ms a request; the index walk well under one.)
 */
import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { EntityStore } from '../src/durable/entity-store'
import { createTenant, storeIn } from './helpers'

type Modules = {
  store: EntityStore
  list: typeof import('../src/durable/reads').list
  parseListQuery: typeof import('../src/domain/query/list-query').parseListQuery
  Lead: import('../src/domain/noun/noun').NounSchema
  nouns: import('../src/domain/noun/registry').NounRegistry
}

/** Runs `use` inside the tenant's object with a store whose SQL is recorded; the plans of its SELECTs on `table`. */
async function plansOf(slug: string, table: string, use: (m: Modules) => void): Promise<string[][]> {
  return runInDurableObject(env.TENANT.getByName(slug), async (_instance, state) => {
    const { list } = await import('../src/durable/reads')
    const { parseListQuery } = await import('../src/domain/query/list-query')
    const recorded: { statement: string; params: SqlStorageValue[] }[] = []
    const sql = state.storage.sql
    const recording = Object.create(sql, {
      exec: { value: (statement: string, ...params: SqlStorageValue[]) => (recorded.push({ statement, params }), sql.exec(statement, ...params)) },
    }) as SqlStorage
    // The tenant's own nouns (its custom fields and nouns included), as its object reads them.
    const { store, registry: nouns } = await storeIn(state, recording)
    use({ store, list, parseListQuery, Lead: nouns.byName('Lead')!, nouns })
    return recorded
      // The rows' statements: a list's total (`SELECT count(*)`, the same condition) is left out.
      .filter((r) => /^select/i.test(r.statement) && !/^select count\(/i.test(r.statement) && r.statement.includes(`"${table}"`))
      .map((r) => sql.exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${r.statement}`, ...r.params).toArray().map((row) => row.detail))
  })
}

describe('query plans', () => {
  it("a filter and a sort on a tenant's indexed custom field read its expression index", async () => {
    const { slug, api } = await createTenant()
    expect((await api.put('/nouns/Lead', { rating: 'number#', region: 'EMEA | AMER | APAC#' })).status).toBe(200)
    expect((await api.put('/nouns/Project', { name: 'string!', code: 'string##' })).status).toBe(201)
    for (const [rating, region] of [[3, 'EMEA'], [5, 'AMER'], [4, 'EMEA']] as const) expect((await api.post('/leads', { name: `L${rating}`, source: 'website', rating, region })).status).toBe(201)
    expect((await api.get('/leads?region=EMEA&sort=-rating')).body.data.map((l: { rating: number }) => l.rating)).toEqual([4, 3])

    const byRegion = await plansOf(slug, 'leads', ({ store, list, parseListQuery, Lead, nouns }) => {
      list(store, Lead, parseListQuery(Lead, new URLSearchParams('region=EMEA&sort=-$createdAt'), nouns))
    })
    expect(byRegion[0]!.join(' | ')).toContain('USING INDEX cx_leads__region__i')
    const sorted = await plansOf(slug, 'leads', ({ store, list, parseListQuery, Lead, nouns }) => {
      list(store, Lead, parseListQuery(Lead, new URLSearchParams('rating[$gte]=4&sort=rating'), nouns))
    })
    expect(sorted[0]!.join(' | ')).toContain('USING INDEX cx_leads__rating__i')
    expect(sorted[0]!.join(' | ')).not.toContain('TEMP B-TREE')
    const byCode = await plansOf(slug, 'c_projects', ({ store, list, parseListQuery, nouns }) => {
      const Project = nouns.byName('Project')!
      list(store, Project, parseListQuery(Project, new URLSearchParams('code=P-1'), nouns))
    })
    expect(byCode[0]!.join(' | ')).toContain('USING INDEX cx_c_projects__code__u')
  })

  it('a lead list filtered by source and sorted by score walks the (source, score) index', async () => {
    const { slug, api } = await createTenant()
    const ids: string[] = []
    for (const [source, budget] of [['referral', 90_000], ['website', 5_000], ['referral', 2_000], ['referral', 90_000]] as const) {
      const res = await api.post('/leads', { name: `${source} ${budget}`, source, budget })
      expect(res.status).toBe(201)
      ids.push(res.body.$id)
    }
    const res = await api.get('/leads?source=referral&sort=-score')
    // Best score first; the two equal scores by id, descending like the sort.
    const [first, , third, fourth] = ids as [string, string, string, string]
    expect(res.body.data.map((l: { $id: string }) => l.$id)).toEqual([...[first, fourth].sort().reverse(), third])

    const plans = await plansOf(slug, 'leads', ({ store, list, parseListQuery, Lead, nouns }) => {
      list(store, Lead, parseListQuery(Lead, new URLSearchParams('source=referral&sort=-score'), nouns))
    })
    expect(plans).toHaveLength(1)
    expect(plans[0]!.join(' | ')).toContain('USING INDEX leads_source_score_id_idx (source=?)')
    // The index holds (source, score, id): the page comes out in order, nothing is sorted.
    expect(plans[0]!.join(' | ')).not.toContain('TEMP B-TREE')
  })

  it('an $in list is one JSON parameter however long, and still probes the index on its column', async () => {
    const { slug, api } = await createTenant()
    const contact = (await api.post('/contacts', { name: 'Indexed' })).body.$id as string
    expect((await api.post('/leads', { name: 'Lead', source: 'website', contact })).status).toBe(201)
    const ids = [contact, ...Array.from({ length: 499 }, (_, i) => `contact_${String(i).padStart(9, '0')}`)]
    const plans = await plansOf(slug, 'leads', ({ store, list, parseListQuery, Lead, nouns }) => {
      const page = list(store, Lead, parseListQuery(Lead, new URLSearchParams({ 'contact[$in]': ids.join(',') }), nouns))
      expect(page.data.map((l) => l.contact)).toEqual([contact])
    })
    expect(plans).toHaveLength(1)
    expect(plans[0]!.join(' | ')).toMatch(/USING INDEX leads_contact_idx \(contact=\?\)/)
  })

  it('a relation index holds only the rows that have the relation, and an equality filter still uses it', async () => {
    const { slug, api } = await createTenant()
    const contact = (await api.post('/contacts', { name: 'Related' })).body.$id as string
    for (const with_ of [true, false, false]) expect((await api.post('/leads', { name: 'Lead', source: 'website', ...(with_ && { contact }) })).status).toBe(201)
    const plans = await plansOf(slug, 'leads', ({ store, list, parseListQuery, Lead, nouns }) => {
      expect(list(store, Lead, parseListQuery(Lead, new URLSearchParams({ contact }), nouns)).data).toHaveLength(1)
    })
    expect(plans[0]!.join(' | ')).toMatch(/USING INDEX leads_contact_idx \(contact=\?\)/)
    await runInDurableObject(env.TENANT.getByName(slug), (_instance, state) => {
      // INDEXED BY reads the index itself: it holds the lead with a contact, and cannot answer for those without
      const entries = state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM leads INDEXED BY leads_contact_idx WHERE contact IS NOT NULL AND deleted_at IS NULL').one().n
      expect(entries).toBe(1)
      expect(() => state.storage.sql.exec('SELECT count(*) FROM leads INDEXED BY leads_contact_idx WHERE contact IS NULL AND deleted_at IS NULL').toArray()).toThrow(/no query solution/)
    })
  })

  it("the nightly rescoring's chunks walk the primary key, not the status index", async () => {
    const { slug, api } = await createTenant()
    expect((await api.post('/leads', { name: 'Open', source: 'website' })).status).toBe(201)
    const { rescoreChunkQuery } = await import('../src/durable/jobs/rescore')
    const plans = await plansOf(slug, 'leads', ({ store, Lead }) => {
      store.find(Lead, ...rescoreChunkQuery('lead_0', 2_000))
    })
    expect(plans).toEqual([[expect.stringMatching(/USING INDEX sqlite_autoindex_leads_1 \(id>\?\)/)]])
  })

  it("round-robin assignment finds its turn by walking the event log's (type, seq) index backwards", async () => {
    const { slug } = await createTenant()
    const plan = await runInDurableObject(env.TENANT.getByName(slug), async (_instance, state) => {
      const { lastInTurn } = await import('../src/durable/assignment-ops')
      const sql = state.storage.sql
      let explained: string[] = []
      const recording = Object.create(sql, {
        exec: { value: (statement: string, ...params: SqlStorageValue[]) => ((explained = sql.exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${statement}`, ...params).toArray().map((r) => r.detail)), sql.exec(statement, ...params)) },
      }) as SqlStorage
      expect(lastInTurn(recording, ['user_000000001', 'user_000000002'])).toBeUndefined()
      return explained.join(' | ')
    })
    expect(plan).toMatch(/SEARCH events USING INDEX events_type_idx \(type=\?\)/)
    expect(plan).not.toContain('TEMP B-TREE')
  })
})
