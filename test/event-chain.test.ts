/**
 * The tamper-evident log: every write path links its events into one hash chain, `/events` shows
 * each link, `GET /events/verify` recomputes the chain and names the first event that was altered,
 * removed or reordered behind the API.
 */
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { canonicalText, GENESIS, type StoredEvent } from '../src/domain/event-chain'
import { linkHash } from '../src/durable/chain-head'
import { linkUnchained } from '../src/durable/event-chain'
import worker from '../src/worker'
import { createTenant, expectProblem, issueKey, request, type TenantApi } from './helpers'

async function allEvents(api: TenantApi): Promise<any[]> {
  const out: any[] = []
  for (let after = 0; ; ) {
    const page = await api.get(`/events?limit=500&after=${after}`)
    expect(page.status).toBe(200)
    out.push(...page.body.data)
    if (!page.body.next) return out
    after = Number(page.body.next)
  }
}

/** Writes through every path that appends: verbs, hooks, import, a job, a schema change, an audit entry. */
async function writeEverywhere(slug: string, api: TenantApi) {
  const contact = await api.post('/contacts', { name: 'Ada Lovelace', email: 'ada@engines.dev' })
  expect(contact.status).toBe(201)
  expect((await api.post(`/contacts/${contact.body.$id}/qualify`)).status).toBe(200)
  // A public capture runs the capture hooks (contact, lead, score) in one transaction.
  expect((await request('POST', `/~${slug}/capture`, { body: { email: 'grace@navy.dev', name: 'Grace' } })).status).toBeLessThan(300)
  const imported = await api.post('/leads/import', '{"name":"Imported","source":"website"}\n{"name":"Second","source":"event"}\n', {
    headers: { 'content-type': 'application/x-ndjson' },
  })
  expect(imported.status).toBe(200)
  expect((await api.put('/nouns/Contact', { shoeSize: 'number#' })).status).toBe(200)
  expect((await api.post('/keys', { name: 'ci', role: 'member' })).status).toBe(201)
  // The nightly rescoring job, delivered the way the platform would.
  const batch = createMessageBatch('revline-jobs', [{ id: 'rescore-1', timestamp: new Date(), attempts: 1, body: { type: 'rescore', tenant: slug, runId: `run-${slug}` } }])
  const ctx = createExecutionContext()
  await (worker as ExportedHandler<Env>).queue!(batch, env, ctx)
  expect((await getQueueResult(batch, ctx)).retryMessages).toEqual([])
}

