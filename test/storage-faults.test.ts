/**
 * Writes that must be all or nothing, proved with real storage faults: a SQLite trigger created in
 * the tenant object (`RAISE(ABORT)`) makes one write fail the way a full disk or a corrupt page
 * would, with no test-only code in the app. Each test then drops the trigger and retries.
 *
 * - an import batch that cannot store one of its rows writes nothing of that batch, names the line,
 *   and a retry with the same Idempotency-Key writes only the rest;
 * - an Idempotency-Key's answer is remembered in the write's own transaction;
 * - a job's effects and its run's bookkeeping commit together.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { DEFAULT_RULESET } from '../src/domain/scoring/rules'
import { createTenant, expectProblem, type TenantApi } from './helpers'

const stub = (slug: string) => env.TENANT.getByName(slug)

/** Runs SQL in the tenant's own database (a trigger to add or drop). */
async function inTenant(slug: string, statement: string) {
  await runInDurableObject(stub(slug), (_instance, state) => {
    state.storage.sql.exec(statement)
  })
}

async function count(slug: string, query: string, ...binds: SqlStorageValue[]): Promise<number> {
  return runInDurableObject(stub(slug), (_instance, state) => state.storage.sql.exec<{ n: number }>(query, ...binds).one().n)
}

/** The analytics counters, as one comparable value. */
const aggregates = (slug: string) => runInDurableObject(stub(slug), (_instance, state) => state.storage.sql.exec('SELECT key, n, sum, extra FROM aggregates ORDER BY key').toArray())

const contactsCreated = (slug: string) => count(slug, `SELECT count(*) AS n FROM events WHERE type = 'contact.created'`)
const contactTotal = async (api: TenantApi) => (await api.get('/contacts')).body.total as number

/** Every event of an entity, the system's (jobs run as `system`) included. */
const eventTypesOf = async (api: TenantApi, entity: string): Promise<string[]> => (await api.get(`/events?limit=500&entity=${entity}`)).body.data.map((e: { type: string }) => e.type)

const FAULTY = 'Faulty Row'
const faultOn = (table: string, when = 'TRUE') => `CREATE TRIGGER storage_fault BEFORE INSERT ON ${table} WHEN ${when} BEGIN SELECT RAISE(ABORT, 'simulated storage fault'); END`
const DROP_FAULT = 'DROP TRIGGER storage_fault'

/**
 * 1,500 contacts: batch 1 is lines 2–1001, batch 2 lines 1002–1501. Line 11 (batch 1) and line 1101
 * (batch 2) are refused (an unknown stage, an unknown column value); line 1201 is the faulty row.
 */
function contactFile(): string {
  const rows = ['name,email,stage,favouriteColour']
  for (let i = 0; i < 1_500; i++) {
    const line = i + 2
    if (line === 11) rows.push(`Bad Stage ${i},row${i}@fault.dev,Bogus,`)
    else if (line === 1101) rows.push(`Colour Fan ${i},row${i}@fault.dev,Lead,blue`)
    else if (line === 1201) rows.push(`${FAULTY},row${i}@fault.dev,Lead,`)
    else rows.push(`Row ${i},row${i}@fault.dev,Lead,`)
  }
  return rows.join('\n') + '\n'
}

