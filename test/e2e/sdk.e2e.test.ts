/**
 * The typed SDK against `wrangler dev`, started as a user starts it.
 *
 * Every SDK example of seeds 000–002 runs here as the seed writes it. The one change is the import
 * line ('@headlessly/crm' → '../../sdk/crm', '@headlessly/billing' → '../../sdk/billing'); where a
 * seed writes a literal placeholder id ('contact_fX9bL5nRd', the id an earlier step printed), the
 * snippet uses a constant of that name holding the id the server actually gave.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { createClient, RevlineError, RevlineNetworkError, ServerSideHookError, type CreateInput, type Entity, type FetchLike, type Filter } from '../../sdk'
import { Customer, Subscription } from '../../sdk/billing'
import { Activity, Campaign, configure, Contact, Deal, events, Lead, Organization, pipeline } from '../../sdk/crm'
import { startDevServer, type DevServer } from './dev-server'
import { closedPort, newTenant } from './sdk-support'

let server: DevServer
beforeAll(async () => {
  server = await startDevServer()
}, 90_000)
afterAll(async () => {
  await server?.stop()
})

/** Waits for a client hook to have seen what it should (hooks run as events arrive, not within the call). */
async function until(ok: () => boolean, ms = 20_000) {
  const deadline = Date.now() + ms
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a client hook')
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** A fresh tenant for the default client the seed imports are bound to. */
async function useFreshTenant(prefix: string) {
  const { tenant, apiKey } = await newTenant(server.baseUrl, prefix)
  configure({ baseUrl: server.baseUrl, tenant, apiKey })
  return { tenant, apiKey }
}

describe('seed 000: lead to revenue, through the SDK', () => {
  it('runs the full flow: six events in order, billing provisioned by the server-side Deal.won hook', async () => {
    await useFreshTenant('seed000')

    // ---- seed 000 "Full Flow" ----
    // 1. Capture lead
    const contact = await Contact.create({
      name: 'Alice Chen',
      email: 'alice@acme.dev',
      stage: 'Lead',
      source: 'website',
    })
    // 2. Qualify
    await Contact.qualify({ id: contact.$id })
    // 3. Create deal
    const deal = await Deal.create({
      name: 'Acme Enterprise',
      value: 48_000,
      contact: contact.$id,
      stage: 'Prospecting',
    })
    // 5. Auto-create customer and subscription via after hook. The seed's hook takes `$`, a
    // synchronous handle inside the win's transaction: that registration is the server's
    // (src/domain/hooks/deal.ts), and it did the work below. On the client, the same `Deal.won`
    // follows deal.won events once they commit (registered here before the win, so it sees it).
    const wonOnClient: string[] = []
    const onWon = Deal.won(async (deal) => {
      wonOnClient.push(`${deal.name}: ${deal.stage}`)
    })
    await until(() => onWon.cursor !== undefined)
    // 4. Close deal
    await Deal.win({ id: deal.$id })
    // ---- end of the seed's code ----
    await until(() => wonOnClient.length === 1)
    expect(wonOnClient).toEqual(['Acme Enterprise: Won'])
    await onWon.close()

    expect(contact.$id).toMatch(/^contact_[0-9A-Za-z]{9}$/)
    expect(deal.$id).toMatch(/^deal_[0-9A-Za-z]{9}$/)
    expect((await Deal.get(deal.$id)).stage).toBe('Won')
    expect((await Contact.get(contact.$id)).stage).toBe('Customer')

    // The seed's event table, read back through events.list.
    const log = (await events.list({ limit: 500 })).data
    const flow = ['contact.created', 'contact.qualified', 'deal.created', 'deal.won', 'customer.created', 'subscription.created']
    const positions = flow.map((type) => log.findIndex((e) => e.type === type))
    expect(positions.every((p) => p >= 0), JSON.stringify(log.map((e) => e.type))).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)
    const at = (type: string) => log.find((e) => e.type === type)!
    expect(at('contact.created')).toMatchObject({ entityId: contact.$id, after: { stage: 'Lead' } })
    expect(at('contact.qualified')).toMatchObject({ entityId: contact.$id, data: { stage: 'Qualified' } })
    expect(at('deal.created').data).toMatchObject({ value: 48000 })
    expect(at('deal.won')).toMatchObject({ entityId: deal.$id, after: { stage: 'Won' } })
    expect(at('customer.created').cause).toBe(at('deal.won').id)
    expect(at('subscription.created').cause).toBe(at('deal.won').id)
    // Filtering the log by type and entity.
    expect((await events.list({ type: 'deal.*' })).data.map((e) => e.type)).toEqual(['deal.created', 'deal.won'])
    expect((await events.list({ entity: deal.$id })).data.every((e) => e.entityId === deal.$id)).toBe(true)

    // The billing side, through the billing entry point.
    const customers = await Customer.find({ contact: contact.$id })
    expect(customers).toHaveLength(1)
    expect(customers[0]).toMatchObject({ name: 'Acme Enterprise', deal: deal.$id })
    const subscriptions = await Subscription.find({ customer: customers[0]!.$id })
    expect(subscriptions).toHaveLength(1)
    expect(subscriptions[0]!.status).toBe('Active')
  })

  it('runs the step-by-step breakdown and the automation pattern', async () => {
    await useFreshTenant('seed000s')
    // Step 1: Capture the Lead
    const contact = await Contact.create({
      name: 'Alice Chen',
      email: 'alice@acme.dev',
      stage: 'Lead',
      source: 'website',
    })
    // contact.$id => 'contact_fX9bL5nRd'
    const contact_fX9bL5nRd = contact.$id

    // Step 2: Qualify the Contact
    const qualified = await Contact.qualify({ id: contact_fX9bL5nRd })
    // contact.stage => 'Qualified'
    expect(qualified.stage).toBe('Qualified')

    // Step 3: Create a Deal
    const deal = await Deal.create({
      name: 'Acme Enterprise',
      value: 48_000,
      contact: contact_fX9bL5nRd,
      stage: 'Prospecting',
    })
    // deal.$id => 'deal_k7TmPvQx'
    const deal_k7TmPvQx = deal.$id
    expect(deal).toMatchObject({ stage: 'Prospecting', value: 48000, contact: contact_fX9bL5nRd })

    // Step 4: Win the Deal
    const won = await Deal.win({ id: deal_k7TmPvQx })
    // deal.stage => 'Won'
    expect(won).toMatchObject({ stage: 'Won', probability: 100 })
    expect(won.wonAt).toBeTruthy()

    // Step 5 and "Automation Pattern": the seed's hook with `$` is the server's own Deal.won
    // (src/domain/hooks/deal.ts), and it did the work…
    expect(await Customer.count({ deal: deal_k7TmPvQx })).toBe(1)
    // …while a client hook given a position sees the win that already happened.
    const seen: { deal: string; plan: unknown }[] = []
    const replay = Deal.won(async (deal, event) => void seen.push({ deal: deal.$id, plan: event.after?.plan ?? 'plan_Nw8rTxJv' }), { after: 0 })
    await until(() => seen.length === 1)
    expect(seen).toEqual([{ deal: deal_k7TmPvQx, plan: 'plan_Nw8rTxJv' }])
    await replay.close()
  })
})

