/**
 * HTTP answers clients read before the body: every 401 names its scheme (`WWW-Authenticate: Bearer`,
 * which the MCP Inspector needs to tell a refused key from a server that wants OAuth), and a path the
 * API has, asked with a method it does not answer, is 405 with `Allow` (not a 404 saying "no route").
 * Both are checked over every path of the OpenAPI document, the API's list of its own routes.
 */
import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, createTenant, request, sendRaw } from './helpers'

type Operation = { security?: unknown[]; parameters?: { name?: string; in?: string; schema?: { pattern?: string } }[] }
type PathItem = Record<string, unknown> & { servers?: unknown; parameters?: Operation['parameters'] }

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head']
const BARE = 'Bearer realm="revline"'
const REFUSED_TOKEN = 'Bearer realm="revline", error="invalid_token"'

async function documentPaths(): Promise<[string, PathItem][]> {
  const res = await request('GET', '/openapi.json')
  const paths = Object.entries(res.body.paths as Record<string, PathItem>)
  expect(paths.length).toBeGreaterThan(100)
  return paths
}

const methodsOf = (item: PathItem) => METHODS.filter((m) => m in item).map((m) => m.toUpperCase())
const isPublic = (item: PathItem) => methodsOf(item).every((m) => Array.isArray((item[m.toLowerCase()] as Operation).security) && (item[m.toLowerCase()] as Operation).security!.length === 0)

/** A concrete URL for a documented path: ids shaped as their pattern asks (`contact_` + 9 characters), the tenant's slug. */
function concrete(path: string, item: PathItem, slug: string): string {
  const params = [...(item.parameters ?? []), ...methodsOf(item).flatMap((m) => (item[m.toLowerCase()] as Operation).parameters ?? [])]
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name === 'slug') return slug
    const pattern = params.find((p) => p.in === 'path' && p.name === name)?.schema?.pattern ?? ''
    const prefix = /^\^([a-z]+)_/.exec(pattern)?.[1]
    return prefix ? `${prefix}_AAAAAAAAA` : 'x'
  })
  return item.servers ? filled : `/~${slug}${filled}`
}

function expectChallenge(res: { status: number; headers: Headers }, challenge: string, what: string) {
  expect(res.status, what).toBe(401)
  expect(res.headers.get('content-type'), what).toBe('application/problem+json')
  expect(res.headers.get('www-authenticate'), what).toBe(challenge)
}