describe('Import, when a row cannot be stored', () => {
  it('writes nothing of that batch, names the line, keeps the batches before it, and a retry with the same key writes only the rest', async () => {
    const { slug, api } = await createTenant()
    await inTenant(slug, faultOn('contacts', `NEW.name = '${FAULTY}'`))
    const file = contactFile()
    const headers = { 'content-type': 'text/csv', 'idempotency-key': 'fault-import-1' }

    const failed = await api.post('/contacts/import', file, { headers })
    expectProblem(failed, 500, 'internal_error')
    expect(failed.body).toMatchObject({
      line: 1201,
      batch: { firstLine: 1002, lastLine: 1501 },
      imported: { created: 999, updated: 0, rejected: 1, rows: 1_000, errors: [{ line: 11, field: 'stage', message: expect.any(String) }] },
      resumable: true,
    })
    expect(failed.body.detail).toContain('line 1201')
    expect(failed.body.detail).toContain('same Idempotency-Key')
    expect(failed.body.detail).not.toMatch(/simulated storage fault|SQLITE/)
    // Batch 1 committed (its refused row aside); nothing of batch 2, its good rows included.
    expect(await contactTotal(api)).toBe(999)
    expect(await contactsCreated(slug)).toBe(999)
    expect((await api.get('/contacts?email=row1000@fault.dev')).body.total).toBe(0)
    expect((await api.get('/contacts?email=row1499@fault.dev')).body.total).toBe(0)

    await inTenant(slug, DROP_FAULT)
    const retry = await api.post('/contacts/import', file, { headers })
    expect(retry.status, JSON.stringify(retry.body).slice(0, 400)).toBe(200)
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    // Batch 1 replays its report (not counted again, not written again); batch 2 is written once.
    expect(retry.body).toMatchObject({ created: 1_498, updated: 0, rejected: 2, rows: 1_500 })
    expect(retry.body.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([
      [11, 'stage'],
      [1101, 'favouriteColour'],
    ])
    expect(await contactTotal(api)).toBe(1_498)
    expect(await contactsCreated(slug)).toBe(1_498)
    expect(await count(slug, 'SELECT count(DISTINCT email) AS n FROM contacts')).toBe(1_498)
    expect((await api.get(`/contacts?name=${encodeURIComponent(FAULTY)}`)).body.total).toBe(1)

    // Once more: everything replays, nothing is written.
    const again = await api.post('/contacts/import', file, { headers })
    expect(again.body).toMatchObject({ created: 1_498, rejected: 2 })
    expect(await contactsCreated(slug)).toBe(1_498)
  }, 120_000)

  it('without an Idempotency-Key, says which line to resume from', async () => {
    const { slug, api } = await createTenant()
    await inTenant(slug, faultOn('contacts', `NEW.name = '${FAULTY}'`))
    const failed = await api.post('/contacts/import', contactFile(), { headers: { 'content-type': 'text/csv' } })
    expectProblem(failed, 500, 'internal_error')
    expect(failed.body).toMatchObject({ line: 1201, batch: { firstLine: 1002 }, imported: { created: 999, rejected: 1 }, resumable: false })
    expect(failed.body.detail).toContain('from line 1002')
    expect(await contactsCreated(slug)).toBe(999)
  }, 120_000)

  it('in a small file (one batch), writes nothing at all, the refused and good rows around it included', async () => {
    const { slug, api } = await createTenant()
    await inTenant(slug, faultOn('contacts', `NEW.name = '${FAULTY}'`))
    const csv = ['name,stage', 'Good One,Lead', 'Bad,Bogus', `${FAULTY},Lead`, 'Good Two,Lead'].join('\n')
    const failed = await api.post('/contacts/import', csv, { headers: { 'content-type': 'text/csv' } })
    expectProblem(failed, 500, 'internal_error')
    expect(failed.body).toMatchObject({ line: 4, batch: { firstLine: 2, lastLine: 5 }, imported: { created: 0, updated: 0, rejected: 0, rows: 0 } })
    expect(await contactTotal(api)).toBe(0)
    expect(await api.eventTypes()).toEqual([])

    await inTenant(slug, DROP_FAULT)
    const retry = await api.post('/contacts/import', csv, { headers: { 'content-type': 'text/csv' } })
    expect(retry.body).toMatchObject({ created: 3, rejected: 1 })
    expect(await api.eventTypes()).toEqual(['contact.created', 'contact.created', 'contact.created'])
  })

  it('rolls back everything a row wrote before the fault (entity, event, its hook’s LeadScore) with the rest of its batch', async () => {
    const { slug, api } = await createTenant()
    // The fault comes last in the row's verb: the analytics counters, after the lead, its event and
    // the LeadScore (and its event) that the Lead.created hook wrote.
    const before = await aggregates(slug)
    await inTenant(slug, faultOn('aggregates', `EXISTS (SELECT 1 FROM leads WHERE name = '${FAULTY}')`))
    const ndjson = [JSON.stringify({ name: 'Lead One', source: 'website' }), JSON.stringify({ name: FAULTY, source: 'referral' }), JSON.stringify({ name: 'Lead Three', source: 'website' })].join('\n')
    const failed = await api.post('/leads/import', ndjson, { headers: { 'content-type': 'application/x-ndjson' } })
    expectProblem(failed, 500, 'internal_error')
    expect(failed.body.line).toBe(2)
    expect(await count(slug, 'SELECT count(*) AS n FROM leads')).toBe(0)
    expect(await count(slug, 'SELECT count(*) AS n FROM lead_scores')).toBe(0)
    expect(await api.eventTypes()).toEqual([])
    expect(await aggregates(slug)).toEqual(before)

    await inTenant(slug, DROP_FAULT)
    const retry = await api.post('/leads/import', ndjson, { headers: { 'content-type': 'application/x-ndjson' } })
    expect(retry.body).toMatchObject({ created: 3, rejected: 0 })
    expect(await count(slug, 'SELECT count(*) AS n FROM lead_scores')).toBe(3)
  })
})

describe('Idempotency-Key, when its answer cannot be stored', () => {
  it('rolls the write back with it, so the retry writes once', async () => {
    const { slug, api } = await createTenant()
    await inTenant(slug, faultOn('idempotency_keys'))
    const body = { name: 'Remembered', email: 'remembered@fault.dev' }
    const headers = { 'idempotency-key': 'remember-1' }
    expectProblem(await api.post('/contacts', body, { headers }), 500, 'internal_error')
    expect(await contactTotal(api)).toBe(0)
    expect(await api.eventTypes()).toEqual([])

    await inTenant(slug, DROP_FAULT)
    const first = await api.post('/contacts', body, { headers })
    expect(first.status, JSON.stringify(first.body)).toBe(201)
    const replay = await api.post('/contacts', body, { headers })
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.body.$id).toBe(first.body.$id)
    expect(await contactTotal(api)).toBe(1)
    expect(await api.eventTypes()).toEqual(['contact.created'])
  })
})