describe('seed 001: leads, through the SDK', () => {
  it('runs the verb lifecycle, BANT creation and the query examples', async () => {
    await useFreshTenant('seed001')
    // The ids the seed refers to, made first.
    const alice = await Contact.create({ name: 'Alice Chen', email: 'alice@acme.dev', stage: 'Lead' })
    const contact_fX9bL5nRd = alice.$id
    const org_Nw8rTxJv = (await Organization.create({ name: 'Acme', domain: 'acme.dev', industry: 'SaaS' })).$id
    const campaign_hR5wLxPn = (await Campaign.create({ name: 'Spring launch', type: 'Email' })).$id
    const lead_pQ8xNfKm = (
      await Lead.create({ name: 'Acme expansion', contact: contact_fX9bL5nRd, organization: org_Nw8rTxJv, campaign: campaign_hR5wLxPn, source: 'website', status: 'Qualified', budget: 30_000 })
    ).$id

    // ---- "Verb Lifecycle" ----
    // BEFORE hook -- validate conversion prerequisites (server-side)
    expect(() =>
      Lead.converting((lead) => {
        if (!lead.contact) throw new Error('Lead must have a contact before conversion')
        if (lead.status === 'Lost') throw new Error('Cannot convert a lost lead')
      }),
    ).toThrow(ServerSideHookError)

    // Execute -- convert the lead
    await Lead.convert(lead_pQ8xNfKm)

    // AFTER hook -- create the deal and update related records: with `$`, in the conversion's
    // transaction, the server's own (src/domain/hooks); on the client, Lead.converted follows the event.
    const conversions: { lead: string; status: unknown; cycleDays: number }[] = []
    const onConverted = Lead.converted(
      async (lead) => {
        // "Cross-Domain Patterns": the conversion cycle, computed from the lead the event carries.
        const cycleMs = new Date(lead.convertedAt!).getTime() - new Date(lead.firstTouchAt!).getTime()
        conversions.push({ lead: lead.$id, status: lead.status, cycleDays: Math.round(cycleMs / 86_400_000) })
      },
      { after: 0 },
    )
    await until(() => conversions.length === 1)
    expect(conversions).toEqual([{ lead: lead_pQ8xNfKm, status: 'Converted', cycleDays: 0 }])
    await onConverted.close()

    const converted = await Lead.get(lead_pQ8xNfKm)
    expect(converted.status).toBe('Converted')
    expect(converted.convertedAt).toBeTruthy()
    expect(converted.deal).toMatch(/^deal_/)
    expect(await Deal.get(converted.deal!)).toMatchObject({ name: 'Acme expansion', value: 30000, stage: 'Prospecting', contact: contact_fX9bL5nRd })

    // ---- "BANT Qualification" ----
    const bant = await Lead.create({
      name: 'Acme Platform Evaluation',
      contact: contact_fX9bL5nRd,
      organization: org_Nw8rTxJv,
      source: 'demo-request',
      budget: 50_000,
      authority: 'CTO - final decision maker',
      need: 'Replace fragmented SaaS tools with unified platform',
      timeline: 'Q2 2025',
    })
    expect(bant).toMatchObject({ status: 'New', budget: 50000, authority: 'CTO - final decision maker', timeline: 'Q2 2025', organization: org_Nw8rTxJv })
    expect(bant.firstTouchAt).toBe(bant.$createdAt)

    // ---- "Query Examples / SDK" ----
    for (const [name, status, score] of [['hot', 'Qualified', 92], ['warm', 'Qualified', 64], ['new', 'New', 95]] as const)
      await Lead.create({ name, source: 'website', status, score, campaign: campaign_hR5wLxPn })

    // Find high-value leads from a specific campaign
    const hotLeads = await Lead.find({
      status: 'Qualified',
      campaign: campaign_hR5wLxPn,
      score: { $gte: 80 },
    })
    expect(hotLeads.map((l) => l.name)).toEqual(['hot'])

    // Get a lead with full context
    const lead = await Lead.get(lead_pQ8xNfKm, {
      include: ['contact', 'organization', 'campaign', 'deal'],
    })
    expect(lead.contact).toMatchObject({ $id: contact_fX9bL5nRd, name: 'Alice Chen' })
    expect(lead.organization).toMatchObject({ $id: org_Nw8rTxJv, name: 'Acme' })
    expect(lead.campaign).toMatchObject({ $id: campaign_hR5wLxPn, name: 'Spring launch' })
    expect(lead.deal).toMatchObject({ $id: converted.deal, $type: 'Deal' })

    // Create a lead from a form submission
    const form = await Lead.create({
      name: 'Website Demo Request',
      contact: contact_fX9bL5nRd,
      source: 'website',
      sourceDetail: '/pricing',
      score: 65,
    })
    expect(form).toMatchObject({ status: 'New', source: 'website', sourceDetail: '/pricing' })

    // The seed's MCP query shape works as find() options too.
    const sorted = await Lead.find({ status: 'New', source: 'website' }, { sort: { score: 'desc' }, limit: 25 })
    expect(sorted.map((l) => l.score)).toEqual([...sorted.map((l) => l.score)].sort((a, b) => (b ?? 0) - (a ?? 0)))
  })
})

