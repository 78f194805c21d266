/**
 * Hostile input, one class per describe, each refused at the door where it enters with a 4xx
 * problem naming the place (or, for lists, answered correctly), and nothing written:
 * deep nesting on every JSON route family, long $in/$nin lists (SQLite's 100 bound parameters),
 * prototype names (__proto__, constructor, toString…) as fields, sorts, filters, includes,
 * relation paths, verbs and body keys, bad text (NUL, unpaired surrogates, invalid UTF-8, also
 * per import line), duplicate JSON keys, and decimal-only numbers in query strings.
 */
import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { render } from '../src/domain/automations'
import { createValidator } from '../src/domain/noun/validators'
import { MAX_IN_VALUES } from '../src/domain/query/filter'
import { MAX_JSON_DEPTH } from '../src/domain/json-text'
import { nouns } from '../src/domain/nouns'
import { ADMIN_TOKEN, bytesOf, canonicalJson, rpcOf, createTenant, issueKey, sendRaw, type RawRequest, type RawResponse } from './helpers'
import { signInAs } from './dashboard-sign-in'

const TIMEOUT = 60_000
const ORIGIN = 'http://revline.test'

type Tenant = Awaited<ReturnType<typeof createTenant>>

/** A request to the tenant with its admin key; JSON content type unless given. */
function req(t: Tenant, method: string, path: string, body?: RawRequest['body'], headers: Record<string, string | undefined> = {}): Promise<RawResponse> {
  return sendRaw({ method, path: `/~${t.slug}${path}`, headers: { authorization: `Bearer ${t.key}`, 'content-type': body === undefined ? undefined : 'application/json', ...headers }, body })
}

/** A refusal: status, problem+json, code, and (when given) the first error's path and message. */
function expectRefused(res: RawResponse, status: number, code: string, error?: { path?: string | RegExp; message?: string | RegExp }, what = '') {
  const context = `${what} → ${res.status} ${res.text.slice(0, 300)}`
  expect(res.status, context).toBe(status)
  expect(res.headers.get('content-type'), context).toMatch(/^application\/problem\+json/)
  expect(res.json, context).toMatchObject({ status, code })
  if (error) {
    expect(res.json.errors?.length, context).toBeGreaterThan(0)
    const first = res.json.errors[0] as { path: string; message: string }
    if (error.path !== undefined) typeof error.path === 'string' ? expect(first.path, context).toBe(error.path) : expect(first.path, context).toMatch(error.path)
    if (error.message !== undefined) typeof error.message === 'string' ? expect(first.message, context).toBe(error.message) : expect(first.message, context).toMatch(error.message)
  }
}

/** What a refused request must leave alone: the whole event log, the lists, keys, sources and settings. */
async function footprint(t: Tenant): Promise<string> {
  const admin = { authorization: `Bearer ${t.key}` }
  const get = async (path: string) => canonicalJson((await sendRaw({ method: 'GET', path: `/~${t.slug}${path}`, headers: admin })).json)
  const paths = ['/events?limit=500', '/contacts?limit=200', '/leads?limit=200', '/organizations?limit=200', '/keys', '/sources', '/settings/automations', '/settings/tiers', '/settings/templates', '/settings/scoring']
  return (await Promise.all(paths.map(get))).join('\n')
}


const mcpHeaders = { accept: 'application/json, text/event-stream', host: 'revline.test' }
const mcpRaw = (t: Tenant, body: RawRequest['body']) => req(t, 'POST', '/mcp', body, mcpHeaders)
async function tool(t: Tenant, name: string, args: Record<string, unknown>): Promise<{ isError?: boolean; structuredContent?: any; content: { text: string }[] }> {
  const res = await mcpRaw(t, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }))
  expect(res.status, res.text.slice(0, 300)).toBe(200)
  return rpcOf(res).result
}
const toolProblem = (result: { content: { text: string }[] }) => JSON.parse(result.content[0]!.text) as { code: string; detail: string; errors?: { path: string; message: string }[] }

async function signedSource(t: Tenant, mapping: Record<string, string> = { email: 'data.email', firstName: 'data.first_name' }) {
  const res = await req(t, 'POST', '/sources', JSON.stringify({ name: 'Forms', mapping }))
  expect(res.status, res.text).toBe(201)
  const { id, secret } = res.json as { id: string; secret: string }
  let n = 0
  return (payload: string) => {
    const msgId = `msg_${n++}`
    const at = new Date()
    return sendRaw({
      method: 'POST',
      path: `/~${t.slug}/sources/${id}/ingest`,
      headers: { 'content-type': 'application/json', 'webhook-id': msgId, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign(msgId, at, payload) },
      body: payload,
    })
  }
}

/** Signs in by email link as an admin of the tenant (test/dashboard-sign-in.ts). */
const dashboardLogin = (t: Tenant) => signInAs(t.slug, t.key)

const bytes = bytesOf

const NDJSON = { 'content-type': 'application/x-ndjson' }
const CSV = { 'content-type': 'text/csv' }
const names = <T extends { name?: unknown }>(rows: T[]) => rows.map((r) => r.name).sort()

// ---------------------------------------------------------------------------------------------

