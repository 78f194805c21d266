/**
 * Backups and restore (issue 18): `POST /backups` streams the log and what it does not hold to R2;
 * `POST /tenants` with `restoreFrom` builds a new tenant from one, up to any seq (or instant) of its
 * log, equal to the source at that point: every entity row, the counters, the search index, the
 * chain head. The nightly job backs every tenant up once a day and deletes what is past retention.
 */
import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { getTableName } from 'drizzle-orm'
import { TABLE_POLICY } from '../src/durable/backup-format'
import { entityTables } from '../src/durable/schema/tables'
import worker from '../src/worker'
import { ADMIN_TOKEN, createTenant, expectProblem, issueKey, readOk, request, tenantApi, type TenantApi } from './helpers'

const handler = worker as ExportedHandler<Env>
const operator = (body: unknown) => request('POST', '/tenants', { key: ADMIN_TOKEN, body })
let counter = 0
const newSlug = (prefix = 'restored') => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`

const PROJECT = { name: 'string!', budget: 'number', code: 'string##', client: '-> Organization.projects', activate: 'Active' }

/** A tenant with a little of everything: custom fields and a noun of its own, settings, keys, a source, a won deal, deletions. */
async function busyTenant() {
  const tenant = await createTenant('source')
  const { api } = tenant
  const ok = async (res: Promise<{ status: number; body: any }>, status = 200) => {
    const r = await res
    expect(r.status, JSON.stringify(r.body)).toBe(status)
    return r.body
  }
  await ok(api.put('/nouns/Contact', { tier: 'Gold | Silver' }))
  await ok(api.put('/nouns/Project', PROJECT), 201)
  await ok(api.put('/settings/capture', { allowedOrigins: ['https://acme.example'], rateLimitPerMinute: 50 }))
  await issueKey(tenant.slug, tenant.key, 'member')
  await ok(api.post('/sources', { name: 'Form', mapping: { email: 'email', name: 'name' } }), 201)
  const org = await ok(api.post('/organizations', { name: 'Acme Labs' }), 201)
  const ada = await ok(api.post('/contacts', { name: 'Ada Lovelace', email: 'ada@acme-labs.dev', stage: 'Lead', tier: 'Gold' }), 201)
  const bob = await ok(api.post('/contacts', { name: 'Bob Babbage', email: 'bob@acme-labs.dev', stage: 'Lead' }), 201)
  const lead = await ok(api.post('/leads', { name: 'Acme deal', source: 'referral', budget: 40_000, contact: ada.$id, status: 'Qualified' }), 201)
  await ok(api.post('/leads', { name: 'Side deal', source: 'website', budget: 5_000, contact: bob.$id }), 201)
  const converted = await ok(api.post(`/leads/${lead.$id}/convert`))
  await ok(api.post(`/deals/${converted.deal}/win`))
  await ok(api.post('/activities', { subject: 'Kick-off call', type: 'Call', contact: ada.$id }), 201)
  const project = await ok(api.post('/projects', { name: 'Rollout', code: 'R-1', budget: 1200, client: org.$id }), 201)
  await ok(api.post(`/projects/${project.$id}/activate`))
  await ok(api.delete(`/contacts/${bob.$id}`), 204)
  return { ...tenant, ada, bob, lead, project, org }
}

/** Every entity table (built-in and the tenant's own `c_` ones), the counters and the search index, as stored. */
async function storedState(slug: string) {
  return runInDurableObject(env.TENANT.getByName(slug), (_instance, state) => {
    const sql = state.storage.sql
    const custom = sql.exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'c\\_%' ESCAPE '\\' ORDER BY name`).toArray().map((r) => r.name)
    const tables: Record<string, unknown[]> = {}
    for (const table of [...ENTITY_TABLES, ...custom]) tables[table] = sql.exec(`SELECT * FROM "${table}" ORDER BY id`).toArray()
    const aggregates = sql.exec('SELECT key, n, sum, extra FROM aggregates WHERE n != 0 OR sum != 0 OR extra != 0 ORDER BY key').toArray()
    const search = sql.exec('SELECT d.entity_id, d.entity_type, f.title, f.body FROM search_docs d JOIN search_fts f ON f.rowid = d.rowid ORDER BY d.entity_id').toArray()
    const indexes = sql.exec(`SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'cx\\_%' ESCAPE '\\' ORDER BY name`).toArray()
    return { tables, aggregates, search, indexes }
  })
}
const ENTITY_TABLES = [...entityTables.values()].map((t) => getTableName(t)).sort()