describe('seed 002: contacts, through the SDK', () => {
  it('runs the verb lifecycle, the query examples and capture', async () => {
    await useFreshTenant('seed002')
    const org_Nw8rTxJv = (await Organization.create({ name: 'Startup', domain: 'startup.io' })).$id
    const alice = await Contact.create({ name: 'Alice Chen', email: 'alice@acme.dev', stage: 'Lead', role: 'DecisionMaker', organization: org_Nw8rTxJv, leadScore: 55 })
    const contact_fX9bL5nRd = alice.$id
    await Contact.create({ name: 'Quinn User', email: 'quinn@acme.dev', stage: 'Qualified', role: 'User' })
    await Lead.create({ name: 'Alice inbound', source: 'website', contact: contact_fX9bL5nRd })
    await Activity.create({ subject: 'Call Alice', type: 'Call', contact: contact_fX9bL5nRd })

    // ---- "Verb Lifecycle" ----
    expect(() =>
      Contact.qualifying((contact) => {
        if (!contact.email) throw new Error('Email required for qualification')
        if (contact.leadScore < 40) throw new Error('Lead score too low')
      }),
    ).toThrow(ServerSideHookError)

    // Execute -- qualify the contact
    await Contact.qualify(contact_fX9bL5nRd)

    // AFTER hook, on the client: the seed's body with awaited calls instead of `$` (which only the
    // server's transaction has). `after: 0` because it is registered after the qualify it reacts to.
    const followUps: string[] = []
    const onQualified = Contact.qualified(
      async (contact) => {
        const deal = await Deal.create({ name: `${contact.name} - Inbound`, value: 12_000, contact: contact.$id, organization: contact.organization ?? undefined, stage: 'Prospecting' })
        await Activity.create({ subject: `Follow up with ${contact.name}`, type: 'Task', contact: contact.$id, status: 'Pending', priority: 'High' })
        followUps.push(deal.name)
      },
      { after: 0 },
    )
    await until(() => followUps.length === 1)
    await onQualified.close()
    expect(followUps).toEqual(['Alice Chen - Inbound'])
    expect((await Contact.get(contact_fX9bL5nRd)).stage).toBe('Qualified')

    // ---- "Cross-Domain Patterns" ----
    const churned: string[] = []
    const onUpdated = Contact.updated(async (contact) => {
      if (contact.stage === 'Churned') churned.push((await Campaign.create({ name: `Win-back: ${contact.name}`, type: 'Email', segment: 'churned-customers' })).name)
    })
    await until(() => onUpdated.cursor !== undefined)
    const carl = await Contact.create({ name: 'Carl Customer', email: 'carl@gone.dev', stage: 'Customer' })
    await Contact.update(carl.$id, { title: 'CFO' })
    await Contact.update(carl.$id, { stage: 'Churned' })
    await until(() => churned.length === 1)
    await onUpdated.close()
    expect(churned).toEqual(['Win-back: Carl Customer'])

    // ---- "Query Examples / SDK" ----
    // Find qualified leads at enterprise organizations
    const qualified = await Contact.find({
      stage: 'Qualified',
      role: 'DecisionMaker',
    })
    expect(qualified.map((c) => c.name)).toEqual(['Alice Chen'])

    // Get a contact with all related data
    const contact = await Contact.get(contact_fX9bL5nRd, {
      include: ['organization', 'leads', 'activities'],
    })
    expect(contact.organization).toMatchObject({ $id: org_Nw8rTxJv, name: 'Startup' })
    expect(contact.leads.map((l) => l.name)).toEqual(['Alice inbound'])
    expect(contact.activities.map((a) => a.subject).sort()).toEqual(['Call Alice', 'Follow up with Alice Chen'])

    // Capture a new lead
    const captured = await Contact.capture({
      name: 'Bob Rivera',
      email: 'bob@startup.io',
      source: 'demo-request-form',
      organization: org_Nw8rTxJv,
    })
    expect(captured).toMatchObject({ name: 'Bob Rivera', email: 'bob@startup.io', stage: 'Lead', source: 'demo-request-form', organization: org_Nw8rTxJv })
    const opened = await Lead.find({ contact: captured.$id })
    expect(opened).toHaveLength(1)
    expect(opened[0]).toMatchObject({ status: 'New', source: 'demo-request-form' })

    // Every custom verb both ways: the object form and the id form hit the same route.
    const rep = await Contact.create({ name: 'Rep Rita', email: 'rita@agency.dev' })
    expect((await Contact.assign({ id: captured.$id, owner: rep.$id })).owner).toBe(rep.$id)
    expect((await Contact.assign(captured.$id, { owner: contact_fX9bL5nRd })).owner).toBe(contact_fX9bL5nRd)
    const deal = await Deal.create({ name: 'Startup deal', contact: captured.$id })
    expect((await Deal.advance(deal.$id, { stage: 'Proposal' })).stage).toBe('Proposal')
    expect((await Deal.advance({ id: deal.$id, stage: 'Negotiation' })).stage).toBe('Negotiation')
    expect((await Deal.lose({ id: deal.$id, lostReason: 'budget' })).stage).toBe('Lost')
    expect((await pipeline.summary()).byStage.map((s) => s.stageName)).toEqual(['Prospecting', 'Qualification', 'Proposal', 'Negotiation', 'Won', 'Lost'])
  })
})