describe('the hash chain', () => {
  it('links every event from every write path, and verifies', async () => {
    const { slug, api } = await createTenant('chain')
    await writeEverywhere(slug, api)
    const events = await allEvents(api)
    expect(events.some((e) => e.actor === 'system')).toBe(true)
    expect(events.some((e) => e.type === 'schema.changed')).toBe(true)
    expect(events.some((e) => e.type === 'apikey.created')).toBe(true)
    expect(events[0].prevHash).toBe('0'.repeat(64))
    for (const [i, event] of events.entries()) {
      expect(event.hash).toMatch(/^[0-9a-f]{64}$/)
      if (i > 0) expect(event.prevHash).toBe(events[i - 1].hash)
    }
    const verified = await api.get('/events/verify')
    expect(verified.status).toBe(200)
    expect(verified.body).toEqual({ ok: true, count: events.length, head: events.at(-1).hash })
    // The daily job's run record notes the head as it finished: a point on the chain to compare later.
    const runs = (await api.get('/jobs')).body.data
    const run = runs.find((r: any) => r.outcome === 'ok')
    expect(run, JSON.stringify(runs)).toMatchObject({ outcome: 'ok', chainSeq: expect.any(Number) })
    expect(run.chainHead).toBe(events.find((e) => e.seq === run.chainSeq).hash)
    // History shows the same links as the log.
    const contactId = events.find((e) => e.type === 'contact.created').entityId
    const history = await api.get(`/contacts/${contactId}/history`)
    for (const event of history.body.data) expect(event.hash).toBe(events.find((e) => e.seq === event.seq).hash)
    // Each link stores its prev_hash empty: it is the previous link's hash, which reads put in (above).
    await runInDurableObject(env.TENANT.getByName(slug), (_instance, state) => {
      const lengths = state.storage.sql.exec<{ n: number; bytes: number }>('SELECT count(*) AS n, sum(length(prev_hash)) AS bytes FROM event_chain').one()
      expect(lengths).toEqual({ n: events.length, bytes: 0 })
    })
  }, 60_000)

  it('finds an event altered, removed or reordered behind the API', async () => {
    const { slug, api } = await createTenant('tamper')
    for (const name of ['One', 'Two', 'Three', 'Four']) expect((await api.post('/contacts', { name })).status).toBe(201)
    const events = await allEvents(api)
    const [second, third, fourth] = events.filter((e) => e.type === 'contact.created').slice(1)
    const tamper = (sql: string) =>
      runInDurableObject(env.TENANT.getByName(slug), (_instance, state) => {
        // Someone with the database file: the append-only triggers are no obstacle to them.
        state.storage.sql.exec('DROP TRIGGER IF EXISTS events_no_update')
        state.storage.sql.exec('DROP TRIGGER IF EXISTS events_no_delete')
        state.storage.sql.exec(sql)
      })

    await tamper(`UPDATE events SET actor = 'key_forged' WHERE seq = ${second.seq}`)
    let verified = await api.get('/events/verify')
    expect(verified.body).toMatchObject({ ok: false, seq: second.seq, count: second.seq - 1, head: second.prevHash })
    expect(verified.body.reason).toMatch(/altered/)
    await tamper(`UPDATE events SET actor = '${second.actor}' WHERE seq = ${second.seq}`)
    expect((await api.get('/events/verify')).body).toMatchObject({ ok: true, count: events.length })

    // A changed time (or sealed personal data, or type) is an alteration too: every stored column is hashed.
    await tamper(`UPDATE events SET at = '2020-01-01T00:00:00.000Z' WHERE seq = ${fourth.seq}`)
    expect((await api.get('/events/verify')).body).toMatchObject({ ok: false, seq: fourth.seq, count: fourth.seq - 1 })
    await tamper(`UPDATE events SET at = '${fourth.at}', sealed = substr(sealed, 2) || 'A' WHERE seq = ${fourth.seq}`)
    expect((await api.get('/events/verify')).body).toMatchObject({ ok: false, seq: fourth.seq, count: fourth.seq - 1 })

    // Removing an event breaks the next link.
    await tamper(`DELETE FROM events WHERE seq = ${third.seq}`)
    verified = await api.get('/events/verify')
    expect(verified.body).toMatchObject({ ok: false, seq: fourth.seq, count: third.seq - 1 })
    expect(verified.body.reason).toMatch(/removed or reordered/)
  })

  it('links a log written before the chain existed, once, at start', async () => {
    const { slug, api } = await createTenant('legacy')
    expect((await api.post('/contacts', { name: 'Old' })).status).toBe(201)
    await runInDurableObject(env.TENANT.getByName(slug), (_instance, state) => {
      const sql = state.storage.sql
      sql.exec('DROP TRIGGER event_chain_no_delete')
      sql.exec('DELETE FROM event_chain')
      expect(linkUnchained(sql)).toBeGreaterThan(0)
      expect(linkUnchained(sql)).toBe(0)
    })
    expect((await api.post('/contacts', { name: 'New' })).status).toBe(201)
    const events = await allEvents(api)
    expect((await api.get('/events/verify')).body).toEqual({ ok: true, count: events.length, head: events.at(-1).hash })
  })

  it('only admins verify; the link rows are as immutable as the log', async () => {
    const { slug, key, api } = await createTenant('chain-acl')
    const member = await issueKey(slug, key, 'member')
    expectProblem(await member.api.get('/events/verify'), 403, 'forbidden')
    expectProblem(await request('GET', `/~${slug}/events/verify`), 401, 'unauthorized')
    await api.post('/contacts', { name: 'X' })
    await runInDurableObject(env.TENANT.getByName(slug), (_instance, state) => {
      for (const sql of ['UPDATE event_chain SET hash = x\'00\'', 'DELETE FROM event_chain']) expect(() => state.storage.sql.exec(sql), sql).toThrow(/append-only/)
    })
  })

  /** The chain's definition computed by a second, independent SHA-256 (@noble/hashes): what an auditor would write. */
  const chainHash = (prev: Uint8Array, event: StoredEvent) => sha256.create().update(prev).update(utf8ToBytes(canonicalText(event))).digest()

  it('hashes natively to the same bytes as the chain definition, whatever the text holds', () => {
    const event: StoredEvent = {
      seq: 7, id: 'evt_1', type: 'contact.created', entity_type: 'Contact', entity_id: 'contact_1', verb: 'create', version: 1,
      actor: 'key_1', actor_role: 'admin', via: null, request_id: 'r', at: '2026-01-01T00:00:00.000Z',
      data: '{"name":"Zoë 🚀 \\u0000"}', before: null, after: '{"a":"\ud800 lone"}', cause: null, sealed: 'c2VhbGVk',
    }
    const prev = chainHash(GENESIS, { ...event, seq: 6 })
    expect(linkHash(prev, event)).toEqual(chainHash(prev, event))
    expect(linkHash(GENESIS, event)).toEqual(chainHash(GENESIS, event))
  })

  it('links the writes after a rolled-back one to the chain as it stands', async () => {
    const { api } = await createTenant('chain-rollback')
    expect((await api.post('/contacts', { name: 'First', email: 'first@x.dev' })).status).toBe(201)
    // The batch runs optimistically, appends the first row's events, then rolls back on the second
    // (a duplicate email in the file is merged; an unknown stage is refused) and runs again row by row.
    const imported = await api.post('/contacts/import', '{"name":"A","email":"a@x.dev"}\n{"name":"B","stage":"Nope"}\n{"name":"C"}\n', {
      headers: { 'content-type': 'application/x-ndjson' },
    })
    expect(imported.status).toBe(200)
    expect(imported.body).toMatchObject({ created: 2, rejected: 1 })
    // A refused verb (after its own checks) and a write after it.
    expect((await api.post('/contacts', { name: 'Dup', email: 'first@x.dev' })).status).toBe(409)
    expect((await api.post('/contacts', { name: 'Last' })).status).toBe(201)
    const events = await allEvents(api)
    for (const [i, event] of events.entries()) if (i > 0) expect(event.prevHash).toBe(events[i - 1].hash)
    expect((await api.get('/events/verify')).body).toEqual({ ok: true, count: events.length, head: events.at(-1).hash })
  })
})