async function backUp(api: TenantApi) {
  const res = await api.post('/backups')
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body as { id: string; events: number; head: string; seq: number; bytes: number; createdAt: string }
}

async function restore(restoreFrom: Record<string, unknown>, slug = newSlug()) {
  const res = await operator({ slug, name: `Restored ${slug}`, restoreFrom })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return { slug, key: res.body.apiKey as string, api: tenantApi(slug, res.body.apiKey), body: res.body }
}

/** The backup's lines, decompressed. */
async function backupLines(slug: string, id: string): Promise<any[]> {
  const object = await env.BACKUPS.get(`tenants/${slug}/${id}.ndjson.gz`)
  expect(object).not.toBeNull()
  const text = await new Response(object!.body.pipeThrough(new DecompressionStream('gzip'))).text()
  return text.trimEnd().split('\n').map((line) => JSON.parse(line))
}

describe('the table policy', () => {
  it('says for every table of a tenant object whether a backup copies it, holds it as the log, folds it or leaves it out', async () => {
    const { slug, api } = await createTenant('policy')
    await api.put('/nouns/Project', { name: 'string!' })
    const names = await runInDurableObject(env.TENANT.getByName(slug), (_i, state) =>
      state.storage.sql.exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`).toArray().map((r) => r.name),
    )
    const folded = new Set(ENTITY_TABLES)
    // SQLite's and the platform's own, drizzle's migration journal, FTS5's shadow tables.
    const internal = (name: string) => /^(sqlite_|_cf_|__drizzle)/.test(name) || /^search_fts_/.test(name)
    const undecided = names.filter((name) => !internal(name) && !folded.has(name) && !name.startsWith('c_') && !Object.hasOwn(TABLE_POLICY, name))
    expect(undecided).toEqual([])
  })
})

describe('POST /backups', () => {
  it('writes the log, its chain and what the log does not hold to R2 as gzip NDJSON, and GET /backups lists it', async () => {
    const { slug, api } = await busyTenant()
    const verify = await readOk(api, '/events/verify')
    const made = await backUp(api)
    expect(made).toMatchObject({ id: expect.stringMatching(/^bkp_/), seq: verify.count, events: verify.count, head: verify.head, bytes: expect.any(Number) })

    const lines = await backupLines(slug, made.id)
    expect(lines[0]).toMatchObject({ backup: 'revline', format: 1, tenant: slug, id: made.id, seq: made.seq, head: made.head, events: made.events, migration: { tag: expect.stringMatching(/^\d{4}_/) } })
    expect(lines.at(-1)).toEqual({ end: true, lines: lines.length })
    const tables = new Set(lines.slice(1, -1).map((l) => l.t))
    expect([...tables].sort()).toEqual(['api_keys', 'event_chain', 'event_upcasts', 'events', 'sources', 'subject_keys', 'tenant'])
    const events = lines.filter((l) => l.t === 'events')
    expect(events).toHaveLength(made.events)
    // Raw columns, `sealed` included; each event followed by its link, hashes in hex.
    expect(Object.keys(events[0].r)).toContain('sealed')
    const first = lines.findIndex((l) => l.t === 'events')
    expect(lines[first + 1]).toMatchObject({ t: 'event_chain', r: { seq: events[0].r.seq, hash: { $hex: expect.stringMatching(/^[0-9a-f]{64}$/) } } })
    // No sessions, outbox, idempotency or job state.
    for (const left of ['sessions', 'outbox', 'idempotency_keys', 'job_runs', 'aggregates', 'contacts']) expect(tables.has(left), left).toBe(false)

    const object = await env.BACKUPS.head(`tenants/${slug}/${made.id}.ndjson.gz`)
    expect(object!.customMetadata).toMatchObject({ tenant: slug, id: made.id, seq: String(made.seq), head: made.head, events: String(made.events) })
    expect(object!.size).toBe(made.bytes)

    const second = await backUp(api)
    const listed = await readOk(api, '/backups')
    expect(listed.data.map((b: { id: string }) => b.id)).toEqual([second.id, made.id])
    expect(listed.data[1]).toEqual({ ...made, kind: 'manual' })
    // The backup is in the log too.
    expect(await api.eventTypes()).toContain('backup.created')
  })

  it('is for admins: a member gets 403 on both routes, no key 401', async () => {
    const { slug, key } = await createTenant('bk-roles')
    const member = await issueKey(slug, key, 'member')
    expectProblem(await member.api.post('/backups'), 403, 'forbidden')
    expectProblem(await member.api.get('/backups'), 403, 'forbidden')
    expectProblem(await tenantApi(slug, null).post('/backups'), 401, 'unauthorized')
    expectProblem(await tenantApi(slug, 'rvl_nope').get('/backups'), 401, 'unauthorized')
  })

  it('keeps tenants apart: B cannot list or make A’s backups, and lists only its own', async () => {
    const a = await createTenant('bk-a')
    const b = await createTenant('bk-b')
    const made = await backUp(a.api)
    expectProblem(await tenantApi(a.slug, b.key).get('/backups'), 401, 'unauthorized')
    expectProblem(await tenantApi(a.slug, b.key).post('/backups'), 401, 'unauthorized')
    expect((await readOk(b.api, '/backups')).data).toEqual([])
    expect((await readOk(a.api, '/backups')).data.map((x: { id: string }) => x.id)).toEqual([made.id])
    // Restoring is the operator's: a tenant's admin key is not the operator token.
    expectProblem(await request('POST', '/tenants', { key: a.key, body: { slug: newSlug(), name: 'X', restoreFrom: { tenant: a.slug, backup: made.id } } }), 401, 'unauthorized')
  })
})

describe('restoring a backup into a new tenant', () => {
  it('rebuilds every entity row, the counters, the search index and the chain, and takes writes at once', async () => {
    const source = await busyTenant()
    const made = await backUp(source.api)
    const restored = await restore({ tenant: source.slug, backup: made.id })
    expect(restored.body).toMatchObject({ tenant: { slug: restored.slug, status: 'active' }, apiKey: expect.stringMatching(/^rvl_/), restored: { tenant: source.slug, backup: made.id, seq: made.seq, head: made.head, events: made.events } })

    expect(await storedState(restored.slug)).toEqual(await storedState(source.slug))
    expect(await readOk(restored.api, '/pipeline/summary')).toEqual(await readOk(source.api, '/pipeline/summary'))
    expect(await readOk(restored.api, '/pipeline/attribution')).toEqual(await readOk(source.api, '/pipeline/attribution'))
    for (const path of [`/contacts/${source.ada.$id}`, `/contacts/${source.ada.$id}/history`, `/projects/${source.project.$id}`, '/nouns/Contact', '/settings/capture'])
      expect(await readOk(restored.api, path), path).toEqual(await readOk(source.api, path))
    expect((await readOk(restored.api, '/search?q=ada')).data).toEqual((await readOk(source.api, '/search?q=ada')).data)

    // The chain verifies, with the source's head at that seq; then the restore is logged after it.
    const verified = await readOk(restored.api, '/events/verify')
    expect(verified).toMatchObject({ ok: true, count: made.events + 1 })
    const events = (await readOk(restored.api, `/events?after=${made.seq - 1}`)).data
    expect(events[0].hash).toBe(made.head)
    expect(events[1]).toMatchObject({ type: 'tenant.restored', actor: 'operator', data: { seq: made.seq, head: made.head } })

    // Writes at once, with the new key and with the source's keys (their hashes came along).
    expect((await restored.api.post('/leads', { name: 'After the restore', source: 'website' })).status).toBe(201)
    expect((await tenantApi(restored.slug, source.key).get('/contacts')).status).toBe(200)
    expect((await readOk(restored.api, '/events/verify')).ok).toBe(true)
  })

  it('restores up to untilSeq: leads bulk-deleted after it are back', async () => {
    const source = await createTenant('bulk-delete')
    const leads = []
    for (let i = 0; i < 6; i++) leads.push((await source.api.post('/leads', { name: `Lead ${i}`, source: 'website', budget: 1000 * i })).body)
    const before = await storedState(source.slug)
    const summaryBefore = await readOk(source.api, '/pipeline/summary')
    const point = (await readOk(source.api, '/events/verify')) as { count: number; head: string }
    for (const lead of leads) expect((await source.api.delete(`/leads/${lead.$id}`)).status).toBe(204)
    expect((await readOk(source.api, '/leads')).data).toEqual([])
    const made = await backUp(source.api)

    const restored = await restore({ tenant: source.slug, backup: made.id, untilSeq: point.count })
    expect(restored.body.restored).toMatchObject({ seq: point.count, head: point.head, events: point.count })
    expect(await storedState(restored.slug)).toEqual(before)
    expect(await readOk(restored.api, '/pipeline/summary')).toEqual(summaryBefore)
    expect((await readOk(restored.api, '/leads')).data.map((l: { $id: string }) => l.$id).sort()).toEqual(leads.map((l) => l.$id).sort())
    expect(await readOk(restored.api, '/events/verify')).toMatchObject({ ok: true, count: point.count + 1 })
  })

  it('says when the point cuts a write in two (a convert and what its hooks wrote)', async () => {
    const source = await createTenant('mid-write')
    const contact = (await source.api.post('/contacts', { name: 'Ada', email: 'ada@mid.dev', stage: 'Lead' })).body
    const lead = (await source.api.post('/leads', { name: 'Converted', source: 'referral', budget: 9000, contact: contact.$id, status: 'Qualified' })).body
    const converted = await source.api.post(`/leads/${lead.$id}/convert`)
    expect(converted.status, JSON.stringify(converted.body)).toBe(200)
    const events = (await readOk(source.api, '/events?limit=500')).data as { seq: number; type: string; requestId: string }[]
    const write = events.filter((e) => e.requestId === events.find((x) => x.type === 'lead.converted')!.requestId)
    expect(write.length).toBeGreaterThan(1)
    const made = await backUp(source.api)
    const cut = await restore({ tenant: source.slug, backup: made.id, untilSeq: write[0]!.seq })
    expect(cut.body.restored).toMatchObject({ seq: write[0]!.seq, midWrite: true })
    const whole = await restore({ tenant: source.slug, backup: made.id, untilSeq: write.at(-1)!.seq })
    expect(whole.body.restored.midWrite).toBeUndefined()
    expect((await readOk(whole.api, `/leads/${lead.$id}`)).status).toBe('Converted')
  })

  it('restores up to untilTime: the last event at or before it', async () => {
    const source = await createTenant('until-time')
    const early = (await source.api.post('/leads', { name: 'Early', source: 'website' })).body
    const at = (await readOk(source.api, `/events?entity=${early.$id}`)).data.at(-1).at as string
    const upTo = (await readOk(source.api, '/events/verify')).count
    await new Promise((resolve) => setTimeout(resolve, 20))
    await source.api.post('/leads', { name: 'Late', source: 'website' })
    const made = await backUp(source.api)
    const restored = await restore({ tenant: source.slug, backup: made.id, untilTime: at })
    expect(restored.body.restored.seq).toBe(upTo)
    expect((await readOk(restored.api, '/leads')).data.map((l: { name: string }) => l.name)).toEqual(['Early'])
  })

  it('brings back the schema of that point: a custom field added later is not there, its values neither', async () => {
    const source = await createTenant('schema-point')
    await source.api.put('/nouns/Contact', { tier: 'Gold | Silver' })
    const ada = (await source.api.post('/contacts', { name: 'Ada', email: 'ada@x.dev', tier: 'Gold' })).body
    const before = await storedState(source.slug)
    const point = (await readOk(source.api, '/events/verify')).count
    await source.api.put('/nouns/Contact', { tier: 'Gold | Silver', shoeSize: 'number# = 40' })
    await source.api.put('/nouns/Task', { title: 'string!' })
    await source.api.patch(`/contacts/${ada.$id}`, { shoeSize: 44 })
    await source.api.post('/tasks', { title: 'Later' })
    const made = await backUp(source.api)

    const restored = await restore({ tenant: source.slug, backup: made.id, untilSeq: point })
    expect(await storedState(restored.slug)).toEqual(before)
    expect((await readOk(restored.api, '/nouns/Contact')).custom).toEqual({ tier: 'Gold | Silver' })
    expectProblem(await restored.api.get('/tasks'), 404, 'not_found')
    // And the whole backup brings the later schema with its values.
    const whole = await restore({ tenant: source.slug, backup: made.id })
    expect(await storedState(whole.slug)).toEqual(await storedState(source.slug))
    expect((await readOk(whole.api, `/contacts/${ada.$id}`)).shoeSize).toBe(44)
  })

  it('brings back the settings of that point, and resets a section that names a field the schema then lacked', async () => {
    const source = await createTenant('settings-point')
    expect((await source.api.put('/settings/capture', { rateLimitPerMinute: 50 })).status).toBe(200)
    const captureAtPoint = (await readOk(source.api, '/settings/capture')).data
    const point = (await readOk(source.api, '/events/verify')).count
    expect((await source.api.put('/settings/capture', { rateLimitPerMinute: 99 })).status).toBe(200)
    expect((await source.api.put('/nouns/Lead', { seats: 'int' })).status).toBe(200)
    expect((await source.api.put('/settings/dashboard', { leadColumns: ['seats'] })).status).toBe(200)
    const made = await backUp(source.api)

    const restored = await restore({ tenant: source.slug, backup: made.id, untilSeq: point })
    expect((await readOk(restored.api, '/settings/capture')).data).toEqual(captureAtPoint)
    expect((await readOk(restored.api, '/settings/dashboard')).data).toEqual({ leadColumns: [], leadForm: [] })
    expect(restored.body.restored.settingsReset).toEqual(['dashboard'])
    // The whole backup keeps them as they were.
    const whole = await restore({ tenant: source.slug, backup: made.id })
    expect((await readOk(whole.api, '/settings/dashboard')).data).toEqual({ leadColumns: ['seats'], leadForm: [] })
    expect(whole.body.restored.settingsReset).toBeUndefined()
  })

  it('brings back a schema a manifest made: its event carries the document', async () => {
    const source = await createTenant('manifest-point')
    const manifest = { ...(await readOk(source.api, '/manifest')), nouns: { Contact: { tier: 'Gold | Silver' }, Project: { name: 'string!' } } }
    expect((await source.api.put('/manifest', manifest)).status).toBe(200)
    await source.api.post('/projects', { name: 'Rollout' })
    const atPoint = await readOk(source.api, '/manifest')
    const before = await storedState(source.slug)
    const point = (await readOk(source.api, '/events/verify')).count
    expect((await source.api.put('/nouns/Project', { name: 'string!', code: 'string##' })).status).toBe(200)
    await source.api.post('/projects', { name: 'Later', code: 'L-1' })
    const made = await backUp(source.api)

    const restored = await restore({ tenant: source.slug, backup: made.id, untilSeq: point })
    expect(await readOk(restored.api, '/manifest')).toEqual(atPoint)
    expect(await storedState(restored.slug)).toEqual(before)
  })

  it('resumes between steps: a restore in many small steps ends as the one-call restore does', async () => {
    const source = await busyTenant()
    const made = await backUp(source.api)
    const slug = newSlug('steps')
    await env.REGISTRY.getByName('registry').claim(slug, 'Steps')
    const stub = env.TENANT.getByName(slug)
    const init = { slug, name: 'Steps', adminKey: { id: 'key_stepsABCD', hash: 'a'.repeat(64) }, from: { tenant: source.slug, backup: made.id }, budget: { lines: 7, entities: 3 } }
    const phases: string[] = []
    for (let i = 0; i < 500; i++) {
      const outcome = (await stub.restore(init)) as any
      expect(outcome.ok, JSON.stringify(outcome)).toBe(true)
      phases.push(outcome.value.phase)
      if (outcome.value.done) break
      // Between steps the object answers as an unknown tenant.
      expect((await request('GET', `/~${slug}/contacts`, { key: source.key })).status).toBe(404)
    }
    expect(phases.at(-1)).toBe('done')
    expect(phases.filter((p) => p === 'log').length).toBeGreaterThan(5)
    expect(phases.filter((p) => p === 'fold').length).toBeGreaterThan(3)
    expect(await storedState(slug)).toEqual(await storedState(source.slug))
    expect(await readOk(tenantApi(slug, source.key), '/events/verify')).toMatchObject({ ok: true, count: made.events + 1 })
  })

  it('is carried on by the alarm when the caller goes away after the first step', async () => {
    const source = await createTenant('alarm')
    await source.api.post('/leads', { name: 'Carried on', source: 'website' })
    const made = await backUp(source.api)
    const slug = newSlug('alarm')
    await env.REGISTRY.getByName('registry').claim(slug, 'Alarm')
    const stub = env.TENANT.getByName(slug)
    const first = (await stub.restore({ slug, name: 'Alarm', adminKey: { id: 'key_alarmABCD', hash: 'b'.repeat(64) }, from: { tenant: source.slug, backup: made.id }, budget: { lines: 5, entities: 5 } })) as any
    expect(first.value.done).toBe(false)
    const status = (await request('GET', `/tenants/${slug}/restore`, { key: ADMIN_TOKEN })).body
    expect(status).toMatchObject({ slug, restoring: true, phase: expect.stringMatching(/^(log|fold|finish)$/) })
    expectProblem(await request('GET', `/tenants/${slug}/restore`, { key: source.key }), 401, 'unauthorized')
    for (let i = 0; i < 200 && (await request('GET', `/~${slug}/leads`, { key: source.key })).status === 404; i++) expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect((await readOk(tenantApi(slug, source.key), '/leads')).data.map((l: { name: string }) => l.name)).toEqual(['Carried on'])
    expect(await runDurableObjectAlarm(stub)).toBe(false)
    expect((await request('GET', `/tenants/${slug}/restore`, { key: ADMIN_TOKEN })).body).toEqual({ slug, restoring: false })
    expectProblem(await request('GET', '/tenants/never-was/restore', { key: ADMIN_TOKEN }), 404, 'not_found')
  })

  it('refuses hostile or impossible restoreFrom bodies with a 4xx naming the field, and takes no slug', async () => {
    const source = await createTenant('hostile')
    const made = await backUp(source.api)
    const slug = newSlug('hostile')
    const refused = async (restoreFrom: unknown, status: number, code: string, path: string) => {
      const res = await operator({ slug, name: 'X', restoreFrom })
      expectProblem(res, status, code, JSON.stringify(restoreFrom))
      expect(res.body.errors?.map((e: { path: string }) => e.path), JSON.stringify(restoreFrom)).toContain(path)
    }
    await refused({ tenant: 'no-such-tenant', backup: made.id }, 404, 'not_found', 'restoreFrom.tenant')
    await refused({ tenant: source.slug, backup: 'bkp_000000000' }, 404, 'not_found', 'restoreFrom.backup')
    await refused({ tenant: source.slug, backup: made.id, untilSeq: made.seq + 1 }, 422, 'validation_failed', 'restoreFrom.untilSeq')
    await refused({ tenant: source.slug, backup: made.id, untilSeq: 0 }, 422, 'validation_failed', 'restoreFrom.untilSeq')
    await refused({ tenant: source.slug, backup: made.id, untilSeq: -3 }, 422, 'validation_failed', 'restoreFrom.untilSeq')
    await refused({ tenant: source.slug, backup: made.id, untilSeq: 1.5 }, 422, 'validation_failed', 'restoreFrom.untilSeq')
    await refused({ tenant: source.slug, backup: made.id, untilSeq: '3' }, 422, 'validation_failed', 'restoreFrom.untilSeq')
    await refused({ tenant: source.slug, backup: made.id, untilSeq: 1, untilTime: new Date().toISOString() }, 422, 'validation_failed', 'restoreFrom.untilTime')
    await refused({ tenant: source.slug, backup: made.id, untilTime: 'yesterday' }, 422, 'validation_failed', 'restoreFrom.untilTime')
    await refused({ tenant: source.slug, backup: made.id, untilTime: '2000-01-01T00:00:00Z' }, 422, 'validation_failed', 'restoreFrom.untilTime')
    await refused({ tenant: source.slug, backup: made.id, untilTime: '2999-01-01T00:00:00Z' }, 422, 'validation_failed', 'restoreFrom.untilTime')
    await refused({ tenant: source.slug, backup: '../../etc/passwd' }, 422, 'validation_failed', 'restoreFrom.backup')
    await refused({ tenant: 'UPPER/../x', backup: made.id }, 422, 'validation_failed', 'restoreFrom.tenant')
    await refused({ tenant: source.slug }, 422, 'validation_failed', 'restoreFrom.backup')
    await refused({ tenant: source.slug, backup: made.id, extra: true }, 422, 'validation_failed', 'restoreFrom.extra')
    await refused('everything', 422, 'validation_failed', 'restoreFrom')
    await refused(null, 422, 'validation_failed', 'restoreFrom')
    const owner = await operator({ slug, name: 'X', owner: { email: 'o@x.dev', name: 'O' }, restoreFrom: { tenant: source.slug, backup: made.id } })
    expectProblem(owner, 422, 'validation_failed')
    // None of them took the slug; a taken slug is the usual 409.
    expect((await restore({ tenant: source.slug, backup: made.id }, slug)).slug).toBe(slug)
    expectProblem(await operator({ slug, name: 'X', restoreFrom: { tenant: source.slug, backup: made.id } }), 409, 'conflict')
  })

  it('refuses a backup that was altered, and leaves neither the slug nor the object behind', async () => {
    const source = await createTenant('tampered')
    await source.api.post('/leads', { name: 'Honest', source: 'website', budget: 100 })
    const made = await backUp(source.api)
    const lines = await backupLines(source.slug, made.id)
    const original = await env.BACKUPS.head(`tenants/${source.slug}/${made.id}.ndjson.gz`)
    const store = async (id: string, changed: any[]) => {
      const body = new Response(new Blob([`${changed.map((l) => JSON.stringify(l)).join('\n')}\n`]).stream().pipeThrough(new CompressionStream('gzip')))
      await env.BACKUPS.put(`tenants/${source.slug}/${id}.ndjson.gz`, await body.arrayBuffer(), { customMetadata: { ...original!.customMetadata, id } })
    }
    const forged = lines.map((l, i) =>
      i === 0 ? { ...l, id: 'bkp_forged123' } : l.t === 'events' && typeof l.r.after === 'string' && l.r.after.includes('"budget":100') ? { ...l, r: { ...l.r, after: l.r.after.replace('"budget":100', '"budget":900') } } : l,
    )
    await store('bkp_forged123', forged)
    const slug = newSlug('forged')
    const res = await operator({ slug, name: 'X', restoreFrom: { tenant: source.slug, backup: 'bkp_forged123' } })
    expectProblem(res, 422, 'validation_failed')
    expect(res.body.detail).toMatch(/does not verify/)
    expect(res.body.errors[0].path).toBe('restoreFrom.backup')
    expect(await env.REGISTRY.getByName('registry').has(slug)).toBe(false)
    // A backup copied under another name (its header names the original), or cut short, is refused too.
    await store('bkp_renamed12', lines)
    expectProblem(await operator({ slug, name: 'X', restoreFrom: { tenant: source.slug, backup: 'bkp_renamed12' } }), 422, 'validation_failed')
    await store('bkp_truncated', [{ ...lines[0], id: 'bkp_truncated' }, ...lines.slice(1, -3)])
    const truncated = await operator({ slug, name: 'X', restoreFrom: { tenant: source.slug, backup: 'bkp_truncated' } })
    expectProblem(truncated, 422, 'validation_failed')
    expect(truncated.body.detail).toMatch(/truncated/)
    const left = await runInDurableObject(env.TENANT.getByName(slug), (_i, state) => state.storage.sql.exec(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'events'`).one().n)
    expect(left).toBe(0)

    const garbage = `tenants/${source.slug}/bkp_garbage12.ndjson.gz`
    await env.BACKUPS.put(garbage, 'not gzip at all', { customMetadata: { ...original!.customMetadata, id: 'bkp_garbage12' } })
    expectProblem(await operator({ slug, name: 'X', restoreFrom: { tenant: source.slug, backup: 'bkp_garbage12' } }), 422, 'validation_failed')
  })
})