describe('typed errors', () => {
  it('throws RevlineError with status, code, detail and field errors', async () => {
    const { tenant, apiKey } = await newTenant(server.baseUrl, 'errors')
    const client = createClient({ baseUrl: server.baseUrl, tenant, apiKey })

    const invalid = await client.Contact.create({ name: 'Typo', nmae: 'x' } as unknown as CreateInput<'Contact'>).catch((e: unknown) => e)
    expect(invalid).toBeInstanceOf(RevlineError)
    expect(invalid).toMatchObject({ status: 422, code: 'validation_failed', detail: 'Contact.create input is not valid' })
    expect((invalid as RevlineError).errors).toContainEqual({ path: 'nmae', message: 'is not a field of this noun' })
    expect((invalid as RevlineError).message).toContain('nmae')

    const contact = await client.Contact.create({ name: 'Dana', email: 'dana@x.dev', stage: 'Lead' })
    await client.Contact.qualify(contact.$id)
    const twice = await client.Contact.qualify(contact.$id).catch((e: unknown) => e)
    expect(twice).toMatchObject({ name: 'RevlineError', status: 409, code: 'invalid_transition' })
    expect((twice as RevlineError).detail).toMatch(/Qualified/)

    await expect(client.Contact.get('contact_000000000')).rejects.toMatchObject({ status: 404, code: 'not_found' })
    await expect(client.Lead.find({ score: { $gte: '80' } } as unknown as Filter<'Lead'>)).rejects.toMatchObject({ status: 400, code: 'invalid_query', errors: [{ path: 'filter.score.$gte', message: 'must be a number' }] })
    await expect(client.Contact.update(contact.$id, { title: 'CTO' }, { ifMatch: 1 })).rejects.toMatchObject({ status: 412, code: 'precondition_failed' })

    const stranger = createClient({ baseUrl: server.baseUrl, tenant, apiKey: 'rvl_not-a-key' })
    await expect(stranger.Contact.list()).rejects.toMatchObject({ status: 401, code: 'unauthorized' })

    // Ids must be given: a missing one is a TypeError before any request.
    expect(() => client.Contact.qualify({} as { id: string })).toThrow(/Contact.qualify needs an id/)
  })
})

