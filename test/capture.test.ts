/**
 * Public lead capture (seed 003 `crm.leads.capture`): POST /~{slug}/capture without a key, as JSON,
 * urlencoded or multipart; validation, lead sources and UTM attribution, redirects, honeypots, the
 * per-client rate limit, size and type limits, unknown and suspended tenants, and CORS.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, createTenant, rawRequest, request, type ApiResponse, type TenantApi } from './helpers'
import { expectProblem } from './helpers'

/** Beyond the shared warm-up (test/warm-up.ts): the file's first capture, out of the first test's budget. */
beforeAll(async () => {
  const { slug } = await createTenant('warm')
  await request('POST', `/~${slug}/capture`, { body: { email: 'warm@up.dev' } })
})


const paths = (res: ApiResponse): string[] => (res.body.errors ?? []).map((e: { path: string }) => e.path)

/** A JSON capture; `headers` may carry cf-connecting-ip, origin, x-request-id. */
const capture = (slug: string, body: unknown, headers: Record<string, string> = {}) => request('POST', `/~${slug}/capture`, { body, headers })

/** How much the tenant holds: contacts, leads and non-provisioning events. */
async function stored(api: TenantApi) {
  return {
    contacts: (await api.get('/contacts')).body.total as number,
    leads: (await api.get('/leads')).body.total as number,
    events: (await api.events()).length,
  }
}

const PUBLIC_ACTOR = /^public:[0-9a-f]{16}$/

async function expectCaptured(api: TenantApi, res: ApiResponse) {
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  expect(res.body).toEqual({ ok: true, contact: expect.stringMatching(/^contact_/), lead: expect.stringMatching(/^lead_/) })
  const contact = (await api.get(`/contacts/${res.body.contact}`)).body
  const lead = (await api.get(`/leads/${res.body.lead}`)).body
  expect(lead.contact).toBe(contact.$id)
  expect(lead.status).toBe('New')
  expect(Date.parse(lead.firstTouchAt)).not.toBeNaN()
  return { contact, lead }
}

/** Waits for a fresh rate-limit window when the current minute is about to end. */
async function freshWindow(needMs = 10_000) {
  const left = 60_000 - (Date.now() % 60_000)
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 100))
}

describe('Capture content types', () => {
  it('captures application/json: a contact (email lowercased) and a New lead, as a public actor', async () => {
    const { slug, api } = await createTenant()
    const res = await capture(
      slug,
      { firstName: 'Jane', lastName: 'Smith', email: '  Jane.Smith@Example.COM ', source: 'website', company: 'Acme Ltd', title: 'VP Marketing', phone: '+1 555 0100' },
      { 'x-request-id': 'req-capture-json', 'cf-connecting-ip': '203.0.113.10' },
    )
    const { contact, lead } = await expectCaptured(api, res)
    expect(contact).toMatchObject({ name: 'Jane Smith', firstName: 'Jane', lastName: 'Smith', email: 'jane.smith@example.com', stage: 'Lead', status: 'Active', source: 'website', title: 'VP Marketing', phone: '+1 555 0100' })
    expect(contact.organization).toMatch(/^organization_/)
    expect((await api.get(`/organizations/${contact.organization}`)).body.name).toBe('Acme Ltd')
    expect(lead).toMatchObject({ name: 'Jane Smith (website)', source: 'website', status: 'New', organization: contact.organization })

    const events = await api.events()
    const types = events.map((e) => e.type)
    expect(types).toEqual(expect.arrayContaining(['contact.captured', 'lead.created']))
    const actors = new Set(events.map((e) => e.actor))
    expect(actors.size).toBe(1)
    for (const e of events) expect(e).toMatchObject({ actor: expect.stringMatching(PUBLIC_ACTOR), actorRole: 'public', requestId: 'req-capture-json' })
    // the IP itself is never stored
    expect(JSON.stringify(events)).not.toContain('203.0.113.10')
  })

  it('captures application/x-www-form-urlencoded, coercing BANT answers', async () => {
    const { slug, api } = await createTenant()
    const body = new URLSearchParams({ name: 'Ravi Patel', email: 'RAVI@Form.dev', source: 'referral', budget: '25000', authority: 'CFO signs off', need: 'A CRM that scales', timeline: 'Q3', submit: 'Send' })
    const res = await rawRequest('POST', `/~${slug}/capture`, { body })
    const { contact, lead } = await expectCaptured(api, res)
    expect(contact).toMatchObject({ name: 'Ravi Patel', email: 'ravi@form.dev', source: 'referral' })
    expect(lead).toMatchObject({ source: 'referral', budget: 25000, authority: 'CFO signs off', need: 'A CRM that scales', timeline: 'Q3' })
    for (const e of await api.events()) expect(e).toMatchObject({ actor: expect.stringMatching(PUBLIC_ACTOR), actorRole: 'public' })
  })

  it('captures multipart/form-data (text fields only)', async () => {
    const { slug, api } = await createTenant()
    const form = new FormData()
    form.append('firstName', 'Mia')
    form.append('lastName', 'Wong')
    form.append('email', 'Mia.Wong@Multi.dev')
    form.append('source', 'event')
    form.append('need', 'Badge scanning')
    form.append('attachment', new Blob(['not a lead field'], { type: 'text/plain' }), 'notes.txt')
    const res = await rawRequest('POST', `/~${slug}/capture`, { body: form })
    const { contact, lead } = await expectCaptured(api, res)
    expect(contact).toMatchObject({ name: 'Mia Wong', email: 'mia.wong@multi.dev', source: 'event' })
    expect(lead).toMatchObject({ source: 'event', need: 'Badge scanning' })
    for (const e of await api.events()) expect(e).toMatchObject({ actor: expect.stringMatching(PUBLIC_ACTOR), actorRole: 'public' })
  })

  it('reuses the contact case-insensitively on a second capture, fills its blanks and adds the submission to its open lead', async () => {
    const { slug, api } = await createTenant()
    const first = await capture(slug, { name: 'Repeat Visitor', email: 'repeat@visitor.dev', source: 'website' })
    expect(first.status).toBe(201)
    const second = await rawRequest('POST', `/~${slug}/capture`, { body: new URLSearchParams({ name: 'Someone Else', email: 'REPEAT@Visitor.DEV', phone: '+44 20 7946 0000', source: 'event' }) })
    expect(second.status, JSON.stringify(second.body)).toBe(201)
    expect(second.body).toEqual({ ok: true, contact: first.body.contact, lead: first.body.lead })
    const contact = (await api.get(`/contacts/${first.body.contact}`)).body
    // what it knew stays; blanks are filled
    expect(contact).toMatchObject({ name: 'Repeat Visitor', email: 'repeat@visitor.dev', phone: '+44 20 7946 0000', source: 'website' })
    expect((await api.get('/contacts')).body.total).toBe(1)
    const leads = (await api.get(`/leads?contact=${contact.$id}`)).body
    expect(leads.total).toBe(1)
    // the lead keeps its first-touch source; the second name and source are on its timeline
    expect(leads.data[0]).toMatchObject({ status: 'New', source: 'website' })
    const notes = (await api.get(`/activities?lead=${first.body.lead}&sort=$createdAt`)).body.data
    expect(notes).toHaveLength(2)
    expect(notes[1].body).toBe('name: Someone Else\nemail: REPEAT@Visitor.DEV\nphone: +44 20 7946 0000\nsource: event')
  })
})

