/**
 * `Idempotency-Key` on POST: the first successful answer is kept; the same key with the same
 * request replays it (`Idempotent-Replayed: true`, nothing written again); the same key with another
 * request is a 422; keys are scoped to the calling API key.
 */
import { describe, expect, it } from 'vitest'
import { createTenant, issueKey, type ApiResponse, type TenantApi } from './helpers'
import { expectProblem } from './helpers'


const idem = (key: string, extra: Record<string, string> = {}) => ({ headers: { 'idempotency-key': key, ...extra } })

async function contactCount(api: TenantApi): Promise<number> {
  return (await api.get('/contacts')).body.total
}

describe('Idempotency-Key', () => {
  it('replays the same POST: same answer, Idempotent-Replayed: true, one contact and one event', async () => {
    const { keyId, api } = await createTenant()
    const body = { name: 'Once Only', email: 'once@idem.dev', stage: 'Lead' }
    const first = await api.post('/contacts', body, idem('create-once-1', { 'x-request-id': 'req-idem-1' }))
    expect(first.status, JSON.stringify(first.body)).toBe(201)
    expect(first.headers.get('idempotent-replayed')).toBeNull()

    const second = await api.post('/contacts', body, idem('create-once-1', { 'x-request-id': 'req-idem-2' }))
    expect(second.status).toBe(201)
    expect(second.headers.get('idempotent-replayed')).toBe('true')
    expect(second.body).toEqual(first.body)
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'))
    expect(second.headers.get('location')).toBe(first.headers.get('location'))

    // a third time still replays, and nothing was written after the first
    const third = await api.post('/contacts', body, idem('create-once-1'))
    expect(third.headers.get('idempotent-replayed')).toBe('true')
    expect(third.body.$id).toBe(first.body.$id)
    expect(await contactCount(api)).toBe(1)
    const events = await api.events()
    expect(events.map((e) => e.type)).toEqual(['contact.created'])
    expect(events[0]).toMatchObject({ entityId: first.body.$id, actor: keyId, actorRole: 'admin', requestId: 'req-idem-1' })
  })

  it('writes once when the same request races itself', async () => {
    const { api } = await createTenant()
    const body = { name: 'Racer', email: 'race@idem.dev' }
    const answers = await Promise.all([1, 2, 3].map(() => api.post('/contacts', body, idem('race-1'))))
    for (const res of answers) expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(new Set(answers.map((r) => r.body.$id)).size).toBe(1)
    expect(answers.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(2)
    expect(await contactCount(api)).toBe(1)
    expect(await api.eventTypes()).toEqual(['contact.created'])
  })

  it('answers 422 for the same key with a different body, and writes nothing', async () => {
    const { api } = await createTenant()
    const first = await api.post('/contacts', { name: 'Original' }, idem('reused-key'))
    expect(first.status).toBe(201)
    const res = await api.post('/contacts', { name: 'Different' }, idem('reused-key'))
    expectProblem(res, 422, 'validation_failed')
    expect(res.headers.get('idempotent-replayed')).toBeNull()
    // another path with the same key is another request, too
    expectProblem(await api.post('/organizations', { name: 'Original' }, idem('reused-key')), 422, 'validation_failed')
    expect(await contactCount(api)).toBe(1)
    expect((await api.get('/organizations')).body.total).toBe(0)
    expect(await api.eventTypes()).toEqual(['contact.created'])
  })

  it('creates two contacts for two different keys with the same body', async () => {
    const { api } = await createTenant()
    const a = await api.post('/contacts', { name: 'Twin' }, idem('twin-a'))
    const b = await api.post('/contacts', { name: 'Twin' }, idem('twin-b'))
    expect(a.status).toBe(201)
    expect(b.status).toBe(201)
    expect(b.headers.get('idempotent-replayed')).toBeNull()
    expect(a.body.$id).not.toBe(b.body.$id)
    expect(await contactCount(api)).toBe(2)
    // without a key nothing is deduplicated either
    await api.post('/contacts', { name: 'Twin' })
    expect(await contactCount(api)).toBe(3)
  })

  it('replays a verb (qualify) instead of answering 409 for the second run', async () => {
    const { api } = await createTenant()
    const contact = (await api.post('/contacts', { name: 'Qualify Me', email: 'q@idem.dev', stage: 'Lead' })).body
    const first = await api.post(`/contacts/${contact.$id}/qualify`, undefined, idem('qualify-1'))
    expect(first.status, JSON.stringify(first.body)).toBe(200)
    expect(first.body.stage).toBe('Qualified')
    const replay = await api.post(`/contacts/${contact.$id}/qualify`, undefined, idem('qualify-1'))
    expect(replay.status, JSON.stringify(replay.body)).toBe(200)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.body).toEqual(first.body)
    // without the key (or with a new one) the second run is the 409 it would be
    expectProblem(await api.post(`/contacts/${contact.$id}/qualify`), 409, 'invalid_transition')
    expectProblem(await api.post(`/contacts/${contact.$id}/qualify`, undefined, idem('qualify-2')), 409, 'invalid_transition')
    expect(await api.eventTypes(contact.$id)).toEqual(['contact.created', 'contact.qualified'])
  })

  it('scopes keys to the caller: another API key with the same Idempotency-Key is not replayed the first answer', async () => {
    const { slug, key, keyId, api } = await createTenant()
    const member = await issueKey(slug, key, 'member')
    const body = { name: 'Shared Key' }
    const mine = await api.post('/contacts', body, idem('shared-key'))
    expect(mine.status).toBe(201)
    const theirs = await member.api.post('/contacts', body, idem('shared-key'))
    expect(theirs.status).toBe(201)
    expect(theirs.headers.get('idempotent-replayed')).toBeNull()
    expect(theirs.body.$id).not.toBe(mine.body.$id)
    expect(theirs.body.$createdBy).toBe(member.id)
    // each caller's own retry replays its own answer
    const theirsAgain = await member.api.post('/contacts', body, idem('shared-key'))
    expect(theirsAgain.headers.get('idempotent-replayed')).toBe('true')
    expect(theirsAgain.body.$id).toBe(theirs.body.$id)
    const mineAgain = await api.post('/contacts', body, idem('shared-key'))
    expect(mineAgain.body.$id).toBe(mine.body.$id)
    // and a different body under the other caller's key is not a conflict with mine
    expect((await member.api.post('/contacts', { name: 'Other' }, idem('admin-only-key'))).status).toBe(201)
    expect(await contactCount(api)).toBe(3)
    const created = (await api.events('type=contact.created')).map((e) => e.actor)
    expect(created).toEqual([keyId, member.id, member.id])
  })

  it('does not remember failures: the same key can be retried once the request is fixed', async () => {
    const { api } = await createTenant()
    expectProblem(await api.post('/contacts', { name: 7 }, idem('fix-me')), 422, 'validation_failed')
    const fixed = await api.post('/contacts', { name: 'Fixed' }, idem('fix-me'))
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(201)
    expect(fixed.headers.get('idempotent-replayed')).toBeNull()
    expect(await contactCount(api)).toBe(1)
  })

  it('replays key creation without showing the secret again, and issues one key', async () => {
    const { api } = await createTenant()
    const first = await api.post('/keys', { role: 'member', name: 'Retry-safe' }, idem('key-1'))
    expect(first.status).toBe(201)
    expect(first.body.key).toMatch(/^rvl_/)
    const replay = await api.post('/keys', { role: 'member', name: 'Retry-safe' }, idem('key-1'))
    expect(replay.status).toBe(201)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.body).toEqual({ id: first.body.id, role: 'member', name: 'Retry-safe', user: null, createdAt: first.body.createdAt })
    expect((await api.get('/keys')).body.data).toHaveLength(2)
    expect(await api.eventTypes()).toEqual(['apikey.created'])
  })

  it('replays an import with the same key instead of importing the rows twice', async () => {
    const { api } = await createTenant()
    const csv = 'name,email\nImported Once,imported@idem.dev\nSecond Row,second@idem.dev\n'
    const first = await api.post('/contacts/import', csv, { headers: { 'content-type': 'text/csv', 'idempotency-key': 'import-1' } })
    expect(first.status, JSON.stringify(first.body)).toBe(200)
    expect(first.body).toMatchObject({ created: 2, updated: 0, rejected: 0 })
    const replay = await api.post('/contacts/import', csv, { headers: { 'content-type': 'text/csv', 'idempotency-key': 'import-1' } })
    expect(replay.status, JSON.stringify(replay.body)).toBe(200)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.body).toMatchObject({ created: 2, updated: 0, rejected: 0 })
    expect(await contactCount(api)).toBe(2)
    expect(await api.eventTypes()).toEqual(['contact.created', 'contact.created'])
  })

  it('imports every batch of a large import sent with an Idempotency-Key', async () => {
    const { api } = await createTenant()
    const rows = ['name,email', ...Array.from({ length: 1_500 }, (_, i) => `Row ${i},row${i}@idem.dev`)]
    const res = await api.post('/contacts/import', rows.join('\n') + '\n', { headers: { 'content-type': 'text/csv', 'idempotency-key': 'big-import-1' } })
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200)
    expect(res.body).toMatchObject({ created: 1_500, updated: 0, rejected: 0, rows: 1_500 })
    expect(await contactCount(api)).toBe(1_500)
  }, 60_000)

  it('resumes an interrupted import: a retry replays the applied batches and writes only the rest', async () => {
    const { api } = await createTenant()
    const header = 'name,email'
    const rows = Array.from({ length: 1_500 }, (_, i) => `Row ${i},resume${i}@idem.dev`)
    // The first attempt "dies" after its first batch of 1,000 rows: send exactly those rows with the key.
    const partial = await api.post('/contacts/import', [header, ...rows.slice(0, 1_000)].join('\n') + '\n', { headers: { 'content-type': 'text/csv', 'idempotency-key': 'resume-1' } })
    expect(partial.body).toMatchObject({ created: 1_000 })
    const retry = await api.post('/contacts/import', [header, ...rows].join('\n') + '\n', { headers: { 'content-type': 'text/csv', 'idempotency-key': 'resume-1' } })
    expect(retry.status, JSON.stringify(retry.body).slice(0, 300)).toBe(200)
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect(retry.body).toMatchObject({ created: 1_500, rejected: 0 })
    expect(await contactCount(api)).toBe(1_500)
    // Another file under the same key is refused where it differs.
    const other = await api.post('/contacts/import', [header, 'Someone else,else@idem.dev'].join('\n') + '\n', { headers: { 'content-type': 'text/csv', 'idempotency-key': 'resume-1' } })
    expect(other.status).toBe(422)
    expect(await contactCount(api)).toBe(1_500)
  }, 60_000)

  it('refuses a malformed Idempotency-Key with 400', async () => {
    const { api } = await createTenant()
    expectProblem(await api.post('/contacts', { name: 'x' }, idem('x'.repeat(256))), 400, 'bad_request')
    expectProblem(await api.post('/contacts', { name: 'x' }, idem('has space')), 400, 'bad_request')
    expect(await contactCount(api)).toBe(0)
  })
})