describe('retries with Idempotency-Key', () => {
  interface Call {
    method: string
    url: string
    key: string | null
    replayed: string | null
    status: number | 'network error'
  }
  function recordingFetch(decide: (call: { method: string; url: string; n: number }) => 'pass' | 'lose-answer' | 'fail-before' | '503') {
    const calls: Call[] = []
    const impl: FetchLike = async (url, init) => {
      const method = init.method ?? 'GET'
      const key = new Headers(init.headers).get('idempotency-key')
      const action = decide({ method, url, n: calls.length })
      if (action === 'fail-before') {
        calls.push({ method, url, key, replayed: null, status: 'network error' })
        throw new TypeError('fetch failed', { cause: new Error('ECONNRESET') })
      }
      if (action === '503') {
        calls.push({ method, url, key, replayed: null, status: 503 })
        return new Response(JSON.stringify({ title: 'Service unavailable', status: 503, detail: 'try again' }), { status: 503, headers: { 'content-type': 'application/problem+json' } })
      }
      const response = await fetch(url, init)
      calls.push({ method, url, key, replayed: response.headers.get('idempotent-replayed'), status: response.status })
      if (action === 'lose-answer') {
        // The server did the work; the connection drops before the answer arrives.
        await response.arrayBuffer()
        throw new TypeError('fetch failed', { cause: new Error('socket hang up') })
      }
      return response
    }
    return { calls, impl }
  }

  it('a create whose answer was lost is retried with the same key: one entity, not two', async () => {
    const { tenant, apiKey } = await newTenant(server.baseUrl, 'retry')
    let lost = false
    const { calls, impl } = recordingFetch(({ method }) => (method === 'POST' && !lost ? ((lost = true), 'lose-answer') : 'pass'))
    const client = createClient({ baseUrl: server.baseUrl, tenant, apiKey, fetch: impl, retryDelayMs: 10 })

    const contact = await client.Contact.create({ name: 'Once Only', email: 'once@x.dev' })
    expect(contact.$id).toMatch(/^contact_/)
    const posts = calls.filter((c) => c.method === 'POST')
    expect(posts).toHaveLength(2)
    expect(posts[0]!.key).toMatch(/^sdk-[0-9a-f-]{36}$/)
    expect(posts[1]!.key).toBe(posts[0]!.key)
    expect(posts[0]!.status).toBe(201)
    expect(posts[1]!.replayed).toBe('true')

    expect(await client.Contact.find({ email: 'once@x.dev' })).toHaveLength(1)
    expect((await client.events.list({ type: 'contact.created' })).data).toHaveLength(1)

    // A verb too: the lost answer's retry does not run the verb twice (a second qualify would be a 409).
    lost = false
    const qualified = await client.Contact.qualify(contact.$id)
    expect(qualified.stage).toBe('Qualified')
    expect((await client.events.list({ type: 'contact.qualified' })).data).toHaveLength(1)
  })

  it('retries 5xx and connection failures with backoff, then gives up with a RevlineNetworkError', async () => {
    const { tenant, apiKey } = await newTenant(server.baseUrl, 'retry5xx')
    let failures = 2
    const flaky = recordingFetch(({ method }) => (method === 'POST' && failures-- > 0 ? (failures === 1 ? '503' : 'fail-before') : 'pass'))
    const client = createClient({ baseUrl: server.baseUrl, tenant, apiKey, fetch: flaky.impl, retryDelayMs: 10 })
    const org = await client.Organization.create({ name: 'Flaky Corp' })
    expect(flaky.calls.map((c) => c.status)).toEqual([503, 'network error', 201])
    expect(new Set(flaky.calls.map((c) => c.key)).size).toBe(1)
    expect(await client.Organization.count({ name: 'Flaky Corp' })).toBe(1)

    // Two logical calls never share a key.
    await client.Organization.create({ name: 'Second' })
    const keys = flaky.calls.filter((c) => c.method === 'POST').map((c) => c.key)
    expect(keys.at(-1)).not.toBe(keys[0])
    // Reads carry no key.
    await client.Organization.get(org.$id)
    expect(flaky.calls.at(-1)).toMatchObject({ method: 'GET', key: null })

    const down = recordingFetch(() => 'fail-before')
    const offline = createClient({ baseUrl: server.baseUrl, tenant, apiKey, fetch: down.impl, retries: 2, retryDelayMs: 5 })
    const error = await offline.Organization.create({ name: 'Never' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RevlineNetworkError)
    expect(error).toBeInstanceOf(RevlineError)
    expect(error).toMatchObject({ status: 0, code: 'network_error', attempts: 3 })
    expect((error as RevlineNetworkError).idempotencyKey).toBe(down.calls[0]!.key)
    expect(down.calls).toHaveLength(3)
    expect(new Set(down.calls.map((c) => c.key)).size).toBe(1)

    // A real refused connection is the same error.
    const refused = createClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, tenant, apiKey, retries: 1, retryDelayMs: 5 })
    await expect(refused.Contact.list()).rejects.toMatchObject({ name: 'RevlineNetworkError', attempts: 2 })
  })

  it('a delete whose answer was lost succeeds on retry (the entity is already gone)', async () => {
    const { tenant, apiKey } = await newTenant(server.baseUrl, 'retrydel')
    let lost = false
    const { calls, impl } = recordingFetch(({ method }) => (method === 'DELETE' && !lost ? ((lost = true), 'lose-answer') : 'pass'))
    const client = createClient({ baseUrl: server.baseUrl, tenant, apiKey, fetch: impl, retryDelayMs: 10 })
    const contact = await client.Contact.create({ name: 'Gone Soon' })
    await expect(client.Contact.delete(contact.$id)).resolves.toBeUndefined()
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.status)).toEqual([204, 404])
    await expect(client.Contact.get(contact.$id)).rejects.toMatchObject({ status: 404 })
    // Without an earlier lost answer a 404 is still an error.
    await expect(client.Contact.delete(contact.$id)).rejects.toMatchObject({ status: 404, code: 'not_found' })
    expect((await client.Contact.restore(contact.$id)).$id).toBe(contact.$id)
  })
})