describe('Capture validation', () => {
  it('requires a valid email (422 naming email) and stores nothing', async () => {
    const { slug, api } = await createTenant()
    const base = await stored(api)
    for (const body of [{ name: 'No Email' }, { name: 'Bad', email: 'not-an-email' }, { email: '' }, { email: 42 }]) {
      const res = await capture(slug, body)
      expectProblem(res, 422, 'validation_failed', JSON.stringify(body))
      expect(paths(res), JSON.stringify(body)).toContain('email')
    }
    const form = await rawRequest('POST', `/~${slug}/capture`, { body: new URLSearchParams({ name: 'Form without email' }) })
    expectProblem(form, 422, 'validation_failed')
    expect(paths(form)).toContain('email')
    expect(await stored(api)).toEqual(base)
  })

  it("accepts every one of seed 003's sources, in any case; any other source is `other` with the text kept in sourceDetail", async () => {
    const { slug, api } = await createTenant()
    const sources = ['website', 'referral', 'paid_ads', 'organic_search', 'social_media', 'cold_outreach', 'event', 'partner', 'other']
    for (const [i, source] of sources.entries()) {
      const res = await capture(slug, { email: `s${i}@sources.dev`, source })
      expect(res.status, `${source} ${JSON.stringify(res.body)}`).toBe(201)
      expect((await api.get(`/leads/${res.body.lead}`)).body).toMatchObject({ source })
      expect((await api.get(`/leads/${res.body.lead}`)).body.sourceDetail).toBeUndefined()
    }
    const cases: [Record<string, string>, string, string | undefined][] = [
      [{ source: 'Website' }, 'website', undefined],
      [{ source: 'Paid Ads' }, 'paid_ads', undefined],
      [{ source: 'cold-outreach' }, 'cold_outreach', undefined],
      [{ source: 'newspaper' }, 'other', 'newspaper'],
      [{ source: ' Trade fair 2026 ' }, 'other', 'Trade fair 2026'],
      [{ source: 'newsletter', sourceDetail: 'Spring issue' }, 'other', 'newsletter / Spring issue'],
      [{ source: 'podcast', utm_source: 'google', utm_medium: 'cpc' }, 'other', 'podcast / google / cpc'],
      [{ source: '' }, 'website', undefined],
    ]
    for (const [i, [given, source, detail]] of cases.entries()) {
      const res = await capture(slug, { email: `u${i}@sources.dev`, ...given })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      const lead = (await api.get(`/leads/${res.body.lead}`)).body
      expect(lead.source, JSON.stringify(given)).toBe(source)
      expect(lead.sourceDetail, JSON.stringify(given)).toBe(detail)
      expect((await api.get(`/contacts/${res.body.contact}`)).body.source, JSON.stringify(given)).toBe(source)
    }
    const base = await stored(api)
    const tooLong = await capture(slug, { email: 'long@sources.dev', source: 'x'.repeat(201) })
    expectProblem(tooLong, 422, 'validation_failed')
    expect(paths(tooLong)).toEqual(['source'])
    expect(await stored(api)).toEqual(base)
  })

  it('maps utm_source / utm_medium to a source and keeps the detail; an explicit source wins', async () => {
    const { slug, api } = await createTenant()
    const cases: [Record<string, string>, string, string | undefined][] = [
      [{ utm_source: 'google', utm_medium: 'cpc' }, 'paid_ads', 'google / cpc'],
      [{ utm_source: 'linkedin' }, 'social_media', 'linkedin'],
      [{ utm_source: 'facebook', utm_medium: 'social' }, 'social_media', 'facebook / social'],
      [{ utm_source: 'google' }, 'organic_search', 'google'],
      [{ utm_source: 'bing', utm_medium: 'organic' }, 'organic_search', 'bing / organic'],
      [{ utm_source: 'partnerblog', utm_medium: 'referral' }, 'referral', 'partnerblog / referral'],
      [{ utm_source: 'newsletter', utm_medium: 'email' }, 'other', 'newsletter / email'],
      [{ utm_source: 'google', utm_medium: 'cpc', utm_content: 'banner', utm_term: 'crm' }, 'paid_ads', 'google / cpc / banner / crm'],
      [{ source: 'event', utm_source: 'google', utm_medium: 'cpc' }, 'event', 'google / cpc'],
      [{ sourceDetail: 'Booth 12', utm_source: 'linkedin' }, 'social_media', 'Booth 12'],
      [{}, 'website', undefined],
    ]
    for (const [i, [utm, source, detail]] of cases.entries()) {
      const res = await capture(slug, { email: `utm${i}@utm.dev`, ...utm })
      expect(res.status, JSON.stringify(utm)).toBe(201)
      const lead = (await api.get(`/leads/${res.body.lead}`)).body
      expect(lead.source, JSON.stringify(utm)).toBe(source)
      expect(lead.sourceDetail, JSON.stringify(utm)).toBe(detail)
      expect((await api.get(`/contacts/${res.body.contact}`)).body.source, JSON.stringify(utm)).toBe(source)
    }
  })

  it('links the campaign whose utmCampaign matches utm_campaign', async () => {
    const { slug, api } = await createTenant()
    const campaign = (await api.post('/campaigns', { name: 'Spring launch', type: 'Paid', utmCampaign: 'spring-2026' })).body
    await api.post('/campaigns', { name: 'Other', utmCampaign: 'autumn-2026' })
    const res = await capture(slug, { email: 'camp@utm.dev', utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'spring-2026' })
    expect(res.status).toBe(201)
    const lead = (await api.get(`/leads/${res.body.lead}`)).body
    expect(lead).toMatchObject({ campaign: campaign.$id, source: 'paid_ads' })
    expect((await api.get(`/campaigns/${campaign.$id}?include=leads`)).body.leads.map((l: { $id: string }) => l.$id)).toEqual([res.body.lead])

    const unknown = await capture(slug, { email: 'nocamp@utm.dev', utm_campaign: 'no-such-campaign' })
    expect(unknown.status).toBe(201)
    expect((await api.get(`/leads/${unknown.body.lead}`)).body.campaign).toBeUndefined()
  })

  it('stores the BANT answers on the lead', async () => {
    const { slug, api } = await createTenant()
    const res = await capture(slug, { email: 'bant@leads.dev', budget: 48000, authority: 'Economic buyer', need: 'Pipeline visibility', timeline: 'This quarter' })
    const { lead } = await expectCaptured(api, res)
    expect(lead).toMatchObject({ budget: 48000, authority: 'Economic buyer', need: 'Pipeline visibility', timeline: 'This quarter' })
    const bad = await capture(slug, { email: 'bant2@leads.dev', budget: 'lots' })
    expectProblem(bad, 422, 'validation_failed')
    expect(paths(bad)).toContain('budget')
  })
})

