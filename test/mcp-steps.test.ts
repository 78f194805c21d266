/**
 * MCP `do` with `steps`: one transaction in the tenant object, all or nothing. A failing step is
 * named with its problem and no step is applied; references between steps ("$0.$id") resolve
 * inside the transaction and only through a result's own fields. And `events` pages with the
 * cursor it hands out: `next` goes back as `after` exactly as it came.
 */
import { describe, expect, it } from 'vitest'
import { callTool, createTenant, issueKey, rpcOf, sendRaw, type TenantApi } from './helpers'

const contactTotal = async (api: TenantApi) => (await api.get('/contacts')).body.total as number

describe('MCP do with steps', () => {
  it('applies no step when a later one fails, and names the failed step with its problem', async () => {
    const { slug, key, api } = await createTenant()
    const steps = [
      { type: 'Contact', verb: 'create', data: { name: 'Never Stored', email: 'never@steps.dev', leadScore: 80 } },
      { type: 'Contact', verb: 'qualify', id: 'contact_doesnotexist' },
    ]
    const failed = await callTool(slug, key, 'do', { steps })
    expect(failed.isError).toBe(true)
    expect(failed.body).toMatchObject({ failedStep: 1, applied: false, error: { code: 'not_found', detail: expect.stringContaining('contact_doesnotexist') } })
    expect(failed.body.detail).toMatch(/no step was applied/)
    expect(failed.body).not.toHaveProperty('completed')
    expect(await contactTotal(api)).toBe(0)
    expect(await api.eventTypes()).toEqual([])

    // A refused transition (no email: qualify is rejected) undoes the contact its own list created.
    const refused = await callTool(slug, key, 'do', { steps: [{ type: 'Contact', verb: 'create', data: { name: 'No Email' } }, { type: 'Contact', verb: 'qualify', id: '$0.$id' }] })
    expect(refused.body).toMatchObject({ failedStep: 1, applied: false, error: { code: 'rejected' } })
    // An instance verb without an id is refused as the single form refuses it, with its field.
    const noId = await callTool(slug, key, 'do', { steps: [{ type: 'Contact', verb: 'create', data: { name: 'Lonely' } }, { type: 'contacts', verb: 'qualify' }] })
    expect(noId.body).toMatchObject({ failedStep: 1, error: { code: 'validation_failed', errors: [{ path: 'id', message: 'is required' }] } })
    const noVerb = await callTool(slug, key, 'do', { steps: [{ type: 'Contact', verb: 'create', data: { name: 'Lonely' } }, { type: 'Contact', verb: 'teleport', id: '$0.$id' }] })
    expect(noVerb.body).toMatchObject({ failedStep: 1, error: { code: 'not_found' } })
    expect(await contactTotal(api)).toBe(0)
    expect(await api.eventTypes()).toEqual([])
  })

  it('runs a whole flow in one request: every result, every event (hooks included) under one request id', async () => {
    const { slug, key, api } = await createTenant()
    const result = await callTool(
      slug,
      key,
      'do',
      {
        steps: [
          { type: 'Contact', verb: 'create', data: { name: 'Alice Chen', email: 'alice@steps.dev' } },
          { type: 'Deal', verb: 'create', data: { name: 'Acme Enterprise', value: 48000, contact: '$0.$id', stage: 'Prospecting' } },
          { type: 'Deal', verb: 'win', id: '$1.$id' },
        ],
      },
      'req-steps-flow',
    )
    expect(result.isError).toBe(false)
    const [contact, deal, won] = result.body.results
    expect(contact).toMatchObject({ $type: 'Contact', name: 'Alice Chen' })
    expect(deal).toMatchObject({ $type: 'Deal', contact: contact.$id, stage: 'Prospecting' })
    expect(won).toMatchObject({ $id: deal.$id, stage: 'Won', value: 48000 })

    const events = await api.events()
    const types = events.map((e) => e.type)
    for (const type of ['contact.created', 'deal.created', 'deal.won', 'customer.created', 'subscription.created']) expect(types).toContain(type)
    expect(types.indexOf('contact.created')).toBeLessThan(types.indexOf('deal.created'))
    expect(types.indexOf('deal.created')).toBeLessThan(types.indexOf('deal.won'))
    expect(new Set(events.map((e) => e.requestId))).toEqual(new Set(['req-steps-flow']))
    expect((await api.get(`/customers?contact=${contact.$id}`)).body.total).toBe(1)
  })

  it('refuses a reference into the prototype chain, and writes nothing', async () => {
    const { slug, key, api } = await createTenant()
    for (const reference of ['$0.__proto__', '$0.constructor', '$0.constructor.name', '$0.__proto__.polluted']) {
      const result = await callTool(slug, key, 'do', { steps: [{ type: 'Contact', verb: 'create', data: { name: 'Proto' } }, { type: 'Contact', verb: 'update', id: '$0.$id', data: { title: reference } }] })
      expect(result.isError, reference).toBe(true)
      expect(result.body, reference).toMatchObject({ failedStep: 1, applied: false, error: { code: 'validation_failed', errors: [{ path: 'data.title' }] } })
    }
    // A field the result does not have, and a step that has not run, are refused the same way.
    const missing = await callTool(slug, key, 'do', { steps: [{ type: 'Contact', verb: 'create', data: { name: 'Proto' } }, { type: 'Contact', verb: 'qualify', id: '$0.nothing' }] })
    expect(missing.body).toMatchObject({ failedStep: 1, error: { code: 'validation_failed', errors: [{ path: 'id' }] } })
    const ahead = await callTool(slug, key, 'do', { steps: [{ type: 'Contact', verb: 'update', id: '$1.$id', data: {} }, { type: 'Contact', verb: 'create', data: { name: 'Later' } }] })
    expect(ahead.body).toMatchObject({ failedStep: 0, error: { code: 'validation_failed' } })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(await contactTotal(api)).toBe(0)
    expect(await api.eventTypes()).toEqual([])
  })

  it('checks each step against the key’s role: a member’s admin-only step undoes the steps before it', async () => {
    const { slug, key, api } = await createTenant()
    const member = await issueKey(slug, key, 'member')
    const existing = (await api.post('/contacts', { name: 'Kept' })).body
    const result = await callTool(slug, member.key, 'do', { steps: [{ type: 'Contact', verb: 'create', data: { name: 'By Member' } }, { type: 'Contact', verb: 'delete', id: existing.$id }] })
    expect(result.body).toMatchObject({ failedStep: 1, applied: false, error: { code: 'forbidden' } })
    const stage = await callTool(slug, member.key, 'do', { steps: [{ type: 'Stage', verb: 'create', data: { name: 'Sneaky', order: 99 } }] })
    expect(stage.body).toMatchObject({ failedStep: 0, error: { code: 'forbidden' } })
    expect(await contactTotal(api)).toBe(1)
    expect(await api.eventTypes()).toEqual(['apikey.created', 'contact.created'])
  })

  it('honours Idempotency-Key: the same steps call replays its results instead of running again', async () => {
    const { slug, key, api } = await createTenant()
    const send = () =>
      sendRaw({
        method: 'POST',
        path: `/~${slug}/mcp`,
        headers: { host: 'revline.test', authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'idempotency-key': 'steps-1' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'do', arguments: { steps: [{ type: 'Contact', verb: 'create', data: { name: 'Once' } }] } } }),
      })
    const first = await send()
    const again = await send()
    expect(first.status).toBe(200)
    expect(again.text).toBe(first.text)
    expect(await contactTotal(api)).toBe(1)
  })
})

