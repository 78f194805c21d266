/**
 * Webhook sources: admins register a form provider (`POST /sources`, a Standard Webhooks secret and
 * a field mapping); the provider posts signed deliveries to `/sources/{id}/ingest`. Valid
 * deliveries capture a contact and a lead; redeliveries are answered from the first; unsigned,
 * forged or stale ones are 401 and write nothing.
 */
import { Webhook } from 'standardwebhooks'
import { beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, createTenant, issueKey, request, type ApiResponse, type TenantApi } from './helpers'
import { expectProblem } from './helpers'

/** Beyond the shared warm-up (test/warm-up.ts): the file's first source, out of the first test's budget. */
beforeAll(async () => {
  const { api } = await createTenant('warm')
  await api.post('/sources', { name: 'Warm-up', mapping: FULL_MAPPING })
})


/** The mapping of the issue's example: a provider that nests answers under `data`. */
const MAPPING = { email: 'data.email', firstName: 'data.first_name', lastName: 'data.last_name', company: 'data.company', budget: 'data.answers.budget', need: 'data.answers.need', source: 'data.source' }

/**
 * Every capture field mapped (unmapped ones to paths the payloads never have). POST /sources
 * refuses a partial mapping today (see the first test), so the flow tests use this one to exercise
 * signing and ingestion; the mapped fields are the same as MAPPING's.
 */
const CAPTURE_FIELDS = ['firstName', 'lastName', 'name', 'email', 'phone', 'company', 'title', 'source', 'sourceDetail', 'budget', 'authority', 'need', 'timeline', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content']
const FULL_MAPPING: Record<string, string> = { ...Object.fromEntries(CAPTURE_FIELDS.map((f) => [f, `unmapped.${f}`])), ...MAPPING }

async function createSource(api: TenantApi, name = 'Typeform') {
  const res = await api.post('/sources', { name, mapping: FULL_MAPPING })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body as { id: string; secret: string; ingestUrl: string; name: string }
}

let messages = 0
const newMessageId = () => `msg_${Date.now().toString(36)}${(messages++).toString(36)}`

/** A delivery signed the way a Standard Webhooks provider signs it. */
function signed(secret: string, payload: unknown, options: { id?: string; at?: Date } = {}) {
  const id = options.id ?? newMessageId()
  const at = options.at ?? new Date()
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload)
  return {
    id,
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, body),
    },
  }
}

const deliver = (slug: string, sourceId: string, delivery: { body: string; headers: Record<string, string> }, extra: Record<string, string> = {}) =>
  request('POST', `/~${slug}/sources/${sourceId}/ingest`, { body: delivery.body, headers: { ...delivery.headers, ...extra } })

const payload = (email: string, extra: Record<string, unknown> = {}) => ({
  type: 'form_response',
  data: { email, first_name: 'Grace', last_name: 'Hopper', company: 'Navy Labs', source: 'partner', answers: { budget: 12000, need: 'Compilers' }, ...extra },
})

async function counts(api: TenantApi) {
  return {
    contacts: (await api.get('/contacts')).body.total as number,
    leads: (await api.get('/leads')).body.total as number,
    events: (await api.events()).length,
  }
}