describe('Capture redirects', () => {
  it('redirects (303) to an allowed origin and refuses another origin with 422 naming redirect', async () => {
    const { slug, api } = await createTenant()
    // no allowed origins yet: any redirect is refused
    const early = await capture(slug, { email: 'early@redirect.dev', redirect: 'https://www.example.com/thanks' })
    expectProblem(early, 422, 'validation_failed')
    expect(paths(early)).toEqual(['redirect'])

    const put = await api.put('/settings/capture', { allowedOrigins: ['https://www.example.com'] })
    expect(put.status, JSON.stringify(put.body)).toBe(200)
    const ok = await rawRequest('POST', `/~${slug}/capture`, { body: new URLSearchParams({ email: 'ok@redirect.dev', redirect: 'https://www.example.com/thanks?x=1' }) })
    expect(ok.status, JSON.stringify(ok.body)).toBe(303)
    expect(ok.headers.get('location')).toBe('https://www.example.com/thanks?x=1')
    const contacts = (await api.get('/contacts?email=ok@redirect.dev')).body
    expect(contacts.total).toBe(1)
    expect((await api.get(`/leads?contact=${contacts.data[0].$id}`)).body.total).toBe(1)

    const base = await stored(api)
    for (const redirect of ['https://evil.example.net/thanks', 'http://www.example.com/thanks', 'https://www.example.com.evil.net/']) {
      const res = await capture(slug, { email: 'evil@redirect.dev', redirect })
      expectProblem(res, 422, 'validation_failed', redirect)
      expect(paths(res), redirect).toEqual(['redirect'])
      expect(res.headers.get('location')).toBeNull()
    }
    const notUrl = await capture(slug, { email: 'evil@redirect.dev', redirect: 'javascript:alert(1)' })
    expect(notUrl.status).toBe(422)
    expect(await stored(api)).toEqual(base)
  })
})

