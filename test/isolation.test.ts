/**
 * Reliability (issue 8): the isolation matrix. Two tenants, A and B, each with data in every noun
 * that can be created directly, plus keys, a webhook source, settings and a dashboard session.
 * Every route class is tried across the tenant boundary:
 *   - A's key on B's path, on B's host (`{b}.revline.localhost`), and on A's host with B's path;
 *   - B's key with A's entity ids (in paths, filters, bodies, verb inputs, MCP tool calls);
 *   - A's source id (signed with A's secret) on B's ingest;
 *   - A's dashboard session cookie on B's dashboard;
 *   - B's public capture given A's campaign, email and allowed origin.
 * Each is refused (401, 404, or 422 for a reference in a body; reads answer only B's own data),
 * no response carries anything of the other tenant (ids, keys, secrets, unique strings) that the
 * request did not itself contain, and both tenants' event logs and lists are unchanged afterwards.
 */
import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { nouns } from '../src/domain/nouns'
import { apiVerbs } from '../src/domain/noun/noun'
import { createTenant, flashKind, issueKey, rpcOf, canonicalJson as canonical, sendRaw as send, snapshotChanges as changes, type RawRequest as Req, type RawResponse as Res } from './helpers'
import { signInAs } from './dashboard-sign-in'

const BASE_HOST = 'revline.localhost'
const TIMEOUT = 30_000

// ---------------------------------------------------------------------------------------------
// Transport

const clip = (text: string, max = 240) => (text.length > max ? `${text.slice(0, max)}…` : text)

// ---------------------------------------------------------------------------------------------
// Two populated tenants

interface World {
  name: 'A' | 'B'
  slug: string
  key: string
  keyId: string
  member: string
  memberId: string
  marker: string
  email: string
  origin: string
  utm: string
  tier: string
  /** plural → the id of this tenant's entity of that noun */
  ids: Record<string, string>
  source: { id: string; secret: string }
  session: { cookie: string; csrf: string }
}

const PLURALS = nouns.all().map((n) => n.plural)

