/**
 * Replay: after random verb sequences, folding the event log reproduces every entity table and
 * every analytics counter exactly; and the log itself cannot be changed.
 */
import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { contributions, type Counter } from '../src/domain/analytics/contributions'
import type { EntityRecord } from '../src/domain/engine/types'
import { asc, getTableName } from 'drizzle-orm'
import { selectEvents, toEventRecord } from '../src/durable/event-log'
import { events } from '../src/durable/schema'
import { createTenant, rowIds, storeIn, type TenantApi } from './helpers'

type Op =
  | { op: 'contact'; email: number }
  | { op: 'capture'; email: number; source: string }
  | { op: 'qualify'; i: number }
  | { op: 'merge'; i: number; j: number }
  | { op: 'enrich'; i: number }
  | { op: 'lead'; i: number; budget: number }
  | { op: 'convert'; i: number }
  | { op: 'win'; i: number }
  | { op: 'delete'; i: number }
  | { op: 'restore'; i: number }
  | { op: 'activity'; i: number }
  | { op: 'complete'; i: number }
  | { op: 'schema'; fields: 'add' | 'narrow' | 'drop' }
  | { op: 'tier'; i: number; tier: 'Gold' | 'Silver' }

const n = fc.nat(12)
const ops: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('contact' as const), email: fc.nat(8) }),
  fc.record({ op: fc.constant('capture' as const), email: fc.nat(8), source: fc.constantFrom('website', 'referral', 'event') }),
  fc.record({ op: fc.constant('qualify' as const), i: n }),
  fc.record({ op: fc.constant('merge' as const), i: n, j: n }),
  fc.record({ op: fc.constant('enrich' as const), i: n }),
  fc.record({ op: fc.constant('lead' as const), i: n, budget: fc.integer({ min: 0, max: 50_000 }) }),
  fc.record({ op: fc.constant('convert' as const), i: n }),
  fc.record({ op: fc.constant('win' as const), i: n }),
  fc.record({ op: fc.constant('delete' as const), i: n }),
  fc.record({ op: fc.constant('restore' as const), i: n }),
  fc.record({ op: fc.constant('activity' as const), i: n }),
  fc.record({ op: fc.constant('complete' as const), i: n }),
  // The tenant's own schema moves under the same log: custom fields come, narrow and go.
  fc.record({ op: fc.constant('schema' as const), fields: fc.constantFrom('add' as const, 'narrow' as const, 'drop' as const) }),
  fc.record({ op: fc.constant('tier' as const), i: n, tier: fc.constantFrom('Gold' as const, 'Silver' as const) }),
)

const CONTACT_FIELDS = {
  add: { tier: 'Gold | Silver', shoeSize: 'number# = 40' },
  narrow: { tier: 'Gold', shoeSize: 'number#' },
  drop: {},
}

async function apply(api: TenantApi, sequence: Op[]) {
  const contacts: string[] = []
  const leads: string[] = []
  const deals: string[] = []
  const activities: string[] = []
  const at = (list: string[], i: number) => (list.length ? list[i % list.length]! : undefined)
  for (const s of sequence) {
    const contact = 'i' in s ? at(contacts, s.i) : undefined
    switch (s.op) {
      case 'contact': {
        const res = await api.post('/contacts', { name: `C${s.email}`, email: `c${s.email}@acme-labs.dev`, stage: 'Lead' })
        if (res.status === 201) contacts.push(res.body.$id)
        break
      }
      case 'capture': {
        const res = await api.post('/contacts/capture', { email: `c${s.email}@acme-labs.dev`, source: s.source, budget: 1000 })
        if (res.status === 200 && !contacts.includes(res.body.$id)) contacts.push(res.body.$id)
        break
      }
      case 'qualify':
        if (contact) await api.post(`/contacts/${contact}/qualify`)
        break
      case 'merge': {
        const other = at(contacts, s.j)
        if (contact && other) await api.post(`/contacts/${contact}/merge`, { from: other })
        break
      }
      case 'enrich':
        if (contact) await api.post(`/contacts/${contact}/enrich`, { title: 'VP Sales' })
        break
      case 'lead': {
        const res = await api.post('/leads', { name: 'L', source: 'website', budget: s.budget, status: 'Qualified', ...(contact ? { contact } : {}) })
        if (res.status === 201) leads.push(res.body.$id)
        break
      }
      case 'convert': {
        const lead = at(leads, s.i)
        if (lead) {
          const res = await api.post(`/leads/${lead}/convert`)
          if (res.status === 200) deals.push(res.body.deal)
        }
        break
      }
      case 'win': {
        const deal = at(deals, s.i)
        if (deal) await api.post(`/deals/${deal}/win`)
        break
      }
      case 'delete':
        if (contact) await api.delete(`/contacts/${contact}`)
        break
      case 'restore':
        if (contact) await api.post(`/contacts/${contact}/restore`)
        break
      case 'activity': {
        const res = await api.post('/activities', { subject: 'Call', type: 'Task', ...(contact ? { contact } : {}) })
        if (res.status === 201) activities.push(res.body.$id)
        break
      }
      case 'schema':
        await api.put('/nouns/Contact?drop=tier,shoeSize', CONTACT_FIELDS[s.fields])
        break
      case 'tier':
        if (contact) await api.patch(`/contacts/${contact}`, { tier: s.tier, shoeSize: s.i })
        break
      case 'complete': {
        const activity = at(activities, s.i)
        if (activity) await api.post(`/activities/${activity}/complete`)
        break
      }
    }
  }
}