describe('Capture abuse rules', () => {
  it('answers a filled honeypot (_gotcha or website) like a success but stores nothing', async () => {
    const { slug, api } = await createTenant()
    const base = await stored(api)
    const json = await capture(slug, { email: 'bot1@spam.dev', name: 'Bot', _gotcha: 'gotcha' })
    expect(json.status).toBe(201)
    expect(json.body).toMatchObject({ ok: true })
    const form = await rawRequest('POST', `/~${slug}/capture`, { body: new URLSearchParams({ email: 'bot2@spam.dev', website: 'http://spam.example' }) })
    expect(form.status).toBe(201)
    expect(form.body).toMatchObject({ ok: true })
    const multipart = new FormData()
    multipart.append('email', 'bot3@spam.dev')
    multipart.append('_gotcha', 'x')
    expect((await rawRequest('POST', `/~${slug}/capture`, { body: multipart })).status).toBe(201)
    expect(await stored(api)).toEqual(base)
    // an empty honeypot is what a human sends
    const human = await capture(slug, { email: 'human@ok.dev', _gotcha: '', website: '' })
    await expectCaptured(api, human)
  })

  it('counts a honeypot as filled for any JSON value but null and blank text (numbers, booleans, lists, objects)', async () => {
    const { slug, api } = await createTenant()
    const base = await stored(api)
    for (const trap of [{ _gotcha: 1 }, { website: true }, { _gotcha: 0 }, { website: false }, { _gotcha: [] }, { website: {} }, { _gotcha: ['x'] }, { website: { url: 'x' } }]) {
      const res = await capture(slug, { email: 'bot@typed.dev', ...trap })
      expect(res.status, JSON.stringify(trap)).toBe(201)
      expect(res.body, JSON.stringify(trap)).toEqual({ ok: true })
    }
    expect(await stored(api)).toEqual(base)
    const human = await capture(slug, { email: 'human@typed.dev', _gotcha: null, website: '   ' })
    await expectCaptured(api, human)
  })

  it('limits each client IP to 20 submissions a minute per tenant: the 21st is a 429 with Retry-After, other IPs go on', async () => {
    const { slug, api } = await createTenant()
    await freshWindow()
    const ip = { 'cf-connecting-ip': '203.0.113.21' }
    for (let i = 0; i < 20; i++) {
      const res = await capture(slug, { email: `visitor${i}@rate.dev` }, ip)
      expect(res.status, `submission ${i + 1}`).toBe(201)
    }
    const base = await stored(api)
    const limited = await capture(slug, { email: 'visitor20@rate.dev' }, ip)
    expectProblem(limited, 429, 'rate_limited')
    const retryAfter = Number(limited.headers.get('retry-after'))
    expect(Number.isInteger(retryAfter)).toBe(true)
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    // honeypot and invalid submissions are limited too, and the rejected one stored nothing
    expect((await capture(slug, { email: 'nope' }, ip)).status).toBe(429)
    expect(await stored(api)).toEqual(base)
    expect((await api.get('/contacts?email=visitor20@rate.dev')).body.total).toBe(0)

    // another IP is unaffected, and so is the same IP on another tenant
    expect((await capture(slug, { email: 'other-ip@rate.dev' }, { 'cf-connecting-ip': '198.51.100.7' })).status).toBe(201)
    const other = await createTenant()
    expect((await capture(other.slug, { email: 'same-ip@rate.dev' }, ip)).status).toBe(201)
    expect((await stored(api)).contacts).toBe(base.contacts + 1)
  }, 30_000)

  it('takes the limit from the tenant settings (capture.rateLimitPerMinute)', async () => {
    const { slug, api } = await createTenant()
    const put = await api.put('/settings/capture', { rateLimitPerMinute: 3 })
    expect(put.status, JSON.stringify(put.body)).toBe(200)
    expect(put.body.data).toMatchObject({ rateLimitPerMinute: 3 })
    await freshWindow()
    const ip = { 'cf-connecting-ip': '203.0.113.33' }
    for (let i = 0; i < 3; i++) expect((await capture(slug, { email: `c${i}@limit.dev` }, ip)).status).toBe(201)
    const limited = await capture(slug, { email: 'c3@limit.dev' }, ip)
    expectProblem(limited, 429, 'rate_limited')
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/)
    expect((await api.get('/contacts')).body.total).toBe(3)
    expectProblem(await api.put('/settings/capture', { rateLimitPerMinute: 0 }), 422, 'validation_failed')
  }, 30_000)

  it('refuses a body over 64 KB with 413 and stores nothing', async () => {
    const { slug, api } = await createTenant()
    const base = await stored(api)
    expectProblem(await capture(slug, { email: 'big@size.dev', need: 'x'.repeat(65 * 1024) }), 413, 'payload_too_large')
    expectProblem(await rawRequest('POST', `/~${slug}/capture`, { body: new URLSearchParams({ email: 'big2@size.dev', need: 'y'.repeat(70 * 1024) }) }), 413, 'payload_too_large')
    expect(await stored(api)).toEqual(base)
    // just under the limit is fine, and a long message is kept whole
    const long = await capture(slug, { email: 'ok@size.dev', comments: 'z'.repeat(60 * 1024) })
    expect(long.status).toBe(201)
    const [note] = (await api.get(`/activities?lead=${long.body.lead}`)).body.data
    expect(note.body).toBe(`email: ok@size.dev\ncomments: ${'z'.repeat(60 * 1024)}`)
  })

  it('refuses a form whose repeated field hides bad text behind a good value (multipart and urlencoded), storing nothing', async () => {
    const { slug, api } = await createTenant()
    const base = await stored(api)
    const multipart = new FormData()
    multipart.append('email', 'nul\u0000@hidden.dev')
    multipart.append('email', 'fine@hidden.dev')
    const res = await rawRequest('POST', `/~${slug}/capture`, { body: multipart })
    expectProblem(res, 400, 'bad_request')
    expect(paths(res)).toEqual(['email'])
    const form = await rawRequest('POST', `/~${slug}/capture`, { body: 'email=%00&email=fine%40hidden.dev', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    expectProblem(form, 400, 'bad_request')
    expect(await stored(api)).toEqual(base)
    // a repeated field without bad text still counts by its last value
    const repeated = new FormData()
    repeated.append('email', 'first@hidden.dev')
    repeated.append('email', 'last@hidden.dev')
    const ok = await rawRequest('POST', `/~${slug}/capture`, { body: repeated })
    expect(ok.status).toBe(201)
    expect((await api.get(`/contacts/${ok.body.contact}`)).body.email).toBe('last@hidden.dev')
  })

  it('refuses an unsupported content type with 415', async () => {
    const { slug, api } = await createTenant()
    for (const type of ['text/plain', 'application/xml', 'text/csv']) {
      const res = await rawRequest('POST', `/~${slug}/capture`, { body: 'email=x@y.dev', headers: { 'content-type': type } })
      expectProblem(res, 415, 'unsupported_media_type', type)
    }
    expectProblem(await rawRequest('POST', `/~${slug}/capture`, { body: 'email=x@y.dev' }), 415, 'unsupported_media_type')
    expect((await stored(api)).contacts).toBe(0)
  })

  it('answers 400 for malformed JSON', async () => {
    const { slug } = await createTenant()
    expectProblem(await capture(slug, '{"email": '), 400, 'bad_request')
    expectProblem(await capture(slug, '["a@b.dev"]'), 400, 'bad_request')
  })

  it('answers 404 for an unknown tenant and for a suspended one', async () => {
    expectProblem(await capture(`nobody-${Date.now().toString(36)}`, { email: 'lost@nowhere.dev' }), 404, 'not_found')
    const { slug, api } = await createTenant()
    expect((await request('POST', `/tenants/${slug}/suspend`, { key: ADMIN_TOKEN })).status).toBe(200)
    expectProblem(await capture(slug, { email: 'held@susp.dev' }), 404, 'not_found')
    expectProblem(await rawRequest('POST', `/~${slug}/capture`, { body: new URLSearchParams({ email: 'held@susp.dev' }) }), 404, 'not_found')
    expect((await request('POST', `/tenants/${slug}/reactivate`, { key: ADMIN_TOKEN })).status).toBe(200)
    expect((await api.get('/contacts')).body.total).toBe(0)
    expect((await capture(slug, { email: 'back@susp.dev' })).status).toBe(201)
  })
})

describe('Capture CORS', () => {
  it('answers a preflight from an allowed origin with 204 and the CORS headers, any other with 403 and none', async () => {
    const { slug, api } = await createTenant()
    expect((await api.put('/settings/capture', { allowedOrigins: ['https://www.example.com', 'https://forms.example.org/'] })).status).toBe(200)
    const preflight = (origin?: string) =>
      rawRequest('OPTIONS', `/~${slug}/capture`, { headers: { ...(origin ? { origin } : {}), 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })

    for (const origin of ['https://www.example.com', 'https://forms.example.org']) {
      const ok = await preflight(origin)
      expect(ok.status, origin).toBe(204)
      expect(ok.headers.get('access-control-allow-origin'), origin).toBe(origin)
      expect(ok.headers.get('access-control-allow-methods')).toMatch(/POST/)
      expect(ok.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type')
      expect(ok.headers.get('vary')).toMatch(/Origin/i)
    }
    for (const origin of ['https://evil.example.net', 'http://www.example.com', undefined]) {
      const refused = await preflight(origin)
      expect(refused.status, String(origin)).toBe(403)
      expect(refused.headers.get('access-control-allow-origin'), String(origin)).toBeNull()
    }
  })

  it('sends access-control-allow-origin on the POST only for allowed origins', async () => {
    const { slug, api } = await createTenant()
    expect((await api.put('/settings/capture', { allowedOrigins: ['https://www.example.com'] })).status).toBe(200)
    const allowed = await capture(slug, { email: 'cors1@cors.dev' }, { origin: 'https://www.example.com' })
    expect(allowed.status).toBe(201)
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://www.example.com')
    const other = await capture(slug, { email: 'cors2@cors.dev' }, { origin: 'https://evil.example.net' })
    expectProblem(other, 403, 'forbidden')
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
    const none = await capture(slug, { email: 'cors3@cors.dev' })
    expect(none.headers.get('access-control-allow-origin')).toBeNull()
    // errors carry it too for allowed origins, so the page can read them
    const invalid = await capture(slug, { email: 'nope' }, { origin: 'https://www.example.com' })
    expect(invalid.status).toBe(422)
    expect(invalid.headers.get('access-control-allow-origin')).toBe('https://www.example.com')
  })

  it('refuses preflights for unknown and suspended tenants', async () => {
    const unknown = await rawRequest('OPTIONS', `/~nobody-${Date.now().toString(36)}/capture`, { headers: { origin: 'https://www.example.com' } })
    expect(unknown.status).toBe(403)
    expect(unknown.headers.get('access-control-allow-origin')).toBeNull()
    const { slug, api } = await createTenant()
    expect((await api.put('/settings/capture', { allowedOrigins: ['https://www.example.com'] })).status).toBe(200)
    expect((await request('POST', `/tenants/${slug}/suspend`, { key: ADMIN_TOKEN })).status).toBe(200)
    const suspended = await rawRequest('OPTIONS', `/~${slug}/capture`, { headers: { origin: 'https://www.example.com' } })
    expect(suspended.status).toBe(403)
    expect(suspended.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('Capture from allowed sites only', () => {
  it('refuses (403, nothing stored) a post whose Origin is not listed, once the tenant lists origins', async () => {
    const { slug, api } = await createTenant()
    expect((await api.put('/settings/capture', { allowedOrigins: ['https://www.example.com'] })).status).toBe(200)
    const base = await stored(api)
    for (const origin of ['https://evil.example', 'http://www.example.com', 'https://www.example.com.evil.net', 'null']) {
      const res = await capture(slug, { email: 'victim@origin.dev' }, { origin })
      expectProblem(res, 403, 'forbidden', origin)
      expect(res.headers.get('access-control-allow-origin'), origin).toBeNull()
    }
    // a plain form post with a redirect is refused too: no 303 anywhere
    const form = await rawRequest('POST', `/~${slug}/capture`, { body: new URLSearchParams({ email: 'victim@origin.dev', redirect: 'https://www.example.com/thanks' }), headers: { origin: 'https://evil.example' } })
    expectProblem(form, 403, 'forbidden')
    expect(form.headers.get('location')).toBeNull()
    expect(await stored(api)).toEqual(base)

    const ok = await capture(slug, { email: 'visitor@origin.dev' }, { origin: 'https://www.example.com' })
    await expectCaptured(api, ok)
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://www.example.com')
  })

  it('judges a form post without Origin by its Referer, and accepts a post with neither (a server posting)', async () => {
    const { slug, api } = await createTenant()
    expect((await api.put('/settings/capture', { allowedOrigins: ['https://www.example.com'] })).status).toBe(200)
    const post = (email: string, headers: Record<string, string>) => rawRequest('POST', `/~${slug}/capture`, { body: new URLSearchParams({ email }), headers })
    const base = await stored(api)
    expectProblem(await post('a@referer.dev', { referer: 'https://evil.example/landing?x=1' }), 403, 'forbidden')
    expectProblem(await post('b@referer.dev', { referer: 'not a url' }), 403, 'forbidden')
    // Origin wins over Referer when both are sent
    expectProblem(await post('c@referer.dev', { origin: 'https://evil.example', referer: 'https://www.example.com/contact' }), 403, 'forbidden')
    expect(await stored(api)).toEqual(base)

    expect((await post('d@referer.dev', { referer: 'https://www.example.com/contact' })).status).toBe(201)
    expect((await post('e@referer.dev', {})).status).toBe(201)
    expect((await stored(api)).leads).toBe(base.leads + 2)
  })

  it('accepts every site while the tenant lists no origins (CORS header still only for listed ones)', async () => {
    const { slug, api } = await createTenant()
    for (const origin of ['https://anywhere.example', 'null']) {
      const res = await capture(slug, { email: `open-${origin.length}@origin.dev` }, { origin })
      await expectCaptured(api, res)
      expect(res.headers.get('access-control-allow-origin')).toBeNull()
    }
    expect((await rawRequest('POST', `/~${slug}/capture`, { body: new URLSearchParams({ email: 'ref@origin.dev' }), headers: { referer: 'https://elsewhere.example/' } })).status).toBe(201)
  })
})

describe('Capture retries and duplicates', () => {
  it('makes one lead of three identical form posts from one client, each answered with the same ids', async () => {
    const { slug, api } = await createTenant()
    const post = () => rawRequest('POST', `/~${slug}/capture`, { body: new URLSearchParams({ firstName: 'Dana', lastName: 'Twice', email: 'dana@dupes.dev' }), headers: { 'cf-connecting-ip': '203.0.113.50' } })
    const answers = [await post(), await post(), await post()]
    for (const res of answers) expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(new Set(answers.map((r) => JSON.stringify(r.body))).size).toBe(1)
    expect(await stored(api)).toMatchObject({ contacts: 1, leads: 1 })
    expect((await api.events()).filter((e) => e.type === 'lead.created')).toHaveLength(1)
    expect((await api.get('/activities')).body.total).toBe(1)
  })

  it('treats submissions that normalize alike as the same (case of the email, blanks, field order)', async () => {
    const { slug, api } = await createTenant()
    const ip = { 'cf-connecting-ip': '203.0.113.51' }
    const first = await capture(slug, { email: 'Same@Dupes.dev', name: 'Sam', phone: '' }, ip)
    const second = await capture(slug, { name: ' Sam ', email: 'same@dupes.DEV ' }, ip)
    expect(second.body).toEqual(first.body)
    expect((await stored(api)).leads).toBe(1)
    expect((await api.get(`/activities?lead=${first.body.lead}`)).body.total).toBe(1)
    // a different answer (a known field or free text) is a different submission: recorded on the open lead
    const third = await capture(slug, { name: 'Sam', email: 'same@dupes.dev', need: 'Another question' }, ip)
    expect(third.status).toBe(201)
    expect(third.body).toEqual(first.body)
    const fourth = await capture(slug, { name: 'Sam', email: 'same@dupes.dev', need: 'Another question', message: 'And one more thing' }, ip)
    expect(fourth.body).toEqual(first.body)
    expect((await stored(api)).leads).toBe(1)
    expect((await api.get(`/activities?lead=${first.body.lead}`)).body.total).toBe(3)
  })

  it('keeps clients apart: identical posts from two clients are two submissions on the one lead', async () => {
    const { slug, api } = await createTenant()
    const body = { name: 'Shared Office', email: 'office@dupes.dev' }
    const a = await capture(slug, body, { 'cf-connecting-ip': '203.0.113.52' })
    const b = await capture(slug, body, { 'cf-connecting-ip': '198.51.100.52' })
    expect(a.status).toBe(201)
    expect(b.status).toBe(201)
    expect(b.body).toEqual(a.body)
    expect(await stored(api)).toMatchObject({ contacts: 1, leads: 1 })
    expect((await api.get(`/activities?lead=${a.body.lead}`)).body.total).toBe(2)
  })

  it('honours Idempotency-Key: the same key and body replay the first answer; another body is a 422', async () => {
    const { slug, api } = await createTenant()
    const ip = { 'cf-connecting-ip': '203.0.113.53' }
    const key = { 'idempotency-key': 'form-submit-7f3a' }
    const first = await capture(slug, { email: 'keyed@dupes.dev' }, { ...ip, ...key })
    await expectCaptured(api, first)
    expect(first.headers.get('idempotent-replayed')).toBeNull()
    const again = await capture(slug, { email: 'keyed@dupes.dev' }, { ...ip, ...key })
    expect(again.status).toBe(201)
    expect(again.body).toEqual(first.body)
    expect(again.headers.get('idempotent-replayed')).toBe('true')

    const base = await stored(api)
    const other = await capture(slug, { email: 'another@dupes.dev' }, { ...ip, ...key })
    expectProblem(other, 422, 'validation_failed')
    expect(paths(other)).toEqual(['Idempotency-Key'])
    expect(await stored(api)).toEqual(base)

    // Keys are the client's own: another client's same key is a new submission, not a replay.
    const stranger = await capture(slug, { email: 'keyed@dupes.dev' }, { 'cf-connecting-ip': '198.51.100.53', ...key })
    expect(stranger.status).toBe(201)
    expect(stranger.headers.get('idempotent-replayed')).toBeNull()
    expect(stranger.body.lead).toBe(first.body.lead)
    expect((await api.get(`/activities?lead=${first.body.lead}`)).body.total).toBe(2)
    expectProblem(await capture(slug, { email: 'x@dupes.dev' }, { 'idempotency-key': 'has spaces' }), 400, 'bad_request')
  })

  it('replays a redirecting form post as the same 303', async () => {
    const { slug, api } = await createTenant()
    expect((await api.put('/settings/capture', { allowedOrigins: ['https://www.example.com'] })).status).toBe(200)
    const post = () =>
      rawRequest('POST', `/~${slug}/capture`, {
        body: new URLSearchParams({ email: 'redirect@dupes.dev', redirect: 'https://www.example.com/thanks' }),
        headers: { origin: 'https://www.example.com', 'idempotency-key': 'k-303', 'cf-connecting-ip': '203.0.113.54' },
      })
    const first = await post()
    const second = await post()
    for (const res of [first, second]) {
      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toBe('https://www.example.com/thanks')
    }
    expect(second.headers.get('idempotent-replayed')).toBe('true')
    expect((await stored(api)).leads).toBe(1)
  })
})

/** The capture's timeline entries: the Form submission notes of a lead, oldest first. */
const submissions = async (api: TenantApi, lead: string): Promise<any[]> => (await api.get(`/activities?lead=${lead}&subject=Form submission&sort=$createdAt`)).body.data

describe('Capture keeps what the visitor wrote', () => {
  it('records every submitted field, free text included, as a Form submission note on the lead', async () => {
    const { slug, api } = await createTenant()
    expect((await api.put('/settings/capture', { allowedOrigins: ['https://www.example.com'] })).status).toBe(200)
    const form = new URLSearchParams([
      ['firstName', 'Ana'],
      ['lastName', 'Lima'],
      ['email', 'ana@lima.dev'],
      ['message', "We'd like a demo.\r\nNext week works."],
      ['company_size', '50-100'],
      ['how_did_you_hear', 'A podcast'],
      ['notes', '   '],
      ['_gotcha', ''],
      ['redirect', 'https://www.example.com/thanks'],
    ])
    const res = await rawRequest('POST', `/~${slug}/capture`, { body: form, headers: { origin: 'https://www.example.com' } })
    expect(res.status, JSON.stringify(res.body)).toBe(303)
    const contact = (await api.get('/contacts?email=ana@lima.dev')).body.data[0]
    const [lead] = (await api.get(`/leads?contact=${contact.$id}`)).body.data
    const notes = await submissions(api, lead.$id)
    expect(notes).toHaveLength(1)
    expect(notes[0]).toMatchObject({ subject: 'Form submission', type: 'Note', status: 'Done', lead: lead.$id, contact: contact.$id, completedAt: notes[0].$createdAt })
    // blanks, the honeypot and the redirect are not part of what was written
    expect(notes[0].body).toBe("firstName: Ana\nlastName: Lima\nemail: ana@lima.dev\nmessage:\n  We'd like a demo.\n  Next week works.\ncompany_size: 50-100\nhow_did_you_hear: A podcast")
    // on the contact's timeline too, and the lead's last activity is the submission
    expect((await api.get(`/activities?contact=${contact.$id}`)).body.total).toBe(1)
    expect(lead.lastActivityAt).toBe(notes[0].$createdAt)
    const events = await api.events()
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['contact.captured', 'lead.created', 'activity.created']))
    const note = events.find((e) => e.type === 'activity.created')
    expect(note.cause).toBe(events.find((e) => e.type === 'contact.captured').id)
    // the structured copy: the capture event carries the submission as fields
    expect(events.find((e) => e.type === 'contact.captured').data.submission).toMatchObject({ message: "We'd like a demo.\r\nNext week works.", company_size: '50-100' })
  })

  it('keeps JSON answers as text: numbers, booleans, a checkbox list, an object', async () => {
    const { slug, api } = await createTenant()
    const res = await capture(slug, { email: 'json@answers.dev', budget: 12000, consent: true, interests: ['CRM', 'Billing'], answers: { seats: 12 }, empty: [], nothing: null })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const [note] = await submissions(api, res.body.lead)
    expect(note.body).toBe('email: json@answers.dev\nbudget: 12000\nconsent: true\ninterests: CRM, Billing\nanswers: {"seats":12}')
  })

  it('bounds a submission: more than 100 fields or a field name over 100 characters is a 422 naming the field, and stores nothing', async () => {
    const { slug, api } = await createTenant()
    const base = await stored(api)
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`q${i}`, 'yes']))
    const tooMany = await capture(slug, { email: 'many@bounds.dev', ...many })
    expectProblem(tooMany, 422, 'validation_failed')
    expect(paths(tooMany)).toEqual(['q99'])
    const longName = await rawRequest('POST', `/~${slug}/capture`, { body: new URLSearchParams({ email: 'name@bounds.dev', ['n'.repeat(101)]: 'x' }) })
    expectProblem(longName, 422, 'validation_failed')
    expect(paths(longName)[0]).toMatch(/^n{40}…$/)
    expect(await stored(api)).toEqual(base)
    // 99 free-text fields and the email: 100 in all, accepted
    const fine = Object.fromEntries(Array.from({ length: 99 }, (_, i) => [`q${i}`, 'yes']))
    expect((await capture(slug, { email: 'fine@bounds.dev', ...fine })).status).toBe(201)
  })

  it('records what POST /contacts/capture was given, or the submission it was given (bounded the same way)', async () => {
    const { api } = await createTenant()
    const plain = await api.post('/contacts/capture', { email: 'api@capture.dev', name: 'Api Person', source: 'event', budget: 5000 })
    expect(plain.status, JSON.stringify(plain.body)).toBe(200)
    const [lead] = (await api.get(`/leads?contact=${plain.body.$id}`)).body.data
    expect((await submissions(api, lead.$id))[0].body).toBe('name: Api Person\nemail: api@capture.dev\nsource: event\nbudget: 5000')
    const given = await api.post('/contacts/capture', { email: 'api@capture.dev', submission: { email: 'api@capture.dev', message: 'Called in' } })
    expect(given.status).toBe(200)
    expect((await submissions(api, lead.$id))[1].body).toBe('email: api@capture.dev\nmessage: Called in')
    const before = await stored(api)
    for (const submission of [{ message: 42 }, { ['x'.repeat(101)]: 'y' }, Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`q${i}`, 'y'])), 'text']) {
      const res = await api.post('/contacts/capture', { email: 'api@capture.dev', submission })
      expectProblem(res, 422, 'validation_failed', JSON.stringify(submission).slice(0, 60))
      expect(paths(res)[0]).toMatch(/^submission/)
    }
    expect(await stored(api)).toEqual(before)
  })
})