describe('Webhook sources (admin)', () => {
  it('creates a source with a partial mapping such as { email, firstName, ... }', async () => {
    const { api } = await createTenant()
    const res = await api.post('/sources', { name: 'Typeform', mapping: MAPPING })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^source_/), mapping: MAPPING, secret: expect.stringMatching(/^whsec_/) })
  })

  it('creates a source: 201 with id, a whsec_ secret shown once and the ingest URL; the list hides secrets', async () => {
    const { slug, keyId, api } = await createTenant()
    const res = await api.post('/sources', { name: 'Typeform', mapping: FULL_MAPPING }, { headers: { 'x-request-id': 'req-source-1' } })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^source_[0-9A-Za-z]{9}$/),
      name: 'Typeform',
      mapping: FULL_MAPPING,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+=*$/),
      createdAt: expect.any(String),
      createdBy: keyId,
    })
    expect(res.body.ingestUrl).toBe(`http://revline.test/~${slug}/sources/${res.body.id}/ingest`)

    // a secret of the caller's choosing is accepted too
    const chosen = await api.post('/sources', { name: 'Own secret', secret: 'whsec_' + btoa('0123456789abcdef0123456789abcdef'), mapping: FULL_MAPPING })
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(201)

    const listed = await api.get('/sources')
    expect(listed.status).toBe(200)
    expect(listed.body.data.map((s: { id: string }) => s.id)).toEqual([res.body.id, chosen.body.id])
    const text = JSON.stringify(listed.body)
    expect(text).not.toContain(res.body.secret)
    expect(text).not.toContain('whsec_')
    for (const s of listed.body.data) {
      expect(s).not.toHaveProperty('secret')
      expect(s).toMatchObject({ lastReceivedAt: null, revokedAt: null })
    }
    const [event] = await api.events('type=source.created')
    expect(event).toMatchObject({ entityId: res.body.id, actor: keyId, actorRole: 'admin', requestId: 'req-source-1' })
    expect(JSON.stringify(await api.events())).not.toContain('whsec_')
  })

  it('refuses invalid sources with 422: no name, no email mapping, a bad path, an unknown field, a bad secret', async () => {
    const { api } = await createTenant()
    const cases = [
      { mapping: FULL_MAPPING },
      { name: 'No email', mapping: { ...FULL_MAPPING, email: undefined } },
      { name: 'Bad path', mapping: { ...FULL_MAPPING, email: 'data..email' } },
      { name: 'A field name that is not a name', mapping: { ...FULL_MAPPING, 'favourite colour': 'data.colour' } },
      { name: 'A capture field in the wrong case', mapping: { ...FULL_MAPPING, firstname: 'data.first_name' } },
      { name: 'A honeypot name', mapping: { ...FULL_MAPPING, website: 'data.site' } },
      { name: 'A redirect', mapping: { ...FULL_MAPPING, redirect: 'data.thanks' } },
      { name: 'Bad secret', secret: 'hunter2', mapping: FULL_MAPPING },
    ]
    for (const body of cases) expectProblem(await api.post('/sources', JSON.parse(JSON.stringify(body))), 422, 'validation_failed', body.name)
    expect((await api.get('/sources')).body.data).toEqual([])
  })

  it('is admin-only', async () => {
    const { slug, key, api } = await createTenant()
    const member = await issueKey(slug, key, 'member')
    expectProblem(await member.api.post('/sources', { name: 'x', mapping: FULL_MAPPING }), 403, 'forbidden')
    expectProblem(await member.api.get('/sources'), 403, 'forbidden')
    expect((await api.get('/sources')).body.data).toEqual([])
  })
})