describe('A background job, when its run cannot be recorded', () => {
  it('rolls its effects back with it, so the redelivered job does them and counts them', async () => {
    const { slug, api } = await createTenant('score')
    const referral = (await api.post('/leads', { name: 'Referral lead', source: 'referral' })).body
    await api.post('/leads', { name: 'Website lead', source: 'website' })
    const rules = DEFAULT_RULESET.rules.map((r) => (r.id === 'referral-source' ? { ...r, points: 30 } : r))
    expect((await api.put('/settings/scoring', { ...DEFAULT_RULESET, rules })).status).toBe(200)

    await inTenant(slug, 'CREATE TRIGGER storage_fault BEFORE UPDATE ON job_runs BEGIN SELECT RAISE(ABORT, \'simulated storage fault\'); END')
    const job = { type: 'rescore', tenant: slug, runId: 'rescore:fault' } as const
    const refused = await stub(slug)
      .runJob(job)
      .then(
        () => null,
        (error: unknown) => error,
      )
    expect(refused).toBeInstanceOf(Error)
    expect((await api.get(`/leads/${referral.$id}`)).body.score).toBe(20)
    expect(await eventTypesOf(api, referral.$id)).toEqual(['lead.created'])
    expect((await api.get('/jobs')).body.data.find((r: { id: string }) => r.id === job.runId)).toBeUndefined()

    await inTenant(slug, DROP_FAULT)
    const outcome = (await stub(slug).runJob(job)) as { ok: boolean; value: unknown }
    expect(outcome).toMatchObject({ ok: true, value: { type: 'rescore', items: 2, changed: 1 } })
    expect((await api.get(`/leads/${referral.$id}`)).body.score).toBe(30)
    expect(await eventTypesOf(api, referral.$id)).toEqual(['lead.created', 'lead.rescored'])
    expect((await api.get('/jobs')).body.data.find((r: { id: string }) => r.id === job.runId)).toMatchObject({ items: 2, changed: 1, outcome: 'ok' })
  })
})

describe('A hook, when a write it makes through $ cannot be stored', () => {
  it('is a 500 internal_error that says nothing of the fault (not a 422 refusal), and nothing is written', async () => {
    const { slug, api } = await createTenant()
    const eventsBefore = (await api.get('/events?limit=500')).body.data.length
    // Creating a lead writes its LeadScore from an after hook, through $.
    await inTenant(slug, faultOn('lead_scores'))
    const res = await api.post('/leads', { name: 'Scored lead', source: 'referral' })
    expectProblem(res, 500, 'internal_error')
    expect(JSON.stringify(res.body)).not.toContain('simulated storage fault')
    expect((await api.get('/leads')).body.total).toBe(0)
    expect((await api.get('/events?limit=500')).body.data.length).toBe(eventsBefore)

    await inTenant(slug, DROP_FAULT)
    expect((await api.post('/leads', { name: 'Scored lead', source: 'referral' })).status).toBe(201)
  })
})