describe('reads: async iteration over cursor pages, find, list, count, history', () => {
  it('iterates every match page by page', async () => {
    const { tenant, apiKey } = await newTenant(server.baseUrl, 'iter')
    const client = createClient({ baseUrl: server.baseUrl, tenant, apiKey })
    for (let i = 0; i < 23; i++) await client.Lead.create({ name: `Lead ${String(i).padStart(2, '0')}`, source: 'bulk-iter', score: i })
    await client.Lead.create({ name: 'Other', source: 'website' })

    const seen: string[] = []
    for await (const lead of client.Lead.all({ source: 'bulk-iter' }, { pageSize: 5, sort: '-score' })) seen.push(lead.name)
    expect(seen).toHaveLength(23)
    expect(new Set(seen).size).toBe(23)
    expect(seen[0]).toBe('Lead 22')
    expect(seen.at(-1)).toBe('Lead 00')

    const firstSeven: number[] = []
    for await (const lead of client.Lead.all({ source: 'bulk-iter' }, { pageSize: 3, limit: 7, sort: 'score' })) firstSeven.push(lead.score!)
    expect(firstSeven).toEqual([0, 1, 2, 3, 4, 5, 6])

    expect(await client.Lead.find({ source: 'bulk-iter' })).toHaveLength(23)
    expect(await client.Lead.find({ source: 'bulk-iter', score: { $gte: 20 } }, { sort: ['-score'] })).toMatchObject([{ score: 22 }, { score: 21 }, { score: 20 }])
    expect(await client.Lead.find({ $or: [{ source: 'website' }, { score: { $in: [1, 2] } }] })).toHaveLength(3)
    expect(await client.Lead.count({ source: 'bulk-iter', score: { $lt: 10 } })).toBe(10)
    const page = await client.Lead.list({ source: 'bulk-iter' }, { limit: 10 })
    expect(page).toMatchObject({ total: 23 })
    expect(page.data).toHaveLength(10)
    expect(page.next).toBeTruthy()
    const second = await client.Lead.list({ source: 'bulk-iter' }, { limit: 10, cursor: page.next! })
    expect(second.data.map((l) => l.$id).some((id) => page.data.some((l) => l.$id === id))).toBe(false)

    const lead = (await client.Lead.find({ name: 'Other' }))[0]!
    await client.Lead.update(lead.$id, { status: 'Contacted' })
    expect((await client.Lead.history(lead.$id)).map((h) => h.version)).toEqual([1, 2])

    // The event log iterates the same way.
    let n = 0
    for await (const event of client.events.all({ type: 'lead.created', limit: 4 })) {
      expect(event.type).toBe('lead.created')
      n++
    }
    expect(n).toBe(24)
  })
})

