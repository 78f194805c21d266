/**
 * A create's `data` is stored as the list of its keys in `after` (src/durable/event-data.ts): every
 * read gives back exactly the event the write appended, personal values and key order included,
 * and a forgotten person's values are gone from both forms alike.
 */
import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { drizzle } from 'drizzle-orm/durable-sqlite'
import { eq } from 'drizzle-orm'
import type { NewEvent } from '../src/domain/engine/types'
import { appendEvent, selectEvents, toEventRecord } from '../src/durable/event-log'
import { dataAsKeys } from '../src/durable/event-data'
import * as schema from '../src/durable/schema'
import { createTenant } from './helpers'

const at = '2026-05-01T10:00:00.000Z'
const created = (id: string, data: Record<string, unknown>, after: Record<string, unknown>, type = 'Contact'): NewEvent => ({
  id: `evt_${id}`, type: `${type.toLowerCase()}.created`, entityType: type, entityId: `${type.toLowerCase()}_${id}`, verb: 'create', version: 1,
  actor: 'key_1', actorRole: 'admin', via: null, requestId: 'r1', at, data, before: null, cause: null,
  after: { $id: `${type.toLowerCase()}_${id}`, $type: type, $version: 1, $createdAt: at, $updatedAt: at, $createdBy: 'key_1', ...after },
})

describe('a create event stored with its data as keys of after', () => {
  it('reads back exactly as appended: order, inline values, personal values', async () => {
    const { slug } = await createTenant('event-data')
    await runInDurableObject(env.TENANT.getByName(slug), (_instance, state) => {
      const db = drizzle(state.storage, { schema })
      const factors = [{ rule: 'r', points: 5 }]
      const cases: [NewEvent, readonly string[]][] = [
        // personal values (name, email) in the middle of data: the full form reads them back last
        [created('a', { stage: 'Lead', name: 'Ada', source: 'web', email: 'ada@x.dev' }, { stage: 'Lead', name: 'Ada', source: 'web', email: 'ada@x.dev' }), ['name', 'email', 'phone']],
        // a value after does not hold (null), an object shared by reference, a personal null
        [created('b', { lead: 'lead_1', previousScore: null, factors, name: null }, { lead: 'lead_1', factors }, 'LeadScore'), ['name']],
        // a personal value that differs from after's: stored in full
        [created('c', { name: 'Ada ' }, { name: 'Ada' }), ['name']],
        // a value equal but not the same object: inline
        [created('d', { tags: ['x'], stage: 'Lead' }, { tags: ['x'], stage: 'Lead' }), []],
        [created('e', {}, {}), []],
        // data in another order than after: the list keeps data's order
        [created('f', { source: 'web', stage: 'Lead' }, { stage: 'Lead', source: 'web' }), []],
        // a personal null stays in place in after: still every field, in after's order
        [created('g', { stage: 'Lead', name: null, email: 'g@x.dev', source: 'web' }, { stage: 'Lead', name: null, email: 'g@x.dev', source: 'web' }), ['name', 'email']],
        // after holds a field data does not
        [created('h', { stage: 'Lead' }, { stage: 'Lead', source: 'web' }), []],
      ]
      for (const [event, personal] of cases) {
        const appended = appendEvent(state.storage.sql, event, personal)
        const row = selectEvents(db).where(eq(schema.events.id, event.id)).get()!
        const read = toEventRecord(db, row)
        expect(JSON.stringify(read.data), event.id).toBe(JSON.stringify(personalLast(appended.data, personal)))
        expect(JSON.stringify(read.after), event.id).toBe(JSON.stringify(personalLast(appended.after, personal)))
      }
      const stored = (id: string) => state.storage.sql.exec<{ data: string }>('SELECT data FROM events WHERE id = ?', id).one().data
      // every field of after, in the order a reader sees it: the empty list
      expect(stored('evt_a')).toBe('[]')
      expect(stored('evt_g')).toBe('[]')
      expect(stored('evt_f')).toBe('["source","stage"]')
      expect(stored('evt_h')).toBe('["stage"]')
      expect(stored('evt_b')).toBe('["lead",["previousScore",null],"factors",["name",null]]')
      expect(stored('evt_c')).toBe('{}')
      expect(stored('evt_d')).toBe('[["tags",["x"]],"stage"]')
      expect(stored('evt_e')).toBe('{}')
      const after = state.storage.sql.exec<{ after: string }>('SELECT after FROM events WHERE id = ?', 'evt_d').one().after
      expect(after).toBe('{"tags":["x"],"stage":"Lead"}')
    })
  })

  it('stores the $ fields of a create once, in its columns; an update reads its before from it whole', async () => {
    const { api } = await createTenant('event-meta')
    const contact = (await api.post('/contacts', { name: 'Ada', email: 'ada@x.dev', stage: 'Lead' })).body
    const updated = (await api.patch(`/contacts/${contact.$id}`, { title: 'CTO' })).body
    const events = (await api.get(`/events?entity=${contact.$id}`)).body.data
    expect(events.map((e: any) => e.type)).toEqual(['contact.created', 'contact.updated'])
    const [create, update] = events
    expect(JSON.stringify(Object.keys(create.after).slice(0, 6))).toBe(JSON.stringify(['$id', '$type', '$version', '$createdAt', '$updatedAt', '$createdBy']))
    expect(create.after).toEqual(contact)
    expect(update.before).toEqual(contact)
    expect(JSON.stringify(update.before)).toBe(JSON.stringify(create.after))
    expect(update.after).toEqual(updated)
    const history = (await api.get(`/contacts/${contact.$id}/history`)).body
    expect(JSON.stringify(history)).toContain('"$createdBy"')
  })

  it('falls back to the full form when the list would not read back the same', () => {
    expect(dataAsKeys(null, { a: 1 }, [])).toBeUndefined()
    expect(dataAsKeys({}, { a: 1 }, [])).toBeUndefined()
    expect(dataAsKeys({ name: 'B' }, { name: 'A' }, ['name'])).toBeUndefined()
    expect(dataAsKeys({ a: 1, skip: undefined }, { a: 1 }, [])).toEqual([])
    expect(dataAsKeys({ a: 1 }, { a: 1, b: 2 }, [])).toEqual(['a'])
  })
})

/** What the full form reads: personal values (sealed) put back after the others, in the noun's order. */
function personalLast(value: Record<string, unknown> | null, personal: readonly string[]) {
  if (!value) return value
  const taken = personal.filter((k) => value[k] !== undefined && value[k] !== null)
  return { ...Object.fromEntries(Object.entries(value).filter(([k]) => !taken.includes(k))), ...Object.fromEntries(taken.map((k) => [k, value[k]])) }
}