describe('Deep nesting', () => {
  /** 50,000 levels (10,000 where the route caps bodies at 64 KB). */
  const deep = (open: '[' | '{"a":' = '[', levels = 50_000) => open.repeat(levels) + (open === '[' ? ']'.repeat(levels) : '1' + '}'.repeat(levels))
  const nests = { message: `nests deeper than ${MAX_JSON_DEPTH} levels` }

  it(`is a 400 naming where it goes past ${MAX_JSON_DEPTH} levels, on every authenticated JSON route, and writes nothing`, async () => {
    const t = await createTenant()
    const contact = (await req(t, 'POST', '/contacts', JSON.stringify({ name: 'Kept' }))).json.$id as string
    const lead = (await req(t, 'POST', '/leads', JSON.stringify({ name: 'Kept', source: 'website' }))).json.$id as string
    const before = await footprint(t)
    const cases: [string, string, string, RegExp][] = [
      ['POST', '/contacts', `{"name":"Deep","title":${deep()}}`, /^title(\[0\])+$/],
      ['POST', '/contacts', `{"name":"Deep","title":${deep('{"a":')}}`, /^title(\.a)+$/],
      ['PATCH', `/contacts/${contact}`, `{"title":${deep()}}`, /^title\[0\]/],
      ['POST', `/leads/${lead}/lose`, `{"lostReason":${deep()}}`, /^lostReason\[0\]/],
      ['POST', '/contacts/capture', `{"email":"deep@x.dev","name":${deep()}}`, /^name\[0\]/],
      ['PUT', '/settings/automations', `[${deep()}]`, /^(\[0\])+$/],
      ['PUT', '/settings/templates', `{"Won":${deep('{"a":')}}`, /^Won(\.a)+$/],
      ['POST', '/keys', `{"role":"member","name":${deep()}}`, /^name\[0\]/],
      ['POST', '/sources', `{"name":"S","mapping":${deep('{"a":')}}`, /^mapping(\.a)+$/],
    ]
    for (const [method, path, body, pathPattern] of cases) expectRefused(await req(t, method, path, body), 400, 'bad_request', { path: pathPattern, ...nests }, `${method} ${path}`)
    expect(await footprint(t)).toBe(before)
  }, TIMEOUT)

  it('is a 400 on the operator API, the public capture form (JSON) and signed webhook ingestion', async () => {
    const t = await createTenant()
    const before = await footprint(t)
    const operator = await sendRaw({ method: 'POST', path: '/tenants', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: `{"slug":"deep-tenant","name":${deep()}}` })
    expectRefused(operator, 400, 'bad_request', { path: /^name\[0\]/, ...nests }, 'POST /tenants')
    expect((await sendRaw({ method: 'GET', path: '/tenants', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json.data.map((x: { slug: string }) => x.slug)).not.toContain('deep-tenant')

    const capture = await sendRaw({ method: 'POST', path: `/~${t.slug}/capture`, headers: { 'content-type': 'application/json' }, body: `{"email":"deep@x.dev","name":${deep('[', 10_000)}}` })
    expectRefused(capture, 400, 'bad_request', { path: /^name\[0\]/, ...nests }, 'POST /capture')

    expect(await footprint(t)).toBe(before)

    const ingest = await signedSource(t)
    const withSource = await footprint(t)
    expectRefused(await ingest(`{"data":{"email":"deep@x.dev","first_name":${deep('[', 10_000)}}}`), 400, 'bad_request', { path: /^data\.first_name\[0\]/, ...nests }, 'ingest')
    expect(await footprint(t)).toBe(withSource)
  }, TIMEOUT)

  it('is a 400 problem before the MCP protocol runs, and a 400 invalid_query in filter=', async () => {
    const t = await createTenant()
    const before = await footprint(t)
    const call = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"do","arguments":{"type":"Contact","verb":"create","data":{"name":"Deep","title":${deep()}}}}}`
    expectRefused(await mcpRaw(t, call), 400, 'bad_request', { path: /^params\.arguments\.data\.title\[0\]/, ...nests }, 'mcp')
    expectRefused(await mcpRaw(t, `[${deep('{"a":')}]`), 400, 'bad_request', nests, 'mcp batch')
    const filter = encodeURIComponent(`{"name":${'['.repeat(1_000)}}`)
    expectRefused(await req(t, 'GET', `/contacts?filter=${filter}`), 400, 'invalid_query', { path: /^filter\.name\[0\]/, ...nests }, 'filter=')
    expect(await footprint(t)).toBe(before)
  }, TIMEOUT)

  it('rejects a deep NDJSON import line by its number and imports the others', async () => {
    const t = await createTenant()
    const body = [JSON.stringify({ name: 'First' }), `{"name":"Deep","title":${deep()}}`, JSON.stringify({ name: 'Third' })].join('\n')
    const res = await req(t, 'POST', '/contacts/import', body, NDJSON)
    expect(res.status, res.text.slice(0, 300)).toBe(200)
    expect(res.json).toMatchObject({ created: 2, rejected: 1, errors: [{ line: 2, field: expect.stringMatching(/^title\[0\]/), message: nests.message }] })
    expect(names((await req(t, 'GET', '/contacts')).json.data)).toEqual(['First', 'Third'])
  }, TIMEOUT)
})

describe('Long $in / $nin lists (one bound parameter however long)', () => {
  async function people() {
    const t = await createTenant()
    const make = async (path: string, body: Record<string, unknown>) => {
      const res = await req(t, 'POST', path, JSON.stringify(body))
      expect(res.status, res.text).toBe(201)
      return res.json.$id as string
    }
    const acme = await make('/organizations', { name: 'Acme', industry: 'SaaS' })
    const beta = await make('/organizations', { name: 'Beta', industry: 'Retail' })
    await make('/contacts', { name: 'Ann', email: 'ann@x.dev', title: 'CEO', leadScore: 10, organization: acme })
    await make('/contacts', { name: 'Bob', email: 'bob@x.dev', title: 'CTO', leadScore: 20, organization: beta })
    await make('/contacts', { name: 'Cy', email: 'cy@x.dev', leadScore: 30 })
    return t
  }
  const fakes = (n: number, prefix = 'nobody') => Array.from({ length: n }, (_, i) => `${prefix}-${i}`)
  const list = async (t: Tenant, query: string) => {
    const res = await req(t, 'GET', `/contacts?${query}`)
    expect(res.status, res.text.slice(0, 400)).toBe(200)
    return names(res.json.data as { name: string }[])
  }

  it('answers query-string lists of 150 and 1,000 values correctly ($in, $nin, repeated params, numbers)', async () => {
    const t = await people()
    for (const n of [150, MAX_IN_VALUES]) {
      const values = ['Ann', 'Bob', ...fakes(n - 2)]
      expect(await list(t, values.map((v) => `name=${v}`).join('&')), `${n} repeated`).toEqual(['Ann', 'Bob'])
      expect(await list(t, `name[$in]=${values.join(',')}`), `${n} $in`).toEqual(['Ann', 'Bob'])
      // $nin keeps rows where the field is unset (Cy has no title), as $ne does
      expect(await list(t, `title[$nin]=${['CEO', ...fakes(n - 1)].join(',')}`), `${n} $nin`).toEqual(['Bob', 'Cy'])
      // numbers compare as numbers (the column's affinity rules the comparison)
      expect(await list(t, `leadScore[$in]=${[10, 30, ...Array.from({ length: n - 2 }, (_, i) => 1_000 + i)].join(',')}`), `${n} numbers`).toEqual(['Ann', 'Cy'])
      expect(await list(t, `leadScore[$nin]=${[10, ...Array.from({ length: n - 1 }, (_, i) => 1_000 + i)].join(',')}`), `${n} numbers $nin`).toEqual(['Bob', 'Cy'])
    }
  }, TIMEOUT)

  it('answers JSON filter= lists, relation filters and lists that add up to well over 100 values', async () => {
    const t = await people()
    const filter = (f: unknown) => `filter=${encodeURIComponent(JSON.stringify(f))}`
    expect(await list(t, filter({ name: { $in: ['Ann', 'Bob', ...fakes(MAX_IN_VALUES - 2)] } }))).toEqual(['Ann', 'Bob'])
    expect(await list(t, filter({ $or: [{ name: { $in: ['Ann', ...fakes(150)] } }, { email: { $in: ['cy@x.dev', ...fakes(150)] } }] }))).toEqual(['Ann', 'Cy'])
    expect(await list(t, `organization.industry[$in]=${['SaaS', ...fakes(149)].join(',')}`)).toEqual(['Ann'])
    expect(await list(t, filter({ 'organization.industry': { $nin: ['SaaS', ...fakes(149)] } }))).toEqual(['Bob'])
    // 80 + 80 + 150 values in one statement
    expect(await list(t, `name[$in]=${['Ann', 'Bob', ...fakes(78)].join(',')}&email[$in]=${['ann@x.dev', ...fakes(79)].join(',')}&${filter({ title: { $nin: fakes(150) } })}`)).toEqual(['Ann'])
  }, TIMEOUT)

  it(`refuses a list longer than ${MAX_IN_VALUES} with a 400 stating the limit`, async () => {
    const t = await people()
    expectRefused(await req(t, 'GET', `/contacts?name[$in]=${fakes(MAX_IN_VALUES + 1).join(',')}`), 400, 'invalid_query', { path: 'name.$in', message: `$in takes 1 to ${MAX_IN_VALUES} values` })
    expectRefused(await req(t, 'GET', `/contacts?filter=${encodeURIComponent(JSON.stringify({ name: { $nin: fakes(MAX_IN_VALUES + 1) } }))}`), 400, 'invalid_query', { path: 'filter.name.$nin', message: `$nin takes 1 to ${MAX_IN_VALUES} values` })
  }, TIMEOUT)

  it('the largest query the parser accepts (40 + 40 conditions, dates, 3 sort keys, a cursor) fits in one statement', async () => {
    const t = await people()
    const stringFields = ['name', 'firstName', 'lastName', 'email', 'phone', 'mobile', 'avatar', 'title', 'department', 'source', 'timezone', 'language', 'linkedinUrl', 'twitterHandle', 'marketingConsent']
    const relations = ['organization', 'owner', 'manager', 'mergedInto']
    const enums: [string, string][] = [['role', 'Blocker'], ['stage', 'Churned'], ['status', 'Bounced'], ['preferredChannel', 'SMS']]
    const ne: [string, string][] = [...stringFields.map((f) => [f, 'zzz'] as [string, string]), ...relations.map((f) => [f, f === 'organization' ? 'organization_000000000' : 'contact_000000000'] as [string, string]), ...enums]
    const nin: [string, string[]][] = [...stringFields.map((f) => [f, ['zzz', 'yyy']] as [string, string[]]), ['organization', ['organization_000000000']], ['owner', ['contact_000000000']]]
    expect(ne.length + nin.length).toBe(40)
    const params = new URLSearchParams()
    for (const [f, v] of ne) params.set(`${f}[$ne]`, v)
    for (const [f, v] of nin) params.set(`${f}[$nin]`, v.join(','))
    const json: Record<string, Record<string, unknown>> = {}
    for (const [f, v] of ne) json[f] = { $ne: v }
    for (const [f, v] of nin) json[f] = { ...json[f], $nin: v }
    params.set('filter', JSON.stringify(json))
    params.set('dateFrom', '2000-01-01')
    params.set('dateTo', '2999-12-31')
    params.set('sort', 'name,-leadScore,email')
    params.set('limit', '1')
    const first = await req(t, 'GET', `/contacts?${params}`)
    expect(first.status, first.text.slice(0, 400)).toBe(200)
    expect(first.json.data.map((c: { name: string }) => c.name)).toEqual(['Ann'])
    params.set('cursor', first.json.next)
    const second = await req(t, 'GET', `/contacts?${params}`)
    expect(second.status, second.text.slice(0, 400)).toBe(200)
    expect(second.json.data.map((c: { name: string }) => c.name)).toEqual(['Bob'])
  }, TIMEOUT)

  it('answers the MCP search tool with a long list, and never shows a storage message to the client', async () => {
    const t = await people()
    const result = await tool(t, 'search', { type: 'Contact', filter: { name: { $in: ['Ann', 'Bob', ...fakes(150)] } }, sort: { name: 'asc' } })
    expect(result.isError, JSON.stringify(result).slice(0, 300)).toBeFalsy()
    expect(result.structuredContent.data.map((c: { name: string }) => c.name)).toEqual(['Ann', 'Bob'])
    const tooLong = await tool(t, 'search', { type: 'Contact', filter: { name: { $in: fakes(MAX_IN_VALUES + 1) } } })
    expect(tooLong.isError).toBe(true)
    expect(toolProblem(tooLong)).toMatchObject({ code: 'invalid_query', errors: [{ path: 'name.$in' }] })
    expect(tooLong.content[0]!.text).not.toMatch(/SQLITE|SQL variables/i)
  }, TIMEOUT)
})

describe('Prototype names', () => {
  const PROTO = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']

  it('as a sort, filter, relation path, include, verb or body key: a 4xx naming it, never a 500 or a silent match', async () => {
    const t = await createTenant()
    const contact = (await req(t, 'POST', '/contacts', JSON.stringify({ name: 'Proto' }))).json.$id as string
    const before = await footprint(t)
    for (const name of PROTO) {
      const q = encodeURIComponent(name)
      expectRefused(await req(t, 'GET', `/contacts?sort=${q}`), 400, 'invalid_query', { path: 'sort', message: new RegExp(`'${name}' is not a field`) }, `sort ${name}`)
      expectRefused(await req(t, 'GET', `/contacts?sort=-${q}`), 400, 'invalid_query', { path: 'sort' }, `sort -${name}`)
      expectRefused(await req(t, 'GET', `/contacts?${q}=x`), 400, 'invalid_query', { path: name }, `filter ${name}`)
      expectRefused(await req(t, 'GET', `/contacts?${q}[$eq]=x`), 400, 'invalid_query', { path: new RegExp(`^${name.replace(/\$/g, '\\$')}`) }, `filter ${name}[$eq]`)
      expectRefused(await req(t, 'GET', `/contacts?filter=${encodeURIComponent(`{"${name}":"x"}`)}`), 400, 'invalid_query', { path: `filter.${name}` }, `filter= ${name}`)
      expectRefused(await req(t, 'GET', `/contacts?filter=${encodeURIComponent(`{"name":{"${name}":"x"}}`)}`), 400, 'invalid_query', { path: `filter.name.${name}` }, `filter= operator ${name}`)
      expectRefused(await req(t, 'GET', `/contacts?organization.${q}=x`), 400, 'invalid_query', { path: `organization.${name}` }, `relation target ${name}`)
      expectRefused(await req(t, 'GET', `/contacts?filter=${encodeURIComponent(`{"${name}.name":"x"}`)}`), 400, 'invalid_query', { path: `filter.${name}.name` }, `relation ${name}`)
      expectRefused(await req(t, 'GET', `/contacts/${contact}?include=${q}`), 400, 'invalid_query', { path: 'include', message: `'${name}' is not a relation of Contact` }, `include ${name}`)
      expectRefused(await req(t, 'POST', '/contacts', `{"name":"P","${name}":"x"}`), 422, 'validation_failed', { path: name }, `body ${name}`)
      expectRefused(await req(t, 'PATCH', `/contacts/${contact}`, `{"${name}":{"name":"Polluted"}}`), 422, 'validation_failed', { path: name }, `patch ${name}`)
      expectRefused(await req(t, 'POST', `/contacts/${contact}/${q}`, '{}'), 404, 'not_found', undefined, `verb ${name}`)
      expectRefused(await req(t, 'POST', `/contacts/${q}`, '{}'), 404, 'not_found', undefined, `collection verb ${name}`)
    }
    // A settings section that is a record (templates by stage) would drop a `__proto__` key silently.
    expectRefused(await req(t, 'PUT', '/settings/templates', '{"__proto__":{"subject":"S","body":"B"}}'), 422, 'validation_failed', { path: 'templates.__proto__' }, 'templates __proto__')
    expect(await footprint(t)).toBe(before)
    expect(({} as Record<string, unknown>).$eq).toBeUndefined() // nothing leaked onto Object.prototype
  }, TIMEOUT)

  it('over MCP: sort, filter, include and verb names are refused as tool errors', async () => {
    const t = await createTenant()
    const contact = (await req(t, 'POST', '/contacts', JSON.stringify({ name: 'Proto' }))).json.$id as string
    const before = await footprint(t)
    for (const name of PROTO) {
      const cases: [string, Record<string, unknown>, string][] = [
        ['search', { type: 'Contact', sort: name }, 'invalid_query'],
        ['search', { type: 'Contact', sort: { [name]: 'desc' } }, 'invalid_query'],
        ['search', { type: 'Contact', filter: JSON.parse(`{"${name}":"x"}`) }, 'invalid_query'],
        ['fetch', { type: 'Contact', id: contact, include: [name] }, 'invalid_query'],
        ['do', { type: 'Contact', verb: name, id: contact }, 'not_found'],
        ['do', { type: name, verb: 'create', data: { name: 'x' } }, 'not_found'],
        ['do', { type: 'Contact', verb: 'create', data: JSON.parse(`{"name":"x","${name}":"y"}`) }, 'validation_failed'],
      ]
      for (const [tool_, args, code] of cases) {
        const message = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: tool_, arguments: args } })
        // A `__proto__` key anywhere in a message is refused at the door: tool inputs are zod
        // records, which would drop it without a word and run the call as if it were not there.
        if (message.includes('"__proto__":')) {
          const refused = await mcpRaw(t, message)
          expect([refused.status, refused.json?.code], `${tool_} ${message}`).toEqual([400, 'bad_request'])
          expect(refused.json.errors[0].path).toMatch(/__proto__$/)
          continue
        }
        const result = await tool(t, tool_, args)
        expect(result.isError, `${tool_} ${JSON.stringify(args)}`).toBe(true)
        expect(toolProblem(result).code, `${tool_} ${JSON.stringify(args)}`).toBe(code)
      }
    }
    expect(await footprint(t)).toBe(before)
  }, TIMEOUT)

  it('in settings: automation verbs and fields, scoring rule paths; in templates and webhook mappings: nothing of Object', async () => {
    const t = await createTenant()
    const before = await footprint(t)
    for (const name of ['constructor', 'toString', 'hasOwnProperty']) {
      const run = await req(t, 'PUT', '/settings/automations', JSON.stringify([{ id: 'a', on: 'contact.created', do: [{ run: name, noun: 'Contact', id: '{{contact.$id}}' }] }]))
      expectRefused(run, 422, 'validation_failed', { path: 'automations[0].do[0].run' }, `run ${name}`)
      const field = await req(t, 'PUT', '/settings/automations', JSON.stringify([{ id: 'a', on: 'contact.created', do: [{ create: 'Activity', with: { subject: 'x', [name]: 'y' } }] }]))
      expectRefused(field, 422, 'validation_failed', { path: `automations[0].do[0].with.${name}` }, `with ${name}`)
      const rule = await req(t, 'PUT', '/settings/scoring', JSON.stringify({ rules: [{ id: 'r', label: 'R', when: { [`facts.${name}`]: true }, points: 5 }] }))
      expectRefused(rule, 422, 'validation_failed', { path: `rules[0].when.facts.${name}` }, `rule facts.${name}`)
    }
    // `restore` is a verb, but not one an automation can run
    expectRefused(await req(t, 'PUT', '/settings/automations', JSON.stringify([{ id: 'a', on: 'contact.created', do: [{ run: 'restore', noun: 'Contact', id: '{{contact.$id}}' }] }])), 422, 'validation_failed', { path: 'automations[0].do[0].run' })
    expect(await footprint(t)).toBe(before)

    expect(render('{{contact.constructor}}', { contact: { name: 'Ann' } })).toBeNull()
    expect(render('a{{contact.toString}}b{{contact.__proto__}}c{{contact.name.length}}', { contact: { name: 'Ann' } })).toBe('abc')

    // A webhook mapping path through `constructor` finds nothing (not "Object").
    const ingest = await signedSource(t, { email: 'data.email', firstName: 'data.constructor.name', lastName: 'data.__proto__' })
    const res = await ingest(JSON.stringify({ data: { email: 'mapped@x.dev' } }))
    expect(res.status, res.text).toBe(201)
    const contact = (await req(t, 'GET', '/contacts?email=mapped@x.dev')).json.data[0]
    expect(contact).toBeDefined()
    expect(contact.firstName).toBeUndefined()
    expect(contact.lastName).toBeUndefined()
  }, TIMEOUT)

  it('as an import column: refused as a column naming it', async () => {
    const t = await createTenant()
    const csv = await req(t, 'POST', '/contacts/import', 'name,__proto__,constructor\nAnn,x,y\n', CSV)
    expect(csv.status, csv.text).toBe(422)
    expect(csv.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['__proto__', 'constructor'])
    const nd = await req(t, 'POST', '/contacts/import', '{"name":"Ann","__proto__":{"stage":"Customer"}}\n', NDJSON)
    expect(nd.status, nd.text).toBe(422)
    expect(nd.json.errors.map((e: { field: string }) => e.field)).toEqual(['__proto__'])
    expect((await req(t, 'GET', '/contacts')).json.total).toBe(0)
    // An empty cell is no value, whatever its column (a spreadsheet's spare columns): a null
    // `__proto__` is left out like any empty cell, and the row is imported as if it were not there.
    const empty = await req(t, 'POST', '/contacts/import', '{"name":"Ann","__proto__":null}\n', NDJSON)
    expect(empty.status, empty.text).toBe(200)
    const [ann] = (await req(t, 'GET', '/contacts')).json.data
    expect(Object.getPrototypeOf(ann)).toBe(Object.prototype)
    expect(ann).toMatchObject({ name: 'Ann' })
  }, TIMEOUT)
})

describe('Bad text', () => {
  it('NUL and unpaired surrogates in JSON bodies are a 400 naming the field', async () => {
    const t = await createTenant()
    const before = await footprint(t)
    expectRefused(await req(t, 'POST', '/contacts', '{"name":"a\\u0000b"}'), 400, 'bad_request', { path: 'name', message: 'contains a NUL character' })
    expectRefused(await req(t, 'POST', '/contacts', '{"name":"x","title":"\\ud800"}'), 400, 'bad_request', { path: 'title', message: 'contains an unpaired surrogate' })
    expectRefused(await req(t, 'POST', '/organizations', '{"name":"x","tags":["ok","\\udfff"]}'), 400, 'bad_request', { path: 'tags[1]', message: 'contains an unpaired surrogate' })
    expectRefused(await req(t, 'PUT', '/settings/templates', '{"Won":{"subject":"a\\u0000","body":"b"}}'), 400, 'bad_request', { path: 'Won.subject' })
    expectRefused(await req(t, 'POST', '/keys', '{"role":"member","name":"\\u0000"}'), 400, 'bad_request', { path: 'name' })
    expect(await footprint(t)).toBe(before)
  }, TIMEOUT)

  it('invalid UTF-8 bodies are a 400 on JSON routes, MCP, capture and ingestion', async () => {
    const t = await createTenant()
    const ingest = await signedSource(t)
    const before = await footprint(t)
    const notUtf8 = { path: '(body)', message: 'is not valid UTF-8' }
    expectRefused(await req(t, 'POST', '/contacts', bytes('{"name":"', [0xff, 0xfe], '"}')), 400, 'bad_request', notUtf8, 'create')
    expectRefused(await req(t, 'PUT', '/settings/templates', bytes('{"Won":{"subject":"', [0xed, 0xa0, 0x80], '","body":"b"}}')), 400, 'bad_request', notUtf8, 'settings')
    expectRefused(await mcpRaw(t, bytes('{"jsonrpc":"2.0","id":1,"method":"ping","x":"', [0xc3], '"}')), 400, 'bad_request', notUtf8, 'mcp')
    expectRefused(await sendRaw({ method: 'POST', path: `/~${t.slug}/capture`, headers: { 'content-type': 'application/json' }, body: bytes('{"email":"a@x.dev","name":"', [0x80], '"}') }), 400, 'bad_request', notUtf8, 'capture')
    const formBad = await sendRaw({ method: 'POST', path: `/~${t.slug}/capture`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: bytes('email=a%40x.dev&name=', [0xff]) })
    expectRefused(formBad, 400, 'bad_request', undefined, 'capture urlencoded raw byte')
    expectRefused(await ingest('{"data":{"email":"a@x.dev","first_name":"\\u0000"}}'), 400, 'bad_request', { path: 'data.first_name', message: 'contains a NUL character' }, 'ingest NUL')
    expect(await footprint(t)).toBe(before)
  }, TIMEOUT)

  it('NUL and invalid UTF-8 in a query string are a 400 invalid_query naming the parameter (after the key check)', async () => {
    const t = await createTenant()
    expectRefused(await req(t, 'GET', '/contacts?name=a%00b'), 400, 'invalid_query', { path: 'name', message: 'contains a NUL character' })
    expectRefused(await req(t, 'GET', '/contacts?sort=name%00'), 400, 'invalid_query', { path: 'sort' })
    expectRefused(await req(t, 'GET', '/contacts?name=%ED%A0%80'), 400, 'invalid_query', { path: 'name', message: 'is not valid UTF-8' })
    expectRefused(await req(t, 'GET', '/contacts?na%00me=x'), 400, 'invalid_query', { path: 'na\u0000me' })
    expectRefused(await req(t, 'GET', `/contacts?filter=${encodeURIComponent('{"name":"\\u0000"}')}`), 400, 'invalid_query', { path: 'filter.name', message: 'contains a NUL character' })
    expectRefused(await req(t, 'GET', '/events?type=a%00'), 400, 'invalid_query', { path: 'type' })
    expectRefused(await sendRaw({ method: 'GET', path: '/tenants?status=%FF', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }), 400, 'invalid_query', { path: 'status' })
    // without a key, the key is what is wrong
    expectRefused(await sendRaw({ method: 'GET', path: `/~${t.slug}/contacts?name=a%00b` }), 401, 'unauthorized')
    // and text that is fine passes (é, emoji, + as space)
    expect((await req(t, 'GET', '/contacts?name=Z%C3%A9%F0%9F%98%80+x')).status).toBe(200)
  }, TIMEOUT)

  it('public capture: NUL or bad bytes in a urlencoded, multipart or JSON form field is a 400 naming it', async () => {
    const t = await createTenant()
    const capture = (body: RawRequest['body'], type?: string) => sendRaw({ method: 'POST', path: `/~${t.slug}/capture`, headers: type ? { 'content-type': type } : {}, body })
    expectRefused(await capture('email=a%40x.dev&firstName=A%00', 'application/x-www-form-urlencoded'), 400, 'bad_request', { path: 'firstName', message: 'contains a NUL character' })
    expectRefused(await capture('email=a%40x.dev&firstName=%C3', 'application/x-www-form-urlencoded'), 400, 'bad_request', { path: 'firstName', message: 'is not valid UTF-8' })
    const form = new FormData()
    form.append('email', 'a@x.dev')
    form.append('lastName', 'B\u0000')
    expectRefused(await capture(form), 400, 'bad_request', { path: 'lastName', message: 'contains a NUL character' })
    expectRefused(await capture('{"email":"a@x.dev","company":"\\ud83d"}', 'application/json'), 400, 'bad_request', { path: 'company', message: 'contains an unpaired surrogate' })
    expect((await req(t, 'GET', '/contacts')).json.total).toBe(0)
    expect((await req(t, 'GET', '/leads')).json.total).toBe(0)
  }, TIMEOUT)

  it('a dashboard form with a NUL is a 400 and adds no lead', async () => {
    const t = await createTenant()
    const { cookie, csrf } = await dashboardLogin(t)
    const res = await sendRaw({
      method: 'POST',
      path: `/~${t.slug}/dashboard/leads`,
      headers: { cookie, origin: ORIGIN },
      body: new URLSearchParams({ csrf, firstName: 'Nul\u0000', lastName: 'Person', email: 'nul@x.dev' }),
    })
    expectRefused(res, 400, 'bad_request', { path: 'firstName', message: 'contains a NUL character' })
    expect((await req(t, 'GET', '/leads')).json.total).toBe(0)
  }, TIMEOUT)

  it('imports: a CSV cell or NDJSON value with a NUL, or a line that is not UTF-8, rejects that row by its line', async () => {
    const t = await createTenant()
    const csv = bytes('name,email,title\nGood One,g1@x.dev,CEO\nBad Cell,b1@x.dev,C\u0000O\nBad Bytes,b2@x.dev,', [0xff, 0xfe], '\n"Multi\nLine",g2@x.dev,"a\nb"\nGood Two,g3@x.dev,\n')
    const res = await req(t, 'POST', '/contacts/import', csv, CSV)
    expect(res.status, res.text).toBe(200)
    expect(res.json).toMatchObject({ created: 3, rejected: 2, rows: 5 })
    expect(res.json.errors).toEqual([
      { line: 3, field: 'title', message: 'contains a NUL character' },
      { line: 4, field: null, message: 'is not valid UTF-8' },
    ])
    expect(names((await req(t, 'GET', '/contacts?limit=10')).json.data)).toEqual(['Good One', 'Good Two', 'Multi\nLine'])

    const nd = bytes(JSON.stringify({ name: 'Nd Good' }), '\n{"name":"Nd ', [0xc3, 0x28], '"}\n{"name":"Nd \\u0000"}\n{"name":"x","name":"y"}\n', JSON.stringify({ name: 'Nd Last' }), '\n')
    const ndRes = await req(t, 'POST', '/organizations/import', nd, NDJSON)
    expect(ndRes.status, ndRes.text).toBe(200)
    expect(ndRes.json).toMatchObject({ created: 2, rejected: 3 })
    expect(ndRes.json.errors).toEqual([
      { line: 2, field: null, message: 'is not valid UTF-8' },
      { line: 3, field: 'name', message: 'contains a NUL character' },
      { line: 4, field: 'name', message: 'appears twice in one object' },
    ])
    // a header that is not clean text refuses the file
    expectRefused(await req(t, 'POST', '/contacts/import', 'name,ti\u0000tle\nA,b\n', CSV), 400, 'bad_request', { path: 'column 2', message: 'contains a NUL character' })
  }, TIMEOUT)

  it('string validators refuse NUL and unpaired surrogates at every door (422 naming the field, list items too)', () => {
    const contact = createValidator(nouns.byName('Contact')!).safeParse({ name: 'a\u0000b', email: 'x\ud800@y.dev' })
    expect(contact.success).toBe(false)
    const issues = contact.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    expect(issues).toContain('name: contains a NUL character')
    expect(issues).toContain('email: contains an unpaired surrogate')
    const org = createValidator(nouns.byName('Organization')!).safeParse({ name: 'Org', description: '\udc00', website: 'https://x.dev/\u0000', tags: ['fine', 'bad\u0000'] })
    expect(org.error!.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['description', 'website', 'tags.1']))
    expect(createValidator(nouns.byName('Contact')!).safeParse({ name: 'Zoë 😀 \t ok' }).success).toBe(true)
  })
})

describe('Duplicate JSON keys', () => {
  it('are a 400 naming the key on bodies, settings, capture, MCP and filter=', async () => {
    const t = await createTenant()
    const key = await issueKey(t.slug, t.key, 'member')
    const before = await footprint(t)
    const twice = { message: 'appears twice in one object' }
    expectRefused(await req(t, 'POST', '/contacts', '{"name":"a","name":"b"}'), 400, 'bad_request', { path: 'name', ...twice })
    expectRefused(await req(t, 'POST', '/contacts', '{"name":"a","email":"x@y.dev","\\u0065mail":"z@y.dev"}'), 400, 'bad_request', { path: 'email', ...twice })
    expectRefused(await req(t, 'PUT', '/settings/tiers', '[{"name":"x","label":"X","name":"y","lineItems":[]}]'), 400, 'bad_request', { path: '[0].name', ...twice })
    expectRefused(await sendRaw({ method: 'POST', path: `/~${t.slug}/capture`, headers: { 'content-type': 'application/json' }, body: '{"email":"a@x.dev","email":"b@x.dev"}' }), 400, 'bad_request', { path: 'email', ...twice })
    expectRefused(await mcpRaw(t, '{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}'), 400, 'bad_request', { path: 'id', ...twice })
    expectRefused(await req(t, 'GET', `/contacts?filter=${encodeURIComponent('{"name":"a","name":"b"}')}`), 400, 'invalid_query', { path: 'filter.name', ...twice })
    expectRefused(await sendRaw({ method: 'POST', path: `/~${t.slug}/contacts`, headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' }, body: '{"name":"a","name":"b"}' }), 400, 'bad_request', { path: 'name' })
    expect(await footprint(t)).toBe(before)
  }, TIMEOUT)
})

describe('Forged cursors', () => {
  it('a cursor whose values are not one scalar per sort key is a 400 naming cursor', async () => {
    const t = await createTenant()
    await req(t, 'POST', '/contacts', JSON.stringify({ name: 'Ann' }))
    const cursor = (v: unknown) => btoa(JSON.stringify(v)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
    for (const forged of [['$createdAt', [{ a: 1 }], 'contact_x'], ['$createdAt', [[1, 2]], 'contact_x'], ['$createdAt', [], 'contact_x'], ['$createdAt', ['a', 'b'], 'contact_x']])
      expectRefused(await req(t, 'GET', `/contacts?cursor=${cursor(forged)}`), 400, 'invalid_query', { path: 'cursor' }, JSON.stringify(forged))
    const first = await req(t, 'GET', '/contacts?limit=1&sort=name')
    expect(first.status).toBe(200)
  }, TIMEOUT)
})

describe('Numbers in query strings', () => {
  it('are decimal only: 0x1F, 0b1, blanks and Infinity are a 400 naming the parameter', async () => {
    const t = await createTenant()
    await req(t, 'POST', '/contacts', JSON.stringify({ name: 'Ten', leadScore: 10 }))
    await req(t, 'POST', '/contacts', JSON.stringify({ name: 'Thirty', leadScore: 31 }))
    const mustBeDecimal = { message: 'must be a decimal number such as 42 or -1.5' }
    expectRefused(await req(t, 'GET', '/contacts?leadScore=0x1F'), 400, 'invalid_query', { path: 'leadScore.$eq', ...mustBeDecimal })
    expectRefused(await req(t, 'GET', '/contacts?leadScore[$gt]=0b1'), 400, 'invalid_query', { path: 'leadScore.$gt', ...mustBeDecimal })
    expectRefused(await req(t, 'GET', '/contacts?leadScore[$in]=10,0o7'), 400, 'invalid_query', { path: 'leadScore.$in' })
    expectRefused(await req(t, 'GET', '/contacts?leadScore[$lt]=Infinity'), 400, 'invalid_query', { path: 'leadScore.$lt' })
    expectRefused(await req(t, 'GET', '/contacts?leadScore[$lt]=1e400'), 400, 'invalid_query', { path: 'leadScore.$lt' })
    expectRefused(await req(t, 'GET', '/contacts?leadScore=%2010'), 400, 'invalid_query', { path: 'leadScore.$eq' })
    expectRefused(await req(t, 'GET', '/events?after=0x1F'), 400, 'invalid_query', { path: 'after' })
    expectRefused(await req(t, 'GET', '/events?limit=1e2'), 400, 'invalid_query', { path: 'limit' })
    expectRefused(await req(t, 'GET', '/jobs?limit=0x10'), 400, 'invalid_query', { path: 'limit' })
    const list = async (q: string) => names((await req(t, 'GET', `/contacts?${q}`)).json.data)
    expect(await list('leadScore[$gte]=1e1')).toEqual(['Ten', 'Thirty'])
    expect(await list('leadScore[$gt]=10.5')).toEqual(['Thirty'])
    expect(await list('leadScore[$gt]=-1.5&leadScore[$lt]=%2B11')).toEqual(['Ten'])
    expect((await req(t, 'GET', '/events?after=0&limit=5')).status).toBe(200)
  }, TIMEOUT)

  it('CSV number cells are decimal only too: 0x1F stays text and the row names the field', async () => {
    const t = await createTenant()
    const res = await req(t, 'POST', '/contacts/import', 'name,leadScore\nHex,0x1F\nDec,31\n', CSV)
    expect(res.json).toMatchObject({ created: 1, rejected: 1, errors: [{ line: 2, field: 'leadScore' }] })
  }, TIMEOUT)
})