describe('401 answers', () => {
  it('carry WWW-Authenticate: Bearer on every route that takes a key, with invalid_token only when one was sent', async () => {
    const { slug } = await createTenant()
    for (const [path, item] of await documentPaths()) {
      if (isPublic(item)) continue
      const url = concrete(path, item, slug)
      for (const method of methodsOf(item)) {
        const what = `${method} ${path}`
        const body = method === 'GET' || method === 'HEAD' ? undefined : '{}'
        const headers = body ? { 'content-type': 'application/json' } : {}
        expectChallenge(await sendRaw({ method, path: url, headers, body }), BARE, `${what} without a key`)
        expectChallenge(await sendRaw({ method, path: url, headers: { ...headers, authorization: 'Bearer rvl_not-a-key' }, body }), REFUSED_TOKEN, `${what} with a refused key`)
      }
    }
  })

  it('carry it on the MCP endpoint, for a malformed Idempotency-Key from a stranger, and on an unsigned ingest', async () => {
    const { slug } = await createTenant()
    const mcp = await sendRaw({
      method: 'POST',
      path: `/~${slug}/mcp`,
      headers: { host: 'revline.test', authorization: 'Bearer rvl_not-a-key', 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
    })
    expectChallenge(mcp, REFUSED_TOKEN, 'MCP with a refused key')
    const keyed = await sendRaw({ method: 'POST', path: `/~${slug}/contacts`, headers: { authorization: 'Bearer rvl_not-a-key', 'content-type': 'application/json', 'idempotency-key': 'bad key' }, body: '{"name":"A"}' })
    expectChallenge(keyed, REFUSED_TOKEN, 'a malformed Idempotency-Key with a refused key')
    const operator = await sendRaw({ method: 'GET', path: '/tenants', headers: { authorization: 'Bearer wrong' } })
    expectChallenge(operator, REFUSED_TOKEN, 'the operator routes with a wrong token')
    const ingest = await sendRaw({ method: 'POST', path: `/~${slug}/sources/source_AAAAAAAAA/ingest`, headers: { 'content-type': 'application/json' }, body: '{}' })
    expectChallenge(ingest, BARE, 'an unsigned ingest')
  })

  it('are not sent with other refusals', async () => {
    const { api } = await createTenant()
    const res = await api.post('/contacts', { name: '' })
    expect(res.status).toBe(422)
    expect(res.headers.get('www-authenticate')).toBeNull()
  })
})

describe('A documented path asked with another method', () => {
  it('is 405 with Allow listing the documented methods, on every path of the document', async () => {
    const { slug, key } = await createTenant()
    for (const [path, item] of await documentPaths()) {
      const documented = methodsOf(item)
      const method = ['PUT', 'PATCH', 'DELETE', 'POST', 'GET'].find((m) => !documented.includes(m))!
      const authorization = isPublic(item) ? undefined : item.servers ? `Bearer ${ADMIN_TOKEN}` : `Bearer ${key}`
      const body = method === 'GET' ? undefined : '{}'
      const res = await sendRaw({ method, path: concrete(path, item, slug), headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) }, body })
      const what = `${method} ${path}: ${res.text}`
      expect(res.status, what).toBe(405)
      expect(res.headers.get('content-type'), what).toBe('application/problem+json')
      expect(res.json, what).toMatchObject({ status: 405, code: 'method_not_allowed' })
      const allow = (res.headers.get('allow') ?? '').split(', ').sort()
      expect(allow, what).toEqual([...documented, ...(documented.includes('GET') ? ['HEAD'] : [])].sort())
    }
  })

  it('names the methods in the problem, answers public paths without asking for a key, and asks a stranger for a key first', async () => {
    const { slug, api } = await createTenant()
    const put = await api.put('/contacts', { name: 'A' })
    expect(put.status).toBe(405)
    expect(put.headers.get('allow')).toBe('GET, POST, HEAD')
    expect(put.body.detail).toContain('GET, POST, HEAD')
    const verb = await api.get('/contacts/contact_AAAAAAAAA/qualify')
    expect([verb.status, verb.headers.get('allow')]).toEqual([405, 'POST'])
    // A collection verb shares its shape with `/{collection}/{id}`: the concrete path wins.
    const capture = await api.get('/contacts/capture')
    expect([capture.status, capture.headers.get('allow')]).toEqual([405, 'POST'])
    // Lead scores are written by Revline only: the refusal lists what the path does have.
    const write = await api.post('/lead-scores', { lead: 'lead_AAAAAAAAA', score: 1 })
    expect([write.status, write.body.code, write.headers.get('allow')]).toEqual([405, 'method_not_allowed', 'GET, HEAD'])

    const form = await request('GET', `/~${slug}/capture`)
    expect([form.status, form.headers.get('allow')]).toEqual([405, 'POST, OPTIONS'])
    const stranger = await request('PUT', `/~${slug}/contacts`, { key: 'rvl_not-a-key', body: {} })
    expectChallenge(stranger, REFUSED_TOKEN, 'a wrong method with a refused key')
  })

  it('stays 404 where the path is unknown or what it names is missing', async () => {
    const { api } = await createTenant()
    expect((await api.put('/nonsense', {})).status).toBe(404)
    expect((await api.post('/contacts/contact_AAAAAAAAA/teleport')).status).toBe(404)
    // Not an id of the noun, so not `/contacts/{id}`: no path of the API.
    expect((await api.post('/contacts/__proto__')).status).toBe(404)
    expect((await api.put('/contacts/deal_AAAAAAAAA', {})).status).toBe(404)
    const missing = await api.get('/contacts/contact_AAAAAAAAA')
    expect([missing.status, missing.headers.get('allow')]).toEqual([404, null])
    expect((await request('PUT', '/nonsense')).status).toBe(404)
  })
})