async function post(w: { slug: string; key: string }, path: string, body: unknown): Promise<any> {
  const res = await send({ method: 'POST', path: `/~${w.slug}${path}`, headers: { authorization: `Bearer ${w.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (res.status !== 201 && res.status !== 200) throw new Error(`setup: POST ${path} → ${res.status} ${res.text}`)
  return res.json
}

async function put(w: { slug: string; key: string }, path: string, body: unknown) {
  const res = await send({ method: 'PUT', path: `/~${w.slug}${path}`, headers: { authorization: `Bearer ${w.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (res.status !== 200) throw new Error(`setup: PUT ${path} → ${res.status} ${res.text}`)
}

/** Signs in by email link as an admin of the tenant (test/dashboard-sign-in.ts). */
const dashboardLogin = (slug: string, key: string) => signInAs(slug, key)

const CAPTURE_FIELDS = ['firstName', 'lastName', 'name', 'email', 'phone', 'company', 'title', 'source', 'sourceDetail', 'budget', 'authority', 'need', 'timeline', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content']

async function world(name: 'A' | 'B'): Promise<World> {
  const tenant = await createTenant(`iso-${name.toLowerCase()}`)
  const w = { slug: tenant.slug, key: tenant.key }
  const marker = `Iso${name}${Math.random().toString(36).slice(2, 10)}`
  const lower = marker.toLowerCase()
  const email = `${lower}@example.com`
  const origin = `https://${lower}.example`
  const utm = `${lower}-utm`
  const tier = `${lower}-tier`

  // Settings with this tenant's own strings in them; no outbound webhooks (they would leave the test).
  await put(w, '/settings/tiers', [{ name: tier, label: `${marker} Tier`, lineItems: [{ description: `${marker} work`, quantity: 1, unitPrice: 10_000 }] }])
  await put(w, '/settings/capture', { allowedOrigins: [origin], rateLimitPerMinute: 1_000 })
  await put(w, '/settings/templates', { Prospecting: { subject: `${marker} subject`, body: `${marker} body` } })
  const member = await issueKey(w.slug, w.key, 'member', `${marker} member key`)

  const ids: Record<string, string> = {}
  const make = async (plural: string, body: Record<string, unknown>) => (ids[plural] = (await post(w, `/${plural}`, body)).$id)
  await make('organizations', { name: `${marker} Org`, domain: `${lower}.example`, industry: `${marker} industry` })
  await make('contacts', { name: `${marker} Person`, email, stage: 'Lead', leadScore: 50, organization: ids.organizations })
  await make('leads', { name: `${marker} Lead`, source: 'website', contact: ids.contacts, organization: ids.organizations, budget: 7_000, status: 'Qualified' })
  await make('deals', { name: `${marker} Deal`, value: 5_000, contact: ids.contacts, organization: ids.organizations, stage: 'Negotiation' })
  await make('activities', { subject: `${marker} Call`, type: 'Call', contact: ids.contacts, deal: ids.deals })
  await make('campaigns', { name: `${marker} Campaign`, utmCampaign: utm })
  await make('plans', { name: `${marker} Plan`, price: 1_234 })
  await make('customers', { name: `${marker} Customer`, contact: ids.contacts, email })
  await make('subscriptions', { customer: ids.customers, plan: ids.plans })
  await make('proposals', { deal: ids.deals, tier, title: `${marker} Proposal` })
  await make('contracts', { proposal: ids.proposals, title: `${marker} Contract` })
  await make('tracked-events', { name: `${lower}_event`, contact: ids.contacts, properties: { marker } })
  await make('messages', { to: email, subject: `${marker} Message`, contact: ids.contacts })
  await make('notifications', { recipient: ids.contacts, title: `${marker} Notification` })
  // Lead scores are the scoring's record (no POST): the row the lead's creation wrote.
  ids['lead-scores'] = (await send({ method: 'GET', path: `/~${w.slug}/leads/${ids.leads}/scores`, headers: { authorization: `Bearer ${w.key}` } })).json.data[0].$id
  await make('stages', { name: `${marker} Stage`, order: 50 })
  await make('users', { email: `${lower}.user@example.com`, name: `${marker} User`, role: 'member' })
  for (const plural of PLURALS) if (!ids[plural]) throw new Error(`setup: no ${plural}`)

  const mapping = { ...Object.fromEntries(CAPTURE_FIELDS.map((f) => [f, `unmapped.${f}`])), email: 'data.email', firstName: 'data.first_name' }
  const source = (await post(w, '/sources', { name: `${marker} source`, mapping })) as { id: string; secret: string }
  const session = await dashboardLogin(w.slug, w.key)
  return { name, slug: w.slug, key: w.key, keyId: tenant.keyId, member: member.key, memberId: member.id, marker, email, origin, utm, tier, ids, source, session }
}

/** Everything that identifies a tenant's data: ids, keys, secrets and its unique strings. */
function secretsOf(w: World): string[] {
  return [
    w.slug,
    w.marker,
    w.marker.toLowerCase(),
    w.key,
    w.member,
    w.keyId,
    w.memberId,
    w.source.id,
    w.source.secret,
    w.source.secret.replace(/^whsec_/, ''),
    w.session.csrf,
    ...Object.values(w.ids),
  ]
}

/** The tenant's whole event log and every list, key, source and settings section (lastUsedAt left out: reading stamps it). */
async function snapshot(w: World): Promise<Record<string, string>> {
  const get = async (path: string) => {
    const res = await send({ method: 'GET', path: `/~${w.slug}${path}`, headers: { authorization: `Bearer ${w.key}` } })
    if (res.status !== 200) throw new Error(`snapshot ${w.name}: ${path} → ${res.status} ${res.text}`)
    return res.json
  }
  const events: unknown[] = []
  for (let after = 0; ; ) {
    const page = await get(`/events?limit=500&after=${after}`)
    events.push(...page.data)
    if (page.data.length < 500) break
    after = page.data[page.data.length - 1].seq
  }
  const paths = [...PLURALS.map((p) => `/${p}?limit=200`), '/keys', '/sources', ...['automations', 'tiers', 'capture', 'scoring', 'templates', 'webhooks'].map((s) => `/settings/${s}`)]
  const lists = await Promise.all(paths.map(async (path) => [path, canonical(await get(path))] as const))
  return { events: `${events.length} ${canonical(events)}`, ...Object.fromEntries(lists) }
}

// ---------------------------------------------------------------------------------------------
// Probes

interface Probe {
  what: string
  req: Req
  /** Returns a complaint, or null when the answer is the expected refusal. */
  expect(res: Res): string | null
}

const isProblem = (res: Res, status: number, code?: string) =>
  res.status === status && /^application\/problem\+json/.test(res.headers.get('content-type') ?? '') && res.json?.status === status && (code === undefined || res.json?.code === code)

const refused =
  (...allowed: [number, string?][]) =>
  (res: Res): string | null =>
    allowed.some(([status, code]) => isProblem(res, status, code)) ? null : `expected ${allowed.map(([s, c]) => `${s}${c ? ` ${c}` : ''}`).join(' or ')} problem+json`

/** A read that answers only the caller's own data: 200 JSON (the leak check does the rest). */
const ownRead = (res: Res) => (res.status === 200 ? null : 'expected 200')
/** A list filtered by the other tenant's id: 200 and nothing in it. */
const emptyList = (res: Res) => (res.status === 200 && Array.isArray(res.json?.data) && res.json.data.length === 0 && (res.json.total === undefined || res.json.total === 0) ? null : 'expected 200 with no data')

/** Runs the probes; a probe fails on an unexpected answer or on any of `forbidden` in the answer that the request did not carry itself. */
async function runProbes(probes: Probe[], forbidden: string[]): Promise<string[]> {
  const failures: string[] = []
  for (const probe of probes) {
    const res = await send(probe.req)
    const complaint = probe.expect(res)
    const requestText = `${probe.req.host ?? ''} ${probe.req.path} ${JSON.stringify(probe.req.headers ?? {})} ${probe.req.body?.toString() ?? ''}`
    const answer = `${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${res.text}`
    const leaked = forbidden.filter((s) => s && answer.includes(s) && !requestText.includes(s))
    if (res.status >= 500 || complaint || leaked.length > 0) {
      failures.push(
        `${probe.what}: ${[res.status >= 500 ? `a ${res.status}` : '', complaint ?? '', leaked.length ? `leaks ${leaked.map((s) => clip(s, 40)).join(', ')}` : ''].filter(Boolean).join('; ')}\n` +
          `    ${probe.req.method} ${probe.req.host ? `http://${probe.req.host}` : ''}${probe.req.path} ${clip(probe.req.body?.toString() ?? '', 160)}\n` +
          `    → ${res.status} ${res.headers.get('content-type')} ${res.headers.get('location') ?? ''} ${clip(res.text)}`,
      )
    }
  }
  return failures
}

/** Where the requests go: the slug's path form, or a host. */
interface Target {
  slug: string
  host?: string
  /** Path prefix: `/~slug`, or '' on a tenant host. */
  prefix: string
}
const pathForm = (slug: string): Target => ({ slug, prefix: `/~${slug}` })
const hostForm = (slug: string): Target => ({ slug, host: `${slug}.${BASE_HOST}`, prefix: '' })

function verbInput(noun: ReturnType<typeof nouns.byPlural>, verb: string, ids: Record<string, string>): Record<string, unknown> {
  const input: Record<string, unknown> = {}
  for (const field of Object.keys(noun!.verbs[verb]?.input ?? {})) {
    input[field] = { owner: ids.contacts, from: ids.contacts, plan: ids.plans, stage: 'Prospecting', lostReason: 'Budget', cancelReason: 'Budget', rejectionReason: 'Price', signedBy: 'Mallory', email: 'mallory@example.com' }[field] ?? 'Mallory'
  }
  return input
}

/** A create body for each noun whose references point at `refs`' entities. */
function createBody(plural: string, refs: World, marker: string): Record<string, unknown> {
  const r = refs.ids
  const bodies: Record<string, Record<string, unknown>> = {
    contacts: { name: `${marker} c`, organization: r.organizations, manager: r.contacts },
    leads: { name: `${marker} l`, source: 'website', contact: r.contacts, campaign: r.campaigns },
    organizations: { name: `${marker} o`, parent: r.organizations },
    deals: { name: `${marker} d`, contact: r.contacts, plan: r.plans, stage: 'Prospecting' },
    activities: { subject: `${marker} a`, contact: r.contacts, lead: r.leads, deal: r.deals },
    campaigns: { name: `${marker} camp` },
    customers: { name: `${marker} cu`, contact: r.contacts, organization: r.organizations },
    plans: { name: `${marker} p`, price: 1 },
    subscriptions: { customer: r.customers, plan: r.plans },
    proposals: { deal: r.deals, tier: refs.tier },
    contracts: { proposal: r.proposals, deal: r.deals },
    'tracked-events': { name: 'x', contact: r.contacts, lead: r.leads },
    messages: { to: 'm@example.com', subject: 's', contact: r.contacts, deal: r.deals },
    notifications: { recipient: r.contacts, title: 't', deal: r.deals },
    'lead-scores': { lead: r.leads, score: 1 },
    stages: { name: `${marker} s`, order: 77 },
    users: { email: `${marker.toLowerCase()}.u${Math.random().toString(36).slice(2, 8)}@example.com`, name: `${marker} u`, contact: r.contacts },
  }
  return bodies[plural]!
}

/** A plain text field of the noun, for updates. */
function patchField(plural: string): string {
  const fields = nouns.byPlural(plural)!.fields
  return Object.keys(fields).find((f) => fields[f]!.kind === 'scalar' && (fields[f] as { type?: string }).type === 'string') ?? Object.keys(fields)[0]!
}

/**
 * Writes to nouns only the system writes (lead scores), and methods a noun does not have (tracked
 * events are never updated, messages never deleted), are a 405 for everyone: it reveals nothing of any tenant.
 */
const refusedForEveryone = (path: string, method: string) => {
  const noun = nouns.byPlural(path.split('/')[1]!.split('?')[0]!)
  const crud = method === 'PATCH' ? 'update' : method === 'DELETE' ? 'delete' : undefined
  return method !== 'GET' && (noun?.systemWritten === true || (noun !== undefined && crud !== undefined && !apiVerbs(noun)[crud]))
}
const orMethodNotAllowed = (check: (res: Res) => string | null) => (res: Res) => (isProblem(res, 405, 'method_not_allowed') ? null : check(res))

/** Fields of a create body that reference another entity. */
const referenceFields = (plural: string, body: Record<string, unknown>) => Object.keys(body).filter((k) => nouns.byPlural(plural)!.fields[k]?.kind === 'relation')

/**
 * Every route class of the tenant API, aimed at `target` with `key`, naming the entities of `ids`.
 * `expectFor` says what each class must answer.
 */
function keyedMatrix(target: Target, key: string, ids: World, refs: World, expectFor: (kind: string) => (res: Res) => string | null): Probe[] {
  const json = { authorization: `Bearer ${key}`, 'content-type': 'application/json' }
  const bare = { authorization: `Bearer ${key}` }
  const r = (method: string, path: string, kind: string, body?: unknown, headers: Record<string, string | undefined> = body === undefined ? bare : json): Probe => ({
    what: `${kind} ${method} ${path}`,
    req: { method, path: `${target.prefix}${path}`, host: target.host, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) },
    expect: refusedForEveryone(path, method) ? orMethodNotAllowed(expectFor(kind)) : expectFor(kind),
  })
  const probes: Probe[] = []
  const now = encodeURIComponent(new Date(Date.now() + 60_000).toISOString())
  for (const plural of PLURALS) {
    const noun = nouns.byPlural(plural)!
    const id = ids.ids[plural]!
    const body = createBody(plural, refs, 'Mallory')
    // A body that names no other entity cannot cross the boundary: with the tenant's own key it is simply a write.
    const plain = referenceFields(plural, body).length === 0 ? '-plain' : ''
    probes.push(
      r('GET', `/${plural}`, 'list'),
      r('GET', `/${plural}?$id=${id}`, 'list-filter'),
      r('GET', `/${plural}?filter=${encodeURIComponent(JSON.stringify({ $or: [{ $id: id }, { $id: { $in: [id] } }] }))}`, 'list-filter'),
      r('GET', `/${plural}/${id}`, 'get'),
      r('GET', `/${plural}/${id}?asOf=${now}`, 'get'),
      r('GET', `/${plural}/${id}?include=${[...Object.keys(noun.fields).filter((f) => noun.fields[f]!.kind === 'relation'), ...Object.keys(noun.reverse)].join(',')}`, 'get'),
      r('GET', `/${plural}/${id}/history`, 'get'),
      r('POST', `/${plural}`, `create${plain}`, body),
      r('PATCH', `/${plural}/${id}`, 'update', { [patchField(plural)]: 'Mallory' }),
      r('PATCH', `/${plural}/${id}`, 'update', { [patchField(plural)]: 'Mallory' }, { ...json, 'if-match': '"1"' }),
      r('DELETE', `/${plural}/${id}`, 'delete'),
      r('POST', `/${plural}/import`, `import${plain}`, JSON.stringify(body), { ...bare, 'content-type': 'application/x-ndjson' }),
      r('GET', `/${plural}/export?format=ndjson`, 'export'),
      r('GET', `/${plural}/export?format=csv`, 'export'),
    )
    for (const [verb, spec] of Object.entries(noun.verbs)) {
      if (spec.kind !== 'custom' && spec.kind !== 'restore') continue
      if (spec.scope === 'instance') probes.push(r('POST', `/${plural}/${id}/${verb}`, 'verb', verbInput(noun, verb, refs.ids)))
    }
  }
  probes.push(
    r('POST', '/contacts/capture', 'create', { email: ids.email, name: 'Mallory', campaign: refs.ids.campaigns, organization: refs.ids.organizations }),
    r('GET', '/events', 'read'),
    r('GET', `/events?entity=${ids.ids.contacts}`, 'list-filter'),
    r('GET', `/events?actor=${ids.keyId}`, 'list-filter'),
    r('GET', '/keys', 'read'),
    r('POST', '/keys', 'create-plain', { role: 'admin', name: 'Mallory' }),
    r('DELETE', `/keys/${ids.memberId}`, 'delete'),
    r('GET', '/sources', 'read'),
    r('POST', '/sources', 'create-plain', { name: 'Mallory', mapping: { email: 'email' } }),
    r('DELETE', `/sources/${ids.source.id}`, 'delete'),
    r('GET', '/jobs', 'read'),
    r('GET', '/jobs/dead', 'read'),
    r('GET', '/webhooks/deliveries', 'read'),
    r('GET', `/leads/${ids.ids.leads}/scores`, 'get'),
    r('GET', `/proposals/${ids.ids.proposals}/document`, 'get'),
    r('GET', `/contacts/${ids.ids.contacts}/export`, 'get'),
  )
  for (const report of ['summary', 'funnel', 'attribution', 'cycle', 'billing']) probes.push(r('GET', `/pipeline/${report}`, 'read'))
  for (const section of ['automations', 'tiers', 'capture', 'scoring', 'templates', 'webhooks']) probes.push(r('GET', `/settings/${section}`, 'read'))
  probes.push(
    r('PUT', '/settings/capture', 'settings-write', { allowedOrigins: ['https://mallory.example'], rateLimitPerMinute: 5 }),
    r('PUT', '/settings/automations', 'settings-write', [{ id: 'steal', on: 'contact.created', do: [{ update: 'Contact', id: ids.ids.contacts, with: { name: 'Mallory' } }] }]),
  )
  // MCP: the same operations as tool calls.
  const mcp = (name: string, args: Record<string, unknown>, kind: string): Probe => ({
    what: `${kind} mcp ${name} ${JSON.stringify(args)}`,
    req: {
      method: 'POST',
      path: `${target.prefix}/mcp`,
      host: target.host,
      headers: { ...json, accept: 'application/json, text/event-stream', host: target.host ?? 'revline.test' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
    },
    expect: expectFor(kind),
  })
  probes.push(
    mcp('fetch', { type: 'Contact', id: ids.ids.contacts }, 'mcp-get'),
    mcp('fetch', { type: 'Deal', id: ids.ids.deals, include: ['contact', 'organization'] }, 'mcp-get'),
    mcp('fetch', { type: 'Proposal', id: ids.ids.proposals, asOf: new Date(Date.now() + 60_000).toISOString() }, 'mcp-get'),
    mcp('search', { query: ids.marker }, 'mcp-empty'),
    mcp('search', { type: 'Contact', filter: { $id: ids.ids.contacts } }, 'mcp-empty'),
    mcp('events', { entity: ids.ids.deals }, 'mcp-empty'),
    mcp('do', { type: 'Contact', verb: 'update', id: ids.ids.contacts, data: { name: 'Mallory' } }, 'mcp-get'),
    mcp('do', { type: 'Deal', verb: 'win', id: ids.ids.deals }, 'mcp-get'),
    mcp('do', { steps: [{ type: 'Lead', verb: 'convert', id: ids.ids.leads }] }, 'mcp-get'),
    mcp('do', { type: 'Contact', verb: 'create', data: { name: 'Mallory', organization: refs.ids.organizations } }, 'mcp-get'),
  )
  return probes
}


/** What B's own key must answer when it names A's entities (a member key may also be refused admin work with 403). */
function crossIdExpectations(kind: string, member = false): (res: Res) => string | null {
  const checks = crossIdChecks(kind)
  return member ? (res) => (isProblem(res, 403, 'forbidden') ? null : checks(res)) : checks
}

function crossIdChecks(kind: string): (res: Res) => string | null {
  switch (kind) {
    case 'get':
    case 'update':
    case 'delete':
      return refused([404, 'not_found'])
    case 'verb':
      // The entity is not found; a verb whose input names A's entity may be refused for that first.
      return refused([404, 'not_found'], [422, 'validation_failed'])
    case 'create':
      return refused([422, 'validation_failed'])
    case 'import':
      return (res) => (res.status === 422 && res.json?.created === 0 && res.json?.updated === 0 && res.json?.rejected === 1 ? null : 'expected 422 with the row rejected')
    case 'list-filter':
      return emptyList
    case 'mcp-get':
      return (res) => {
        const rpc = rpcOf(res)
        return res.status === 200 && rpc?.result?.isError === true ? null : 'expected a tool error'
      }
    case 'mcp-empty':
      return (res) => {
        const rpc = rpcOf(res)
        const value = rpc?.result?.structuredContent
        const empty = value && Object.values(value).every((v) => !Array.isArray(v) || v.length === 0) && (!Array.isArray(value.data) || value.data.length === 0)
        return res.status === 200 && !rpc?.result?.isError && empty ? null : 'expected an empty tool result'
      }
    case 'settings-write':
    case 'create-plain':
    case 'import-plain':
      return () => null // B's own key may change B's own settings, keys and sources; these probes are not run in this mode
    default:
      return ownRead
  }
}

const dropWrites = (probes: Probe[]) => probes.filter((p) => !/^(settings-write|create-plain|import-plain) /.test(p.what))

async function pair() {
  const a = await world('A')
  const b = await world('B')
  return { a, b }
}

async function expectUnchanged(w: World, before: Record<string, string>) {
  expect(changes(before, await snapshot(w)), `${w.name}'s data changed`).toEqual([])
}

// ---------------------------------------------------------------------------------------------
// The matrix

describe('Isolation matrix', () => {
  it("refuses A's keys on B's path with 401 on every route class", async () => {
    const { a, b } = await pair()
    const [beforeA, beforeB] = [await snapshot(a), await snapshot(b)]
    const probes = [
      ...keyedMatrix(pathForm(b.slug), a.key, b, a, () => refused([401, 'unauthorized'])),
      ...keyedMatrix(pathForm(b.slug), a.member, b, a, () => refused([401, 'unauthorized'])),
    ]
    expect(probes.length).toBeGreaterThan(250)
    const failures = await runProbes(probes, [...secretsOf(b), ...secretsOf(a)])
    expect(failures, failures.join('\n')).toEqual([])
    await expectUnchanged(a, beforeA)
    await expectUnchanged(b, beforeB)
  }, TIMEOUT)

  it("refuses A's key on B's host, and on A's host with B's path, with 401", async () => {
    const { a, b } = await pair()
    const [beforeA, beforeB] = [await snapshot(a), await snapshot(b)]
    const onAHostBPath: Target = { slug: b.slug, host: `${a.slug}.${BASE_HOST}`, prefix: `/~${b.slug}` }
    const probes = [...keyedMatrix(hostForm(b.slug), a.key, b, a, () => refused([401, 'unauthorized'])), ...keyedMatrix(onAHostBPath, a.key, b, a, () => refused([401, 'unauthorized']))]
    const failures = await runProbes(probes, [...secretsOf(b), ...secretsOf(a)])
    expect(failures, failures.join('\n')).toEqual([])
    await expectUnchanged(a, beforeA)
    await expectUnchanged(b, beforeB)
  }, TIMEOUT)

  it("answers B's keys naming A's entities as if they did not exist, on the path and on the host", async () => {
    const { a, b } = await pair()
    const [beforeA, beforeB] = [await snapshot(a), await snapshot(b)]
    const probes = [
      ...dropWrites(keyedMatrix(pathForm(b.slug), b.key, a, a, crossIdExpectations)),
      ...dropWrites(keyedMatrix(hostForm(b.slug), b.key, a, a, crossIdExpectations)),
      ...dropWrites(keyedMatrix(pathForm(b.slug), b.member, a, a, (kind) => crossIdExpectations(kind, true))),
    ]
    // B's own entities, updated to point at A's.
    for (const plural of PLURALS) {
      const body = createBody(plural, a, 'Mallory')
      const refs = Object.fromEntries(referenceFields(plural, body).map((k) => [k, body[k]]))
      if (Object.keys(refs).length === 0) continue
      probes.push({
        what: `update-ref PATCH /${plural}/${b.ids[plural]}`,
        req: { method: 'PATCH', path: `/~${b.slug}/${plural}/${b.ids[plural]}`, headers: { authorization: `Bearer ${b.key}`, 'content-type': 'application/json' }, body: JSON.stringify(refs) },
        expect: refused([404, 'not_found'], [422, 'validation_failed'], [405, 'method_not_allowed']),
      })
    }
    // B's own verbs whose input names A's entities.
    for (const [plural, verb, input] of [
      ['contacts', 'assign', { owner: a.ids.contacts }],
      ['contacts', 'merge', { from: a.ids.contacts }],
      ['subscriptions', 'upgrade', { plan: a.ids.plans }],
      ['subscriptions', 'downgrade', { plan: a.ids.plans }],
    ] as const) {
      probes.push({
        what: `verb-ref POST /${plural}/{B}/${verb}`,
        req: { method: 'POST', path: `/~${b.slug}/${plural}/${b.ids[plural]}/${verb}`, headers: { authorization: `Bearer ${b.key}`, 'content-type': 'application/json' }, body: JSON.stringify(input) },
        expect: refused([404, 'not_found'], [422, 'validation_failed']),
      })
    }
    const failures = await runProbes(probes, secretsOf(a))
    expect(failures, failures.join('\n')).toEqual([])
    await expectUnchanged(a, beforeA)
    await expectUnchanged(b, beforeB)
  }, TIMEOUT)

  it("refuses A's source on B's ingest, and deliveries signed with A's secret", async () => {
    const { a, b } = await pair()
    const payload = (email: string) => JSON.stringify({ type: 'form_response', data: { email, first_name: 'Mallory' } })
    const signed = (secret: string, body: string, id: string) => {
      const at = new Date()
      return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign(id, at, body) }
    }
    // The source works where it belongs (so the refusals below are about the tenant, not the signature).
    const own = payload('sanity@example.com')
    const ok = await send({ method: 'POST', path: `/~${a.slug}/sources/${a.source.id}/ingest`, headers: signed(a.source.secret, own, 'msg_sanity'), body: own })
    expect(ok.status, ok.text).toBe(201)

    const [beforeA, beforeB] = [await snapshot(a), await snapshot(b)]
    const body = payload('mallory@example.com')
    const probes: Probe[] = [
      { what: "A's source on B's path", req: { method: 'POST', path: `/~${b.slug}/sources/${a.source.id}/ingest`, headers: signed(a.source.secret, body, 'msg_x1'), body }, expect: refused([404, 'not_found']) },
      { what: "A's source on B's host", req: { method: 'POST', path: `/sources/${a.source.id}/ingest`, host: `${b.slug}.${BASE_HOST}`, headers: signed(a.source.secret, body, 'msg_x2'), body }, expect: refused([404, 'not_found']) },
      { what: "A's replayed delivery on B", req: { method: 'POST', path: `/~${b.slug}/sources/${a.source.id}/ingest`, headers: signed(a.source.secret, own, 'msg_sanity'), body: own }, expect: refused([404, 'not_found']) },
      { what: "B's source signed with A's secret", req: { method: 'POST', path: `/~${b.slug}/sources/${b.source.id}/ingest`, headers: signed(a.source.secret, body, 'msg_x3'), body }, expect: refused([401, 'unauthorized']) },
      { what: "B's source on A's path, signed with B's secret", req: { method: 'POST', path: `/~${a.slug}/sources/${b.source.id}/ingest`, headers: signed(b.source.secret, body, 'msg_x4'), body }, expect: refused([404, 'not_found']) },
      { what: "A's source on A's host with B's path", req: { method: 'POST', path: `/~${b.slug}/sources/${a.source.id}/ingest`, host: `${a.slug}.${BASE_HOST}`, headers: signed(a.source.secret, body, 'msg_x5'), body }, expect: refused([404, 'not_found']) },
    ]
    const failures = await runProbes(probes, [...secretsOf(a), ...secretsOf(b)])
    expect(failures, failures.join('\n')).toEqual([])
    await expectUnchanged(a, beforeA)
    await expectUnchanged(b, beforeB)
  }, TIMEOUT)

  it("does not let A's dashboard session into B's dashboard", async () => {
    const { a, b } = await pair()
    // The cookie is good where it was issued.
    const home = await send({ method: 'GET', path: `/~${a.slug}/dashboard/crm`, headers: { cookie: a.session.cookie } })
    expect(home.status).toBe(200)
    expect(home.text).toContain(a.marker)

    const [beforeA, beforeB] = [await snapshot(a), await snapshot(b)]
    const form = (fields: Record<string, string>) => new URLSearchParams({ csrf: a.session.csrf, ...fields })
    const headers = { cookie: a.session.cookie, origin: 'http://revline.test' }
    const toLogin = (slug: string) => (res: Res) =>
      res.status === 303 && res.headers.get('location') === `/~${slug}/dashboard/login` ? null : isProblem(res, 401) || isProblem(res, 403) || isProblem(res, 404) ? null : `expected 303 to /~${slug}/dashboard/login, or 401/403/404`
    /** A form post: refused outright, sent back to the login page, or back to the page with an error. */
    const rejectedForm = (slug: string) => (res: Res) => {
      const location = res.headers.get('location') ?? ''
      if (res.status === 303 && (location === `/~${slug}/dashboard/login` || (/^\/~[a-z0-9-]+\/dashboard\/(crm|board)/.test(location) && location.startsWith(`/~${slug}/`) && flashKind(res) === 'error'))) return null
      return isProblem(res, 401) || isProblem(res, 403) || isProblem(res, 404) ? null : 'expected a refusal (303 to login or with an error, or 401/403/404)'
    }
    const probes: Probe[] = [
      { what: "A's cookie on B's CRM page", req: { method: 'GET', path: `/~${b.slug}/dashboard/crm`, headers }, expect: toLogin(b.slug) },
      { what: "A's cookie on B's CRM page, filtered", req: { method: 'GET', path: `/~${b.slug}/dashboard/crm?status=Qualified&source=website&page=1`, headers }, expect: toLogin(b.slug) },
      { what: "A's cookie on B's host", req: { method: 'GET', path: '/dashboard/crm', host: `${b.slug}.${BASE_HOST}`, headers: { ...headers, origin: `http://${b.slug}.${BASE_HOST}` } }, expect: toLogin(b.slug) },
      { what: "A's cookie adds a lead on B", req: { method: 'POST', path: `/~${b.slug}/dashboard/leads`, headers, body: form({ firstName: 'Mallory', lastName: 'M', email: 'mallory@example.com', source: 'other' }) }, expect: rejectedForm(b.slug) },
      { what: "A's cookie adds a lead on B's host", req: { method: 'POST', path: '/dashboard/leads', host: `${b.slug}.${BASE_HOST}`, headers: { ...headers, origin: `http://${b.slug}.${BASE_HOST}` }, body: form({ firstName: 'Mallory', lastName: 'M', email: 'mallory@example.com' }) }, expect: rejectedForm(b.slug) },
      { what: "A's cookie changes B's lead status", req: { method: 'POST', path: `/~${b.slug}/dashboard/leads/${b.ids.leads}/status`, headers, body: form({ status: 'Contacted', back: 'crm' }) }, expect: rejectedForm(b.slug) },
      { what: "A's cookie converts B's lead", req: { method: 'POST', path: `/~${b.slug}/dashboard/leads/${b.ids.leads}/status`, headers, body: form({ status: 'Converted' }) }, expect: rejectedForm(b.slug) },
      { what: "A's cookie on A's dashboard, B's lead", req: { method: 'POST', path: `/~${a.slug}/dashboard/leads/${b.ids.leads}/status`, headers, body: form({ status: 'Lost' }) }, expect: rejectedForm(a.slug) },
      { what: "A's cookie on A's dashboard, B's lead converted", req: { method: 'POST', path: `/~${a.slug}/dashboard/leads/${b.ids.leads}/status`, headers, body: form({ status: 'Converted' }) }, expect: rejectedForm(a.slug) },
      { what: "A's cookie on B's board", req: { method: 'GET', path: `/~${b.slug}/dashboard/board`, headers }, expect: toLogin(b.slug) },
      { what: "A's cookie on B's deal page", req: { method: 'GET', path: `/~${b.slug}/dashboard/deals/${b.ids.deals}`, headers }, expect: toLogin(b.slug) },
      { what: "A's cookie on B's settings", req: { method: 'GET', path: `/~${b.slug}/dashboard/settings/users`, headers }, expect: toLogin(b.slug) },
      { what: "A's cookie moves B's deal", req: { method: 'POST', path: `/~${b.slug}/dashboard/deals/${b.ids.deals}/advance`, headers, body: form({ stage: 'Proposal' }) }, expect: rejectedForm(b.slug) },
      { what: "A's cookie invites on B", req: { method: 'POST', path: `/~${b.slug}/dashboard/settings/users`, headers, body: form({ name: 'Mallory', email: 'mallory@example.com' }) }, expect: rejectedForm(b.slug) },
      { what: "A's cookie on A's dashboard, B's deal moved", req: { method: 'POST', path: `/~${a.slug}/dashboard/deals/${b.ids.deals}/advance`, headers, body: form({ stage: 'Proposal' }) }, expect: rejectedForm(a.slug) },
      { what: "B's cookie and A's csrf on B", req: { method: 'POST', path: `/~${b.slug}/dashboard/leads`, headers: { cookie: b.session.cookie, origin: 'http://revline.test' }, body: form({ firstName: 'Mallory', lastName: 'M', email: 'mallory@example.com' }) }, expect: refused([403, 'forbidden']) },
    ]
    // The CRM page of B is B's: nothing of A in it; A's is A's.
    const failures = await runProbes(probes, [...secretsOf(a), ...secretsOf(b)])
    const mine = await send({ method: 'GET', path: `/~${b.slug}/dashboard/crm`, headers: { cookie: b.session.cookie } })
    expect(mine.status).toBe(200)
    for (const secret of secretsOf(a)) if (mine.text.includes(secret)) failures.push(`B's own CRM page shows ${secret} of A`)
    // A's own pages naming B's records: a 404 page with nothing of B (A's own page carries A's token, so these are checked apart).
    for (const path of [`deals/${b.ids.deals}`, `contacts/${b.ids.contacts}`]) {
      const page = await send({ method: 'GET', path: `/~${a.slug}/dashboard/${path}`, headers: { cookie: a.session.cookie } })
      if (page.status !== 404) failures.push(`A's dashboard, B's ${path}: ${page.status}, not 404`)
      for (const secret of secretsOf(b)) if (page.text.includes(secret)) failures.push(`A's dashboard, B's ${path}: shows ${secret} of B`)
    }
    expect(failures, failures.join('\n')).toEqual([])
    await expectUnchanged(a, beforeA)
    await expectUnchanged(b, beforeB)
  }, TIMEOUT)

  it("keeps A's campaign, contacts and allowed origins out of B's public capture", async () => {
    const { a, b } = await pair()
    const beforeA = await snapshot(a)
    // A's email and A's campaign: B makes its own contact and lead, with no campaign.
    const res = await send({ method: 'POST', path: `/~${b.slug}/capture`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: a.email, firstName: 'Cross', lastName: 'Over', utm_campaign: a.utm, utm_source: 'google', utm_medium: 'cpc' }) })
    expect(res.status, res.text).toBe(201)
    expect(res.json.contact).not.toBe(a.ids.contacts)
    for (const secret of secretsOf(a)) expect(res.text).not.toContain(secret)
    const lead = (await send({ method: 'GET', path: `/~${b.slug}/leads/${res.json.lead}`, headers: { authorization: `Bearer ${b.key}` } })).json
    expect(lead.campaign ?? null).toBeNull()
    expect(lead.contact).toBe(res.json.contact)

    const beforeB = await snapshot(b)
    const probes: Probe[] = [
      {
        what: "a redirect to A's allowed origin on B",
        req: { method: 'POST', path: `/~${b.slug}/capture`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email: 'visitor@example.com', redirect: `${a.origin}/thanks` }) },
        expect: refused([422, 'validation_failed']),
      },
      {
        what: "a preflight from A's allowed origin on B",
        req: { method: 'OPTIONS', path: `/~${b.slug}/capture`, headers: { origin: a.origin, 'access-control-request-method': 'POST' } },
        expect: (r) => (r.status === 403 && !r.headers.get('access-control-allow-origin') ? null : 'expected a bare 403 without CORS headers'),
      },
      {
        // B lists its own origins, so A's site is another site to B: refused before the form is read.
        what: "a post from A's allowed origin on B is refused, with no CORS grant",
        req: { method: 'POST', path: `/~${b.slug}/capture`, headers: { 'content-type': 'application/json', origin: a.origin }, body: JSON.stringify({ email: 'visitor@example.com' }) },
        expect: (r) => (isProblem(r, 403, 'forbidden') && !r.headers.get('access-control-allow-origin') ? null : 'expected 403 without CORS headers'),
      },
    ]
    const failures = await runProbes(probes, secretsOf(a).filter((s) => s !== a.origin))
    expect(failures, failures.join('\n')).toEqual([])
    await expectUnchanged(a, beforeA)
    await expectUnchanged(b, beforeB)
  }, TIMEOUT)

  it("shows B's reads only B's own data", async () => {
    const { a, b } = await pair()
    const probes = keyedMatrix(pathForm(b.slug), b.key, b, b, (kind) => (kind === 'list' || kind === 'read' || kind === 'export' ? ownRead : () => null)).filter((p) => /^(list|read|export) /.test(p.what))
    const failures = await runProbes(probes, secretsOf(a))
    expect(failures, failures.join('\n')).toEqual([])
    // and A's own reads do show A's data (the markers are real)
    const mine = await send({ method: 'GET', path: `/~${a.slug}/contacts/export`, headers: { authorization: `Bearer ${a.key}` } })
    expect(mine.text).toContain(a.marker)
  }, TIMEOUT)
})