describe('Signed ingestion', () => {
  it('captures a valid delivery: 201, a contact and a lead with the mapped fields, as the source', async () => {
    const { slug, api } = await createTenant()
    const source = await createSource(api)
    const delivery = signed(source.secret, payload('Grace.Hopper@Navy.MIL'))
    const res = await deliver(slug, source.id, delivery, { 'x-request-id': 'req-hook-1' })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toEqual({ ok: true, contact: expect.stringMatching(/^contact_/), lead: expect.stringMatching(/^lead_/) })

    const contact = (await api.get(`/contacts/${res.body.contact}`)).body
    expect(contact).toMatchObject({ name: 'Grace Hopper', firstName: 'Grace', lastName: 'Hopper', email: 'grace.hopper@navy.mil', source: 'partner', stage: 'Lead' })
    expect((await api.get(`/organizations/${contact.organization}`)).body.name).toBe('Navy Labs')
    const lead = (await api.get(`/leads/${res.body.lead}`)).body
    expect(lead).toMatchObject({ contact: contact.$id, status: 'New', source: 'partner', budget: 12000, need: 'Compilers', firstTouchAt: expect.any(String) })

    const events = await api.events()
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['contact.captured', 'lead.created']))
    for (const e of events.filter((e) => e.type !== 'source.created')) expect(e).toMatchObject({ actor: `source:${source.id}`, actorRole: 'public', requestId: 'req-hook-1' })
    const listed = (await api.get('/sources')).body.data[0]
    expect(Date.parse(listed.lastReceivedAt)).not.toBeNaN()
  })

  it('answers a redelivery (same webhook-id) with 200 { duplicate: true } and writes nothing new', async () => {
    const { slug, api } = await createTenant()
    const source = await createSource(api)
    const first = signed(source.secret, payload('dup@hooks.dev'))
    const created = await deliver(slug, source.id, first)
    expect(created.status).toBe(201)
    const base = await counts(api)
    expect(base).toMatchObject({ contacts: 1, leads: 1 })

    // the very same delivery, and a re-signed one with the same id a moment later
    const again = await deliver(slug, source.id, first)
    expect(again.status, JSON.stringify(again.body)).toBe(200)
    expect(again.body).toEqual({ ok: true, contact: created.body.contact, lead: created.body.lead, duplicate: true })
    const resigned = signed(source.secret, payload('dup@hooks.dev'), { id: first.id, at: new Date(Date.now() + 1000) })
    const third = await deliver(slug, source.id, resigned)
    expect(third.status).toBe(200)
    expect(third.body.duplicate).toBe(true)
    expect(await counts(api)).toEqual(base)

    // a new id is a new delivery: same contact, its open lead, a second submission on it
    const next = await deliver(slug, source.id, signed(source.secret, payload('DUP@hooks.dev')))
    expect(next.status).toBe(201)
    expect(next.body).toEqual({ ok: true, contact: created.body.contact, lead: created.body.lead })
    expect(await counts(api)).toMatchObject({ contacts: 1, leads: 1 })
    expect((await api.get(`/activities?lead=${created.body.lead}`)).body.total).toBe(2)
  })

  it('refuses unsigned, forged and stale deliveries with 401 and writes nothing', async () => {
    const { slug, api } = await createTenant()
    const source = await createSource(api)
    const other = await createSource(api, 'Other')
    const base = await counts(api)
    const good = signed(source.secret, payload('victim@hooks.dev'))

    for (const header of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const headers = { ...good.headers } as Record<string, string>
      delete headers[header]
      expectProblem(await request('POST', `/~${slug}/sources/${source.id}/ingest`, { body: good.body, headers }), 401, 'unauthorized', `without ${header}`)
    }
    const cases: [string, { body: string; headers: Record<string, string> }][] = [
      ['signed with another secret', signed(other.secret, payload('victim@hooks.dev'))],
      ['garbage signature', { ...good, headers: { ...good.headers, 'webhook-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' } }],
      ['tampered body', { ...good, body: JSON.stringify(payload('attacker@evil.dev')) }],
      ['another webhook-id', { ...good, headers: { ...good.headers, 'webhook-id': 'msg_other' } }],
      ['10 minutes old', signed(source.secret, payload('victim@hooks.dev'), { at: new Date(Date.now() - 10 * 60 * 1000) })],
      ['10 minutes ahead', signed(source.secret, payload('victim@hooks.dev'), { at: new Date(Date.now() + 10 * 60 * 1000) })],
    ]
    for (const [what, delivery] of cases) expectProblem(await deliver(slug, source.id, delivery), 401, 'unauthorized', what)
    expect(await counts(api)).toEqual(base)
    expect((await api.get('/sources')).body.data.every((s: { lastReceivedAt: null }) => s.lastReceivedAt === null)).toBe(true)
    // the good one still goes through afterwards
    expect((await deliver(slug, source.id, good)).status).toBe(201)
  })

  it('validates the mapped fields like a form (422 naming email) and writes nothing', async () => {
    const { slug, api } = await createTenant()
    const source = await createSource(api)
    const base = await counts(api)
    const res = await deliver(slug, source.id, signed(source.secret, { data: { first_name: 'No Email' } }))
    expectProblem(res, 422, 'validation_failed')
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('email')
    expect(await counts(api)).toEqual(base)
  })

  it('takes a mapped source that is not one of seed 003’s as `other`, keeping it in sourceDetail, as capture does', async () => {
    const { slug, api } = await createTenant()
    const source = await createSource(api)
    const res = await deliver(slug, source.id, signed(source.secret, payload('billboard@hooks.dev', { source: 'billboard' })))
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect((await api.get(`/leads/${res.body.lead}`)).body).toMatchObject({ source: 'other', sourceDetail: 'billboard' })
    expect((await api.get(`/contacts/${res.body.contact}`)).body.source).toBe('other')
    const known = await deliver(slug, source.id, signed(source.secret, payload('known@hooks.dev', { source: 'Referral' })))
    expect((await api.get(`/leads/${known.body.lead}`)).body).toMatchObject({ source: 'referral' })
  })

  it('records mapped free-text fields (and every mapped field) as the Form submission on the lead', async () => {
    const { slug, api } = await createTenant()
    const created = await api.post('/sources', { name: 'Tally', mapping: { email: 'data.email', firstName: 'data.first_name', message: 'data.comments', company_size: 'data.answers.size', interests: 'data.answers.interests' } })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const source = created.body as { id: string; secret: string }
    const body = { data: { email: 'tally@hooks.dev', first_name: 'Ada', comments: 'Please call me.\nAfternoons are best.', answers: { size: 42, interests: ['CRM', 'Billing'] }, ignored: 'not mapped' } }
    const res = await deliver(slug, source.id, signed(source.secret, body))
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const [note] = (await api.get(`/activities?lead=${res.body.lead}`)).body.data
    expect(note).toMatchObject({ subject: 'Form submission', type: 'Note', status: 'Done', contact: res.body.contact })
    expect(note.body).toBe('email: tally@hooks.dev\nfirstName: Ada\nmessage:\n  Please call me.\n  Afternoons are best.\ncompany_size: 42\ninterests: CRM, Billing')
  })

  it('answers 404 once the source is revoked, for unknown sources and on unknown or suspended tenants', async () => {
    const { slug, keyId, api } = await createTenant()
    const source = await createSource(api)
    const revoked = await api.delete(`/sources/${source.id}`)
    expect(revoked.status).toBe(200)
    expect(revoked.body).toMatchObject({ id: source.id, revokedAt: expect.any(String) })
    expect((await api.get('/sources')).body.data[0].revokedAt).toBe(revoked.body.revokedAt)
    const base = await counts(api)
    expectProblem(await deliver(slug, source.id, signed(source.secret, payload('late@hooks.dev'))), 404, 'not_found')
    expectProblem(await api.delete(`/sources/${source.id}`), 404, 'not_found')
    expectProblem(await deliver(slug, 'source_000000000', signed(source.secret, payload('late@hooks.dev'))), 404, 'not_found')
    expectProblem(await deliver(slug, 'not-a-source', signed(source.secret, payload('late@hooks.dev'))), 404, 'not_found')
    expectProblem(await deliver(`nobody-${Date.now().toString(36)}`, source.id, signed(source.secret, payload('late@hooks.dev'))), 404, 'not_found')
    expect(await counts(api)).toEqual(base)
    expect((await api.events('type=source.revoked'))[0]).toMatchObject({ entityId: source.id, actor: keyId, actorRole: 'admin' })

    const live = await createSource(api, 'Live')
    expect((await request('POST', `/tenants/${slug}/suspend`, { key: ADMIN_TOKEN })).status).toBe(200)
    expectProblem(await deliver(slug, live.id, signed(live.secret, payload('held@hooks.dev'))), 404, 'not_found')
    expect((await request('POST', `/tenants/${slug}/reactivate`, { key: ADMIN_TOKEN })).status).toBe(200)
    expect((await deliver(slug, live.id, signed(live.secret, payload('back@hooks.dev')))).status).toBe(201)
  })

  it("does not accept a source of tenant A on tenant B's path (404), even correctly signed", async () => {
    const a = await createTenant('a')
    const b = await createTenant('b')
    const source = await createSource(a.api)
    expectProblem(await deliver(b.slug, source.id, signed(source.secret, payload('cross@hooks.dev'))), 404, 'not_found')
    expect(await counts(b.api)).toEqual({ contacts: 0, leads: 0, events: 0 })
    expect((await counts(a.api)).contacts).toBe(0)
  })

  it('refuses a payload over 64 KB with 413', async () => {
    const { slug, api } = await createTenant()
    const source = await createSource(api)
    const res = await deliver(slug, source.id, signed(source.secret, payload('big@hooks.dev', { notes: 'x'.repeat(65 * 1024) })))
    expectProblem(res, 413, 'payload_too_large')
    expect((await counts(api)).contacts).toBe(0)
  })
})