describe('Capture of a contact who already has an open lead', () => {
  it('adds the submission to that lead (201, its id) instead of a second lead: lead.updated and activity.created, no lead.created', async () => {
    const { slug, api } = await createTenant()
    const first = await capture(slug, { firstName: 'Kim', lastName: 'Park', email: 'kim@park.dev', need: 'Reporting' })
    const at = (await api.events()).at(-1).seq
    const second = await capture(slug, { firstName: 'Kim', lastName: 'Park', email: 'kim@park.dev', message: 'Any update?' }, { 'cf-connecting-ip': '198.51.100.60' })
    expect(second.status).toBe(201)
    expect(second.body).toEqual(first.body)
    const events = await api.events(`after=${at}`)
    expect(events.map((e) => e.type)).toEqual(['contact.captured', 'lead.updated', 'activity.created'])
    const captured = events[0]
    for (const e of events.slice(1)) expect(e.cause).toBe(captured.id)
    const lead = (await api.get(`/leads/${first.body.lead}`)).body
    const notes = await submissions(api, lead.$id)
    expect(notes.map((n) => n.body)).toEqual(['firstName: Kim\nlastName: Park\nemail: kim@park.dev\nneed: Reporting', 'firstName: Kim\nlastName: Park\nemail: kim@park.dev\nmessage: Any update?'])
    expect(lead.lastActivityAt).toBe(notes[1].$createdAt)
    expect((await api.get('/leads')).body.total).toBe(1)
  })

  it('fills the lead’s blank answers (never a blank or a new answer over an old one) and refreshes its score', async () => {
    const { slug, api } = await createTenant()
    const first = await capture(slug, { email: 'bant@open.dev', need: 'Pipeline visibility', source: 'website' })
    const before = (await api.get(`/leads/${first.body.lead}`)).body
    expect(before.budget).toBeUndefined()
    await api.patch(`/leads/${first.body.lead}`, { status: 'Contacted' })
    const second = await capture(slug, { email: 'bant@open.dev', need: 'Something else', budget: 80000, authority: 'I sign off', timeline: 'ASAP', title: 'CEO' }, { 'cf-connecting-ip': '198.51.100.61' })
    expect(second.body.lead).toBe(first.body.lead)
    const after = (await api.get(`/leads/${first.body.lead}`)).body
    expect(after).toMatchObject({ status: 'Contacted', need: 'Pipeline visibility', budget: 80000, authority: 'I sign off', timeline: 'ASAP', source: 'website', scoreSource: 'rules' })
    expect(after.score).toBeGreaterThan(before.score)
    const scores = (await api.get(`/leads/${first.body.lead}/scores`)).body.data
    expect(scores.map((s: { score: number }) => s.score)).toContain(after.score)
    // the contact learned the title, and the score reads it
    expect((await api.get(`/contacts/${first.body.contact}`)).body.title).toBe('CEO')
  })

  it('rescores from the contact’s new details alone, and leaves a manual score as it is', async () => {
    const { slug, api } = await createTenant()
    const first = await capture(slug, { email: 'title@open.dev' })
    const before = (await api.get(`/leads/${first.body.lead}`)).body
    await capture(slug, { email: 'title@open.dev', title: 'VP Sales', phone: '+1 555 0101' }, { 'cf-connecting-ip': '198.51.100.62' })
    const rescored = (await api.get(`/leads/${first.body.lead}`)).body
    expect(rescored.score).toBeGreaterThan(before.score)

    const manual = await capture(slug, { email: 'manual@open.dev' })
    expect((await api.patch(`/leads/${manual.body.lead}`, { score: 33 })).status).toBe(200)
    await capture(slug, { email: 'manual@open.dev', title: 'CEO', budget: 90000 }, { 'cf-connecting-ip': '198.51.100.63' })
    expect((await api.get(`/leads/${manual.body.lead}`)).body).toMatchObject({ score: 33, scoreSource: 'manual', budget: 90000 })
  })

  it('opens a new lead when the contact’s leads are all closed (converted or lost)', async () => {
    const { slug, api } = await createTenant()
    const first = await capture(slug, { email: 'closed@open.dev' })
    expect((await api.post(`/leads/${first.body.lead}/lose`, { lostReason: 'No budget' })).status).toBe(200)
    const second = await capture(slug, { email: 'closed@open.dev', message: 'Budget approved now' }, { 'cf-connecting-ip': '198.51.100.64' })
    expect(second.status).toBe(201)
    expect(second.body.contact).toBe(first.body.contact)
    expect(second.body.lead).not.toBe(first.body.lead)
    expect((await api.get(`/leads/${second.body.lead}`)).body.status).toBe('New')
    expect((await submissions(api, second.body.lead)).map((n) => n.body)).toEqual(['email: closed@open.dev\nmessage: Budget approved now'])
    expect((await submissions(api, first.body.lead))).toHaveLength(1)
  })

  it('opens a new lead per submission when the tenant sets capture.newLeadPerSubmission', async () => {
    const { slug, api } = await createTenant()
    expect((await api.get('/settings/capture')).body.data.newLeadPerSubmission).toBe(false)
    const put = await api.put('/settings/capture', { newLeadPerSubmission: true })
    expect(put.status, JSON.stringify(put.body)).toBe(200)
    const first = await capture(slug, { email: 'every@time.dev', source: 'website' })
    const second = await capture(slug, { email: 'every@time.dev', source: 'event' }, { 'cf-connecting-ip': '198.51.100.65' })
    expect(second.body.contact).toBe(first.body.contact)
    expect(second.body.lead).not.toBe(first.body.lead)
    expect((await api.get(`/leads/${second.body.lead}`)).body).toMatchObject({ status: 'New', source: 'event' })
    expect(await submissions(api, second.body.lead)).toHaveLength(1)
    expect((await api.events()).filter((e) => e.type === 'lead.created')).toHaveLength(2)
    expectProblem(await api.put('/settings/capture', { newLeadPerSubmission: 'yes' }), 422, 'validation_failed')
  })
})