describe('the nightly backup (cron 0 2 * * *)', () => {
  async function deliver(body: unknown) {
    const batch = createMessageBatch('revline-jobs', [{ id: `msg-${counter++}`, timestamp: new Date(), attempts: 1, body }])
    const ctx = createExecutionContext()
    await handler.queue!(batch, env, ctx)
    return getQueueResult(batch, ctx)
  }

  it('fans out one backup job per active tenant', async () => {
    const { slug } = await createTenant('fan-out')
    const sent: unknown[] = []
    const jobs = { send: async () => {}, sendBatch: async (messages: Iterable<{ body: unknown }>) => void sent.push(...[...messages].map((m) => m.body)) } as unknown as Queue
    await handler.scheduled!(createScheduledController({ cron: '0 2 * * *', scheduledTime: Date.parse('2026-11-20T02:00:00Z') }), { ...env, JOBS: jobs } as Env, createExecutionContext())
    expect(sent).toContainEqual({ type: 'backup', tenant: slug, day: '2026-11-20' })
  })

  it('backs the tenant up once per day, however often the message comes, and deletes backups past retention', async () => {
    const { slug, api } = await createTenant('nightly')
    await api.post('/leads', { name: 'Nightly', source: 'website' })
    const manual = await backUp(api)
    // A backup from long ago (its metadata says when it was made).
    const old = await env.BACKUPS.get(`tenants/${slug}/${manual.id}.ndjson.gz`)
    await env.BACKUPS.put(`tenants/${slug}/bkp_old123456.ndjson.gz`, await old!.arrayBuffer(), { customMetadata: { ...old!.customMetadata, id: 'bkp_old123456', createdAt: '2026-01-01T02:00:00.000Z' } })
    const day = new Date().toISOString().slice(0, 10)

    const first = await deliver({ type: 'backup', tenant: slug, day })
    expect(first.explicitAcks).toHaveLength(1)
    const again = await deliver({ type: 'backup', tenant: slug, day })
    expect(again.explicitAcks).toHaveLength(1)

    const listed = (await readOk(api, '/backups')).data as { id: string; kind: string }[]
    expect(listed.map((b) => b.id).sort()).toEqual([manual.id, `nightly-${day}`].sort())
    expect(listed.find((b) => b.kind === 'nightly')).toBeDefined()
    const logged = (await readOk(api, '/events?type=backup.created')).data
    expect(logged.map((e: { actor: string; entityId: string }) => [e.actor, e.entityId])).toEqual([[expect.stringMatching(/^key_/), manual.id], ['system', `nightly-${day}`]])
    const runs = (await readOk(api, '/jobs')).data.filter((r: { type: string }) => r.type === 'tenantBackup')
    expect(runs).toMatchObject([{ id: `backup:${day}`, outcome: 'ok', changed: 1 }])

    // The nightly backup restores like any other.
    const restored = await restore({ tenant: slug, backup: `nightly-${day}` })
    expect((await readOk(restored.api, '/leads')).data.map((l: { name: string }) => l.name)).toEqual(['Nightly'])
  })

  it('does nothing for a tenant that is gone', async () => {
    const result = await deliver({ type: 'backup', tenant: 'never-was', day: '2026-11-20' })
    expect(result.explicitAcks).toHaveLength(1)
    expect(await env.BACKUPS.list({ prefix: 'tenants/never-was/' })).toMatchObject({ objects: [] })
  })
})