describe('MCP events', () => {
  it('takes its own `next` back as `after`, as given or as a number, and pages the log as REST does', async () => {
    const { slug, key, api } = await createTenant()
    for (const name of ['Ann', 'Ben', 'Cat', 'Dan', 'Eve']) await api.post('/contacts', { name })
    const everything = (await api.get('/events?limit=500')).body.data.map((e: { seq: number }) => e.seq)

    const seen: number[] = []
    let after: string | number | undefined
    for (let page = 0; page < 100; page++) {
      const { isError, body } = await callTool(slug, key, 'events', { limit: 2, ...(after === undefined ? {} : { after }) })
      expect(isError, JSON.stringify(body)).toBe(false)
      seen.push(...body.data.map((e: { seq: number }) => e.seq))
      if (body.next === null) break
      expect(typeof body.next).toBe('string')
      // Alternate: the cursor as it came, then as a number (a client may have parsed it).
      after = page % 2 === 0 ? body.next : Number(body.next)
    }
    expect(seen).toEqual(everything)

    const rest = await api.get(`/events?limit=2&after=${everything[1]}`)
    const mcp = await callTool(slug, key, 'events', { limit: 2, after: String(everything[1]) })
    expect(mcp.body).toEqual(rest.body)

    // Anything else is refused by the tool's input schema (the SDK answers in text, not a problem).
    const bad = await sendRaw({
      method: 'POST',
      path: `/~${slug}/mcp`,
      headers: { host: 'revline.test', authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'events', arguments: { after: 'soon' } } }),
    })
    const result = rpcOf(bad).result as { isError?: boolean; content: { text: string }[] }
    expect(result.isError).toBe(true)
    expect(result.content[0]!.text).toContain('after')
  })
})
