/** The seeds' own examples, run over REST against the Workers runtime. */
import { describe, expect, it } from 'vitest'
import { createOk, createTenant, ok, type TenantApi } from './helpers'

describe('Seed 000: lead to revenue', () => {
  it('runs the whole flow with default settings and emits its six events in order, billing caused by deal.won', async () => {
    const { api } = await createTenant()
    // 1. Capture
    const contact = await createOk(api, 'contacts', { name: 'Alice Chen', email: 'alice@acme.dev', stage: 'Lead', source: 'website' })
    expect(contact.$id).toMatch(/^contact_[0-9A-Za-z]{9}$/)
    // 2. Qualify
    expect((await ok(api.post(`/contacts/${contact.$id}/qualify`))).stage).toBe('Qualified')
    // 3. Deal
    const deal = await createOk(api, 'deals', { name: 'Acme Enterprise', value: 48_000, contact: contact.$id, stage: 'Prospecting' })
    expect(deal.$id).toMatch(/^deal_/)
    // 4. Win
    const won = await ok(api.post(`/deals/${deal.$id}/win`))
    expect(won).toMatchObject({ stage: 'Won', probability: 100 })
    expect(won.wonAt).toBeDefined()

    const events = await api.events()
    const types = events.map((e) => e.type)
    const flow = ['contact.created', 'contact.qualified', 'deal.created', 'deal.won', 'customer.created', 'subscription.created']
    const positions = flow.map((t) => types.indexOf(t))
    expect(positions.every((p) => p >= 0)).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)

    const wonEvent = events.find((e) => e.type === 'deal.won')
    const customerEvent = events.find((e) => e.type === 'customer.created')
    const subscriptionEvent = events.find((e) => e.type === 'subscription.created')
    expect(customerEvent.cause).toBe(wonEvent.id)
    expect(subscriptionEvent.cause).toBe(wonEvent.id)
    expect(events.find((e) => e.type === 'contact.qualified').data).toMatchObject({ stage: 'Qualified' })
    expect(events.find((e) => e.type === 'deal.created').data).toMatchObject({ value: 48000 })

    // 5. The after hook provisioned billing, on the tenant's default plan.
    const customer = customerEvent.after
    expect(customer).toMatchObject({ name: 'Acme Enterprise', contact: contact.$id, email: 'alice@acme.dev', deal: deal.$id })
    const plans = (await api.get('/plans')).body.data
    expect(plans.map((p: { name: string }) => p.name)).toEqual(['Standard'])
    const subscription = subscriptionEvent.after
    expect(subscription).toMatchObject({ customer: customer.$id, plan: plans[0].$id, status: 'Active' })
    expect((await api.get(`/customers/${customer.$id}?include=subscriptions`)).body.subscriptions).toHaveLength(1)
    expect((await api.get(`/contacts/${contact.$id}`)).body.stage).toBe('Customer')
  })

  it('uses the deal plan when it has one', async () => {
    const { api } = await createTenant()
    const plan = await createOk(api, 'plans', { name: 'Enterprise', price: 4_000, interval: 'Year' })
    const deal = await createOk(api, 'deals', { name: 'Big one', value: 48_000, plan: plan.$id })
    await ok(api.post(`/deals/${deal.$id}/win`))
    const subscriptions = (await api.get('/subscriptions')).body.data
    expect(subscriptions).toHaveLength(1)
    expect(subscriptions[0]).toMatchObject({ plan: plan.$id, status: 'Active' })
  })
})