describe('subject access, through the SDK', () => {
  it('Contact.exportPerson answers everything held about the person, at a chain head', async () => {
    const { tenant, apiKey } = await newTenant(server.baseUrl, 'subject')
    const client = createClient({ baseUrl: server.baseUrl, tenant, apiKey })
    const contact = await client.Contact.create({ name: 'Alice Chen', email: 'alice@acme.dev' })
    const lead = await client.Lead.create({ name: 'Alice Chen', source: 'website', contact: contact.$id })
    await client.Contact.create({ name: 'Bob', email: 'bob@other.dev' })
    const doc = await client.Contact.exportPerson(contact.$id)
    expectTypeOf(doc.chainHead).toEqualTypeOf<{ seq: number; hash: string }>()
    expect(doc).toMatchObject({ subject: contact.$id, tenant: { slug: tenant }, contact: { $id: contact.$id, email: 'alice@acme.dev' } })
    expect(doc.related.leads!.map((l) => l.$id)).toEqual([lead.$id])
    expect(doc.history[0]!.type).toBe('contact.created')
    expect(doc.events.every((e) => e.seq <= doc.chainHead.seq && (e.entityId === contact.$id || e.entityType !== 'Contact'))).toBe(true)
    await expect(client.Contact.exportPerson('contact_AAAAAAAAA')).rejects.toMatchObject({ status: 404, code: 'not_found' })
  })
})