/** Every entity table, and the aggregates, next to what the log folds to. */
async function foldAndCompare(slug: string) {
  return runInDurableObject(env.TENANT.getByName(slug), async (_instance, state) => {
    const { db, store, entityTables, nouns } = await storeIn(state)
    const rows = new Map<string, EntityRecord>()
    for (const [name, table] of entityTables) for (const row of store.getAnyMany(nouns.byName(name)!, rowIds(state.storage.sql, getTableName(table)))) rows.set(row.$id, row)
    const folded = new Map<string, EntityRecord>()
    // Read as every reader does (personal fields unsealed with their record's key).
    for (const event of selectEvents(db).orderBy(asc(events.seq)).all().map((row) => toEventRecord(db, row))) {
      // An event without `after` ends the entity (a noun dropped with its rows) unless it is an audit entry.
      if (event.after) folded.set(event.entityId, event.after)
      else folded.delete(event.entityId)
    }
    const counters = new Map<string, Counter>()
    for (const entity of folded.values())
      for (const [key, c] of contributions(entity)) {
        const e = counters.get(key) ?? { n: 0, sum: 0, extra: 0 }
        counters.set(key, { n: e.n + c.n, sum: e.sum + c.sum, extra: e.extra + c.extra })
      }
    const aggregates = new Map<string, Counter>()
    for (const row of state.storage.sql.exec<{ key: string; n: number; sum: number; extra: number }>('SELECT * FROM aggregates'))
      if (row.n || row.sum || row.extra) aggregates.set(row.key, { n: row.n, sum: row.sum, extra: row.extra })
    for (const [key, c] of counters) if (!c.n && !c.sum && !c.extra) counters.delete(key)
    return {
      rows: Object.fromEntries([...rows].sort()),
      folded: Object.fromEntries([...folded].sort()),
      aggregates: Object.fromEntries([...aggregates].sort()),
      counters: Object.fromEntries([...counters].sort()),
    }
  })
}

describe('replaying the event log', () => {
  it('reproduces every table and every aggregate after random verb sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ops, { minLength: 5, maxLength: 25 }), async (sequence) => {
        const { api, slug } = await createTenant('replay')
        await apply(api, sequence)
        const { rows, folded, aggregates, counters } = await foldAndCompare(slug)
        expect(rows).toEqual(folded)
        expect(aggregates).toEqual(counters)
      }),
      { numRuns: 12 },
    )
  }, 180_000)

  it('cannot be rewritten: SQLite refuses UPDATE and DELETE on events and lead_scores', async () => {
    const { api, slug } = await createTenant()
    await api.post('/leads', { name: 'L', source: 'website' })
    await runInDurableObject(env.TENANT.getByName(slug), (_instance, state) => {
      for (const sql of ['UPDATE events SET data = NULL', 'DELETE FROM events', 'UPDATE lead_scores SET score = 0', 'DELETE FROM lead_scores'])
        expect(() => state.storage.sql.exec(sql), sql).toThrow(/append-only|immutable/)
    })
  })
})