describe('Seed 001: leads', () => {
  it('creates the BANT lead of the seed and reads it with full context', async () => {
    const { api } = await createTenant()
    const contact = await createOk(api, 'contacts', { name: 'Alice Chen', email: 'alice@acme.dev' })
    const org = await createOk(api, 'organizations', { name: 'Acme', domain: 'acme.dev' })
    const campaign = await createOk(api, 'campaigns', { name: 'Spring launch', type: 'Email' })
    const lead = await createOk(api, 'leads', {
      name: 'Acme Platform Evaluation',
      contact: contact.$id,
      organization: org.$id,
      campaign: campaign.$id,
      source: 'demo-request',
      budget: 50_000,
      authority: 'CTO - final decision maker',
      need: 'Replace fragmented SaaS tools with unified platform',
      timeline: 'Q2 2025',
    })
    expect(lead).toMatchObject({ status: 'New', budget: 50000 })
    expect(lead.firstTouchAt).toBe(lead.$createdAt)

    const full = await ok(api.get(`/leads/${lead.$id}?include=contact,organization,campaign,deal`))
    expect(full.contact).toMatchObject({ $id: contact.$id, name: 'Alice Chen' })
    expect(full.organization).toMatchObject({ $id: org.$id, name: 'Acme' })
    expect(full.campaign).toMatchObject({ $id: campaign.$id })
    expect(full.deal).toBeUndefined()
  })

  it('converts a qualified lead into a deal, links it, advances the contact and tracks the conversion', async () => {
    const { api } = await createTenant()
    const contact = await createOk(api, 'contacts', { name: 'Alice Chen', email: 'alice@acme.dev', stage: 'Lead' })
    const lead = await createOk(api, 'leads', { name: 'Inbound Demo', contact: contact.$id, source: 'website', budget: 50_000, firstTouchAt: '2026-01-01T00:00:00Z' })
    await ok(api.patch(`/leads/${lead.$id}`, { status: 'Qualified' }))
    const converted = await ok(api.post(`/leads/${lead.$id}/convert`))
    expect(converted.status).toBe('Converted')
    expect(converted.convertedAt).toBeDefined()
    expect(converted.deal).toMatch(/^deal_/)

    const deal = await ok(api.get(`/deals/${converted.deal}?include=leads`))
    expect(deal).toMatchObject({ name: 'Inbound Demo', contact: contact.$id, value: 50000, stage: 'Prospecting', source: 'website' })
    expect(deal.leads.map((l: { $id: string }) => l.$id)).toEqual([lead.$id])
    expect((await api.get(`/contacts/${contact.$id}`)).body.stage).toBe('Qualified')

    const tracked = (await api.get('/tracked-events?name=lead_converted')).body.data
    expect(tracked).toHaveLength(1)
    expect(tracked[0]).toMatchObject({ lead: lead.$id, deal: deal.$id, properties: { source: 'website', budget: 50000 } })
    const expectedDays = Math.round((Date.parse(converted.convertedAt) - Date.parse('2026-01-01T00:00:00Z')) / 86_400_000)
    expect(tracked[0].properties.cycleDays).toBe(expectedDays)

    const events = await api.events()
    const convertedEvent = events.find((e) => e.type === 'lead.converted')
    for (const type of ['deal.created', 'lead.updated', 'contact.updated', 'trackedevent.created'])
      expect(events.find((e) => e.type === type && e.cause === convertedEvent.id), type).toBeDefined()
  })

  it('refuses to convert a lead without a contact (before hook) and writes nothing', async () => {
    const { api } = await createTenant()
    const lead = await createOk(api, 'leads', { name: 'Orphan', source: 'website', status: 'Qualified' })
    const before = (await api.events()).length
    const res = await api.post(`/leads/${lead.$id}/convert`)
    expect(res.status).toBe(422)
    expect(res.body).toMatchObject({ code: 'rejected', detail: 'Lead must have a contact before conversion' })
    expect((await api.get(`/leads/${lead.$id}`)).body.status).toBe('Qualified')
    expect((await api.get('/deals')).body.total).toBe(0)
    expect((await api.events()).length).toBe(before)
  })

  it('answers the seed queries: status filter, campaign + score range', async () => {
    const { api } = await createTenant()
    const campaign = await createOk(api, 'campaigns', { name: 'C', type: 'Paid' })
    for (const [name, status, score] of [['a', 'Qualified', 85], ['b', 'Qualified', 60], ['c', 'New', 90]] as const)
      await createOk(api, 'leads', { name, source: 'website', status, score, campaign: campaign.$id })
    expect((await api.get('/leads?status=Qualified')).body.total).toBe(2)
    const hot = await ok(api.get(`/leads?status=Qualified&campaign=${campaign.$id}&score[$gte]=80`))
    expect(hot.data.map((l: { name: string }) => l.name)).toEqual(['a'])
  })
})

