/**
 * MCP through `wrangler dev` with the official client (@modelcontextprotocol/sdk, streamable HTTP):
 * seed 001's search, seed 000's whole flow as one `do` call with steps (all or nothing), schema reads, roles.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, startDevServer, type DevServer } from './dev-server'

let server: DevServer
let adminKey: string

beforeAll(async () => {
  server = await startDevServer()
  const res = await fetch(`${server.baseUrl}/tenants`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ slug: 'mcp', name: 'MCP Co' }) })
  adminKey = ((await res.json()) as { apiKey: string }).apiKey
}, 90_000)
afterAll(async () => server?.stop())

async function connect(key: string) {
  const client = new Client({ name: 'revline-e2e', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.baseUrl}/~mcp/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }))
  return client
}

const parse = (result: { content: unknown }) => JSON.parse((result.content as { text: string }[])[0]!.text)

describe('MCP', () => {
  it('lists its tools with descriptions naming every noun, and serves the schema resource', async () => {
    const client = await connect(adminKey)
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name).sort()).toEqual(['do', 'events', 'fetch', 'schema', 'search'])
    const search = tools.find((t) => t.name === 'search')!
    for (const noun of ['Contact', 'Lead', 'Deal', 'Subscription', 'Proposal']) expect(search.description).toContain(noun)
    expect(search.description).toContain('New,Contacted,Qualified,Converted,Lost')
    const resource = await client.readResource({ uri: 'revline://schema' })
    const schema = JSON.parse((resource.contents[0] as { text: string }).text)
    const lead = schema.types.find((t: { type: string }) => t.type === 'Lead')
    expect(lead.verbs.map((v: { verb: string }) => v.verb)).toEqual(expect.arrayContaining(['convert', 'lose', 'create']))
    await client.close()
  })

  it("runs seed 000 as one do call with steps: contact, qualify, a $48k deal, won — with billing provisioned", async () => {
    const client = await connect(adminKey)
    const result = await client.callTool({
      name: 'do',
      arguments: {
        steps: [
          { type: 'Contact', verb: 'create', data: { name: 'Alice Chen', email: 'alice@acme.dev', stage: 'Lead', source: 'website' } },
          { type: 'Contact', verb: 'qualify', id: '$0.$id' },
          { type: 'Deal', verb: 'create', data: { name: 'Acme Enterprise', value: 48000, contact: '$0.$id', stage: 'Prospecting' } },
          { type: 'Deal', verb: 'win', id: '$2.$id' },
        ],
      },
    })
    expect(result.isError).toBeFalsy()
    const { results } = parse(result as { content: unknown })
    expect(results[1].stage).toBe('Qualified')
    expect(results[3]).toMatchObject({ stage: 'Won', value: 48000 })
    const events = parse((await client.callTool({ name: 'events', arguments: { limit: 500 } })) as { content: unknown })
    const types = events.data.filter((e: { actor: string }) => e.actor !== 'system').map((e: { type: string }) => e.type)
    const flow = ['contact.created', 'contact.qualified', 'deal.created', 'deal.won', 'customer.created', 'subscription.created']
    const positions = flow.map((t) => types.indexOf(t))
    expect(positions.every((p) => p >= 0)).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)
    const customers = parse((await client.callTool({ name: 'search', arguments: { type: 'Customer', filter: { contact: results[0].$id } } })) as { content: unknown })
    expect(customers.data).toHaveLength(1)
    await client.close()
  })

  it('answers seed 001’s MCP search as written, and fetches with include', async () => {
    const client = await connect(adminKey)
    for (const [name, score] of [['Low', 10], ['High', 90], ['Mid', 50]] as const)
      await client.callTool({ name: 'do', arguments: { type: 'Lead', verb: 'create', data: { name, source: 'website', score } } })
    const found = parse((await client.callTool({ name: 'search', arguments: { type: 'Lead', filter: { status: 'New', source: 'website' }, sort: { score: 'desc' }, limit: 25 } })) as { content: unknown })
    expect(found.data.map((l: { name: string }) => l.name).slice(0, 3)).toEqual(['High', 'Mid', 'Low'])
    // Full-text search without a type: hits across nouns, best first, each to fetch.
    const text = parse((await client.callTool({ name: 'search', arguments: { query: 'alice' } })) as { content: unknown })
    const contact = text.data.find((h: { $type: string; name: string }) => h.$type === 'Contact' && h.name === 'Alice Chen')
    expect(contact).toMatchObject({ snippet: expect.stringContaining('<mark>Alice</mark>'), score: expect.any(Number) })
    const narrowed = parse((await client.callTool({ name: 'search', arguments: { type: 'Contact', query: 'chen ali' } })) as { content: unknown })
    expect(narrowed.data.map((c: { name: string }) => c.name)).toEqual(['Alice Chen'])
    const fetched = parse((await client.callTool({ name: 'fetch', arguments: { type: 'Contact', id: contact.$id, include: ['deals', 'customers'] } })) as { content: unknown })
    expect(fetched.deals).toHaveLength(1)
    await client.close()
  })

  it('applies no step of a list when one fails and names it; roles apply; a bad key is refused', async () => {
    const client = await connect(adminKey)
    const before = parse((await client.callTool({ name: 'search', arguments: { type: 'Contact', filter: { name: 'Bo' } } })) as { content: unknown })
    const result = await client.callTool({
      name: 'do',
      arguments: { steps: [{ type: 'Contact', verb: 'create', data: { name: 'Bo' } }, { type: 'Contact', verb: 'qualify', id: '$0.$id' }, { type: 'Contact', verb: 'delete', id: '$0.$id' }] },
    })
    expect(result.isError).toBe(true)
    const body = parse(result as { content: unknown })
    expect(body).toMatchObject({ failedStep: 1, applied: false, error: { code: 'rejected' } })
    const after = parse((await client.callTool({ name: 'search', arguments: { type: 'Contact', filter: { name: 'Bo' } } })) as { content: unknown })
    expect(after.total).toBe(before.total)

    const bo = parse((await client.callTool({ name: 'do', arguments: { type: 'Contact', verb: 'create', data: { name: 'Bo' } } })) as { content: unknown })
    const keyRes = await fetch(`${server.baseUrl}/~mcp/keys`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'member', name: 'agent' }) })
    const member = await connect(((await keyRes.json()) as { key: string }).key)
    const denied = await member.callTool({ name: 'do', arguments: { type: 'Contact', verb: 'delete', id: bo.$id } })
    expect(denied.isError).toBe(true)
    expect(parse(denied as { content: unknown }).code).toBe('forbidden')
    await member.close()
    await client.close()

    await expect(connect('rvl_notavalidkeynotavalidkeynotaval')).rejects.toThrow()
    // What the client saw: a 401 naming the Bearer scheme (how a client tells a bad key from a server that wants OAuth).
    const refused = await fetch(`${server.baseUrl}/~mcp/mcp`, { method: 'POST', headers: { authorization: 'Bearer rvl_notavalidkeynotavalidkeynotaval', 'content-type': 'application/json' }, body: '{}' })
    expect([refused.status, refused.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="revline", error="invalid_token"'])
  })

  it('pages the event log with the cursor it hands out: next goes back as after', async () => {
    const client = await connect(adminKey)
    const seqs: number[] = []
    let after: unknown
    for (let page = 0; page < 500; page++) {
      const result = await client.callTool({ name: 'events', arguments: { limit: 7, ...(after === undefined ? {} : { after }) } })
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy()
      const { data, next } = parse(result as { content: unknown })
      seqs.push(...data.map((e: { seq: number }) => e.seq))
      if (next === null) break
      after = next
    }
    const all = parse((await client.callTool({ name: 'events', arguments: { limit: 500 } })) as { content: unknown })
    expect(seqs).toEqual(all.data.map((e: { seq: number }) => e.seq))
    await client.close()
  })
})

describe('MCP over the tenant’s own schema', () => {
  it('describes a noun defined at run time, runs its verb and searches its custom field, with the official client', async () => {
    const put = await fetch(`${server.baseUrl}/~mcp/nouns/Ticket`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: 'string!', severity: 'int#', status: 'Open | Closed = Open', close: 'Closed' }),
    })
    expect(put.status).toBe(201)
    const client = await connect(adminKey)
    const { tools } = await client.listTools()
    expect(tools.find((t) => t.name === 'search')!.description).toContain('Ticket')
    const described = parse((await client.callTool({ name: 'schema', arguments: { type: 'Ticket' } })) as { content: unknown })
    expect(described.verbs.map((v: { verb: string }) => v.verb)).toEqual(expect.arrayContaining(['create', 'close']))
    const done = parse((await client.callTool({ name: 'do', arguments: { steps: [{ type: 'Ticket', verb: 'create', data: { subject: 'Printer on fire', severity: 1 } }, { type: 'Ticket', verb: 'close', id: '$0.$id' }] } })) as { content: unknown })
    expect(done.results[1]).toMatchObject({ status: 'Closed', severity: 1 })
    const found = parse((await client.callTool({ name: 'search', arguments: { type: 'Ticket', filter: { severity: { $lte: 2 } } } })) as { content: unknown })
    expect(found.data.map((t: { subject: string }) => t.subject)).toEqual(['Printer on fire'])
    await client.close()
  })
})