describe('the SDK stays a client', () => {
  it('imports nothing of the server at runtime', () => {
    const dir = path.resolve(import.meta.dirname, '../../sdk')
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(path.join(dir, file), 'utf8')
      for (const match of source.matchAll(/^(import|export)\s+(.*?)\s+from\s+'([^']+)'/gms)) {
        if (match[3]!.includes('/src/')) expect(match[2], `${file}: ${match[0]}`).toMatch(/^type\s/)
      }
    }
  })

  it('has typed nouns: unknown fields are rejected, filters and results are typed (checked by tsc)', () => {
    const client = createClient({ baseUrl: 'http://127.0.0.1:9', tenant: 't', apiKey: 'k' })
    // These never run; `tsc --noEmit` checks them (and each @ts-expect-error must hold an error).
    const typed = async () => {
      await Contact.create({ name: 'Alice', email: 'alice@acme.dev', stage: 'Lead' })
      // @ts-expect-error unknown field
      await Contact.create({ name: 'Alice', nmae: 'typo' })
      // @ts-expect-error name is required
      await Contact.create({ email: 'alice@acme.dev' })
      // @ts-expect-error stage is an enum
      await Contact.create({ name: 'Alice', stage: 'Prospect' })
      // @ts-expect-error score is a number
      await Lead.find({ score: { $gte: '80' } })
      // @ts-expect-error unknown operator
      await Lead.find({ score: { $between: [1, 2] } })
      // @ts-expect-error unknown field
      await Lead.find({ scroe: 1 })
      // @ts-expect-error qualify takes no input
      await Contact.qualify({ id: 'contact_x', stage: 'Customer' })
      // @ts-expect-error advance needs a stage
      await Deal.advance('deal_x')
      // @ts-expect-error LeadScore rows are immutable
      await client.LeadScore.update('x', {})
      const full = await Lead.get('lead_x', { include: ['contact', 'scores'] })
      expectTypeOf(full.scores).toEqualTypeOf<Entity<'LeadScore'>[]>()
      expectTypeOf(full.contact).toEqualTypeOf<Entity<'Contact'> | string | null | undefined>()
      const org = await client.Organization.find({ 'parent.industry': 'SaaS', tags: { $contains: 'vip' } })
      expectTypeOf(org).toEqualTypeOf<Entity<'Organization'>[]>()
    }
    expect(typeof typed).toBe('function')

    expectTypeOf(Lead.find).toBeCallableWith({ score: { $gte: 80 } })
    expectTypeOf(Lead.find).toBeCallableWith({ status: 'Qualified', campaign: 'campaign_x', score: { $gte: 80 } }, { sort: { score: 'desc' }, limit: 25 })
    expectTypeOf(Lead.find).returns.resolves.toEqualTypeOf<Entity<'Lead'>[]>()
    expectTypeOf<Entity<'Lead'>['score']>().toEqualTypeOf<number | null | undefined>()
    expectTypeOf<Filter<'Lead'>['score']>().toMatchTypeOf<number | null | { $gte?: number } | undefined>()
    expectTypeOf<Filter<'Lead'>['status']>().toEqualTypeOf<'New' | 'Contacted' | 'Qualified' | 'Converted' | 'Lost' | null | import('../../sdk').Operators<'New' | 'Contacted' | 'Qualified' | 'Converted' | 'Lost'> | undefined>()
    expectTypeOf(Contact.create).parameter(0).toEqualTypeOf<CreateInput<'Contact'>>()
    expectTypeOf(Contact.create).returns.resolves.toEqualTypeOf<Entity<'Contact'>>()
    expectTypeOf(Contact.capture).parameter(0).toHaveProperty('email').toEqualTypeOf<string>()
    expectTypeOf(Deal.win).toBeCallableWith({ id: 'deal_x' })
    expectTypeOf(Deal.win).toBeCallableWith('deal_x')
    expectTypeOf<Entity<'Deal'>>().toHaveProperty('$type').toEqualTypeOf<'Deal'>()
  })
})