describe('Seed 002: contacts', () => {
  it('finds qualified decision makers and reads a contact with organization, leads and activities', async () => {
    const { api } = await createTenant()
    const org = await createOk(api, 'organizations', { name: 'Acme' })
    const alice = await createOk(api, 'contacts', { name: 'Alice', email: 'a@acme.dev', stage: 'Qualified', role: 'DecisionMaker', organization: org.$id })
    await createOk(api, 'contacts', { name: 'Bob', stage: 'Qualified', role: 'User' })
    expect((await ok(api.get('/contacts?stage=Qualified&role=DecisionMaker'))).data.map((c: { name: string }) => c.name)).toEqual(['Alice'])
    await createOk(api, 'leads', { name: 'L', source: 'website', contact: alice.$id })
    await createOk(api, 'activities', { subject: 'Call Alice', type: 'Call', contact: alice.$id })
    const full = await ok(api.get(`/contacts/${alice.$id}?include=organization,leads,activities`))
    expect(full.organization.name).toBe('Acme')
    expect(full.leads).toHaveLength(1)
    expect(full.activities.map((a: { subject: string }) => a.subject)).toEqual(['Call Alice'])
  })

  it('captures a lead: creates the contact, records the source and opens a Lead', async () => {
    const { api } = await createTenant()
    const org = await createOk(api, 'organizations', { name: 'Startup' })
    const res = await api.post('/contacts/capture', { name: 'Bob Rivera', email: 'Bob@Startup.io', source: 'demo-request-form', organization: org.$id })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ name: 'Bob Rivera', email: 'bob@startup.io', source: 'demo-request-form', stage: 'Lead', organization: org.$id })
    const leads = (await api.get(`/leads?contact=${res.body.$id}`)).body.data
    expect(leads).toHaveLength(1)
    expect(leads[0]).toMatchObject({ status: 'New', source: 'demo-request-form', organization: org.$id })
    const types = await api.eventTypes()
    expect(types).toEqual(['organization.created', 'contact.created', 'contact.captured', 'lead.created', 'leadscore.created', 'activity.created'])

    // A second capture with the same email (any case) reuses the contact and adds to its open lead.
    const again = await api.post('/contacts/capture', { email: 'BOB@startup.io', phone: '+1 555 0100', source: 'event' })
    expect(again.body.$id).toBe(res.body.$id)
    expect(again.body).toMatchObject({ phone: '+1 555 0100', source: 'demo-request-form' })
    expect((await api.get(`/leads?contact=${res.body.$id}`)).body.total).toBe(1)
    expect((await api.get(`/activities?lead=${leads[0].$id}`)).body.total).toBe(2)
    expect((await api.get('/contacts')).body.total).toBe(1)
  })

  it('capture requires a valid email', async () => {
    const { api } = await createTenant()
    const res = await api.post('/contacts/capture', { name: 'No Mail' })
    expect(res.status).toBe(422)
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('email')
  })

  it('qualifies over REST, refusing contacts without an email', async () => {
    const { api } = await createTenant()
    const bare = await createOk(api, 'contacts', { name: 'No Email', stage: 'Lead' })
    expect((await api.post(`/contacts/${bare.$id}/qualify`)).body.code).toBe('rejected')
    const low = await createOk(api, 'contacts', { name: 'Low', email: 'low@x.dev', stage: 'Lead', leadScore: 20 })
    expect((await api.post(`/contacts/${low.$id}/qualify`)).body.detail).toBe('Lead score too low')
  })

  it('assigns an owner', async () => {
    const { api } = await createTenant()
    const rep = await createOk(api, 'contacts', { name: 'Rep' })
    const c = await createOk(api, 'contacts', { name: 'C' })
    expect((await ok(api.post(`/contacts/${c.$id}/assign`, { owner: rep.$id }))).owner).toBe(rep.$id)
    expect(await api.eventTypes(c.$id)).toEqual(['contact.created', 'contact.assigned'])
  })

  it('merges a duplicate: fills blanks, re-points relations, retires the duplicate with mergedInto in the log', async () => {
    const { api } = await createTenant()
    const survivor = await createOk(api, 'contacts', { name: 'Alice Chen', email: 'alice@acme.dev', title: 'CTO' })
    const duplicate = await createOk(api, 'contacts', { name: 'A. Chen', email: 'achen@gmail.com', phone: '+1 555', title: 'Engineer' })
    const report = await createOk(api, 'contacts', { name: 'Report', manager: duplicate.$id })
    const lead = await createOk(api, 'leads', { name: 'L', source: 'website', contact: duplicate.$id })
    const activity = await createOk(api, 'activities', { subject: 'Call', type: 'Call', contact: duplicate.$id })

    const merged = await ok(api.post(`/contacts/${survivor.$id}/merge`, { from: duplicate.$id }))
    expect(merged).toMatchObject({ name: 'Alice Chen', email: 'alice@acme.dev', title: 'CTO', phone: '+1 555' })
    expect((await api.get(`/contacts/${duplicate.$id}`)).status).toBe(404)
    expect((await api.get(`/leads/${lead.$id}`)).body.contact).toBe(survivor.$id)
    expect((await api.get(`/activities/${activity.$id}`)).body.contact).toBe(survivor.$id)
    expect((await api.get(`/contacts/${report.$id}`)).body.manager).toBe(survivor.$id)

    const history = (await api.get(`/contacts/${duplicate.$id}/history`)).body.data
    expect(history.at(-2).entity.mergedInto).toBe(survivor.$id)
    expect(history.at(-1).type).toBe('contact.deleted')
    const mergedEvent = (await api.events()).find((e) => e.type === 'contact.merged')
    expect(mergedEvent.data).toMatchObject({ from: duplicate.$id })
    const caused = (await api.events()).filter((e) => e.cause === mergedEvent.id).map((e) => e.type)
    expect(caused).toEqual(expect.arrayContaining(['lead.updated', 'activity.updated', 'contact.updated', 'contact.deleted']))
  })

  it('refuses to merge a contact into itself', async () => {
    const { api } = await createTenant()
    const c = await createOk(api, 'contacts', { name: 'Solo' })
    const res = await api.post(`/contacts/${c.$id}/merge`, { from: c.$id })
    expect(res.status).toBe(422)
    expect(res.body.errors[0].path).toBe('from')
  })

  it('enriches from the email domain, reusing the organization, and skips free mail', async () => {
    const { api } = await createTenant()
    const a = await createOk(api, 'contacts', { name: 'A', email: 'a@acme-labs.dev' })
    const enriched = await ok(api.post(`/contacts/${a.$id}/enrich`, { title: 'VP Sales', linkedinUrl: 'https://linkedin.com/in/a' }))
    expect(enriched).toMatchObject({ title: 'VP Sales', linkedinUrl: 'https://linkedin.com/in/a' })
    const org = (await api.get(`/organizations/${enriched.organization}`)).body
    expect(org).toMatchObject({ name: 'Acme Labs', domain: 'acme-labs.dev', website: 'https://acme-labs.dev' })

    const b = await createOk(api, 'contacts', { name: 'B', email: 'b@acme-labs.dev', title: 'Engineer' })
    const bEnriched = await ok(api.post(`/contacts/${b.$id}/enrich`, { title: 'ignored, title is set' }))
    expect(bEnriched).toMatchObject({ organization: org.$id, title: 'Engineer' })
    expect((await api.get('/organizations')).body.total).toBe(1)

    const free = await createOk(api, 'contacts', { name: 'F', email: 'f@gmail.com' })
    expect((await ok(api.post(`/contacts/${free.$id}/enrich`))).organization).toBeUndefined()
    const withPayload = await ok(api.post(`/contacts/${free.$id}/enrich`, { company: { name: 'Globex', domain: 'globex.com', industry: 'Energy', employeeCount: 120 } }))
    expect((await api.get(`/organizations/${withPayload.organization}`)).body).toMatchObject({ name: 'Globex', industry: 'Energy', employeeCount: 120 })
  })

  it('keeps a timeline: activities of a contact, newest first', async () => {
    const { api } = await createTenant()
    const c = await createOk(api, 'contacts', { name: 'T' })
    for (const subject of ['first', 'second', 'third']) await createOk(api, 'activities', { subject, type: 'Note', contact: c.$id })
    const timeline = await ok(api.get(`/activities?contact=${c.$id}&sort=-$createdAt`))
    expect(timeline.data.map((a: { subject: string }) => a.subject)).toEqual(['third', 'second', 'first'])
  })
})

describe('Automations (seed 002 hooks as tenant data)', () => {
  const automations = [
    {
      id: 'inbound-deal',
      on: 'contact.qualified',
      do: [
        { create: 'Deal', with: { name: '{{contact.name}} - Inbound', value: 12000, contact: '{{contact.$id}}', organization: '{{contact.organization}}', stage: 'Prospecting' } },
        { create: 'Activity', with: { subject: 'Follow up with {{contact.name}}', type: 'Task', contact: '{{contact.$id}}', status: 'Pending', priority: 'High' } },
      ],
    },
    {
      id: 'win-back',
      on: 'contact.updated',
      when: { stage: 'Churned' },
      do: [{ create: 'Campaign', with: { name: 'Win-back: {{contact.name}}', type: 'Email', segment: 'churned-customers' } }],
    },
  ]

  it('are validated and versioned when saved', async () => {
    const { api } = await createTenant()
    const res = await api.post('/settings/automations', automations)
    expect([res.status, res.headers.get('allow')]).toEqual([405, 'GET, PUT, HEAD'])
    const invalid = await putSettings(api, [{ id: 'x', on: 'contact.exploded', do: [{ create: 'Deal', with: { nmae: 'typo' } }] }])
    expect(invalid.status).toBe(422)
    expect(invalid.body.errors.map((e: { path: string }) => e.path)).toEqual(['automations[0].on', 'automations[0].do[0].with.nmae'])
    const saved = await putSettings(api, automations)
    expect(saved.status).toBe(200)
    expect(saved.body.version).toBeGreaterThan(0)
    expect((await api.get('/settings/automations')).body.data).toHaveLength(2)
    expect(await api.eventTypes()).toEqual(['settings.updated'])
  })

  it('run inside the verb that triggers them: qualifying creates the inbound deal and the follow-up task', async () => {
    const { api } = await createTenant()
    await putSettings(api, automations)
    const c = await createOk(api, 'contacts', { name: 'Dana', email: 'dana@x.dev', stage: 'Lead' })
    await ok(api.post(`/contacts/${c.$id}/qualify`))
    const deals = (await api.get(`/deals?contact=${c.$id}`)).body.data
    expect(deals).toHaveLength(1)
    expect(deals[0]).toMatchObject({ name: 'Dana - Inbound', value: 12000, stage: 'Prospecting' })
    const tasks = (await api.get(`/activities?contact=${c.$id}&type=Task`)).body.data
    expect(tasks[0]).toMatchObject({ subject: 'Follow up with Dana', priority: 'High', status: 'Pending' })
    const qualified = (await api.events()).find((e) => e.type === 'contact.qualified')
    expect((await api.events()).filter((e) => e.cause === qualified.id).map((e) => e.type)).toEqual(['deal.created', 'activity.created'])
  })

  it('respect their when filter: a churned contact gets a win-back campaign, others do not', async () => {
    const { api } = await createTenant()
    await putSettings(api, automations)
    const c = await createOk(api, 'contacts', { name: 'Eve', stage: 'Customer' })
    await ok(api.patch(`/contacts/${c.$id}`, { title: 'CFO' }))
    expect((await api.get('/campaigns')).body.total).toBe(0)
    await ok(api.patch(`/contacts/${c.$id}`, { stage: 'Churned' }))
    const campaigns = (await api.get('/campaigns')).body.data
    expect(campaigns).toHaveLength(1)
    expect(campaigns[0]).toMatchObject({ name: 'Win-back: Eve', type: 'Email', segment: 'churned-customers' })
  })

  it('roll the triggering call back when one of their actions fails', async () => {
    const { api } = await createTenant()
    await putSettings(api, [{ id: 'broken', on: 'contact.qualified', do: [{ create: 'Deal', with: { name: '{{contact.name}}', stage: 'Nowhere' } }] }])
    const c = await createOk(api, 'contacts', { name: 'Fay', email: 'fay@x.dev', stage: 'Lead' })
    const res = await api.post(`/contacts/${c.$id}/qualify`)
    expect(res.status).toBe(422)
    expect(res.body.detail).toMatch(/automation 'broken'/)
    expect((await api.get(`/contacts/${c.$id}`)).body.stage).toBe('Lead')
    expect((await api.get('/deals')).body.total).toBe(0)
    expect(await api.eventTypes(c.$id)).toEqual(['contact.created'])
  })
})

async function putSettings(api: TenantApi, automations: unknown) {
  return api.put('/settings/automations', automations)
}
