/**
 * `GET /openapi.json` and `GET /docs` against `wrangler dev`: the document passes a real OpenAPI
 * 3.1 validator, names every collection, verb and error shape the nouns imply, agrees with what
 * the API actually answers, and the Swagger UI page renders it in Debian's Chromium without
 * fetching anything from another host (its files are static assets, served before the Worker runs).
 */
import { mkdirSync } from 'node:fs'
import { validate } from '@readme/openapi-parser'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../../src/domain/errors'
import { apiVerbs } from '../../src/domain/noun/noun'
import { nouns } from '../../src/domain/nouns'
import { ADMIN_TOKEN, startDevServer, type DevServer } from './dev-server'

type Json = Record<string, any>
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
let server: DevServer
let doc: Json

beforeAll(async () => {
  server = await startDevServer()
  const res = await fetch(`${server.baseUrl}/openapi.json`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toContain('application/json')
  doc = (await res.json()) as Json
}, 90_000)

afterAll(async () => {
  await server?.stop()
})

const deref = (ref: string) => ref.replace('#/components/', '').split('/').reduce((node: Json, key) => node[key], doc.components)

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0')
    const result = await validate(structuredClone(doc) as never)
    expect(result.valid ? [] : result.errors).toEqual([])
    expect(result.warnings).toEqual([])
  })

  it('is built once and served the same way every time', async () => {
    const again = await (await fetch(`${server.baseUrl}/openapi.json`)).json()
    expect(again).toEqual(doc)
  })

  it('has the tenant server, both security schemes and the problem+json error shape', () => {
    expect(doc.servers[0]).toMatchObject({ url: '/~{tenant}', variables: { tenant: { default: expect.any(String) } } })
    expect(doc.components.securitySchemes).toMatchObject({ apiKey: { type: 'http', scheme: 'bearer' }, operatorToken: { type: 'http', scheme: 'bearer' } })
    expect(doc.security).toEqual([{ apiKey: [] }])
    const problem = doc.components.schemas.Problem
    expect(problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']))
    expect(problem.properties.code.enum).toEqual([...ERROR_CODES])
    expect(problem.properties.errors.items).toEqual({ $ref: '#/components/schemas/FieldError' })
    expect(doc.components.schemas.FieldError.required).toEqual(['path', 'message'])
    // Every error code has a response that names it and carries problem+json.
    for (const code of ERROR_CODES) {
      const response = Object.values(doc.components.responses as Json).find((r: Json) => r.description.includes(`\`${code}\``))
      expect(response, code).toBeDefined()
      expect(Object.keys(response.content)).toEqual(['application/problem+json'])
    }
  })

  it('documents every collection of every noun, with schemas derived from its fields', () => {
    for (const noun of nouns.all()) {
      const base = `/${noun.plural}`
      // What callers may run: nothing for nouns only the system writes (lead scores are read-only).
      const verbs = apiVerbs(noun)
      expect(doc.paths[base]?.get, base).toBeDefined()
      expect(Boolean(doc.paths[base]?.post), `POST ${base}`).toBe(Boolean(verbs.create))
      expect(doc.paths[`${base}/{id}`].get).toBeDefined()
      expect(Boolean(doc.paths[`${base}/{id}`].patch)).toBe(Boolean(verbs.update))
      expect(Boolean(doc.paths[`${base}/{id}`].delete)).toBe(Boolean(verbs.delete))
      expect(Boolean(doc.paths[`${base}/{id}/restore`]?.post)).toBe(Boolean(verbs.restore))
      expect(doc.paths[`${base}/{id}/history`].get).toBeDefined()
      expect(doc.paths[`${base}/export`].get).toBeDefined()
      if (verbs.create) expect(Object.keys(doc.paths[`${base}/import`].post.requestBody.content)).toEqual(['text/csv', 'application/x-ndjson'])

      const list = doc.paths[base].get
      const params = list.parameters.map((p: Json) => p.name ?? deref(p.$ref).name)
      expect(params).toEqual(expect.arrayContaining(['filter', 'sort', 'limit', 'cursor', 'page', 'include', 'dateFrom', 'dateTo']))
      expect(list.description).toContain('field[$op]=value')
      const get = doc.paths[`${base}/{id}`].get
      expect(get.parameters.map((p: Json) => p.name ?? deref(p.$ref).name)).toEqual(['include', 'asOf'])
      if (verbs.update) expect(doc.paths[`${base}/{id}`].patch.parameters.map((p: Json) => deref(p.$ref).name)).toContain('If-Match')

      const entity = doc.components.schemas[noun.name]
      expect(entity.required).toEqual(expect.arrayContaining(['$id', '$type', '$version', '$createdAt', '$updatedAt', '$createdBy']))
      for (const field of Object.values(noun.fields)) {
        const schema = entity.properties[field.name]
        expect(schema, `${noun.name}.${field.name}`).toBeDefined()
        if (field.kind === 'scalar' && field.type !== 'json') {
          if (field.list) expect(schema.type).toContain('array')
          const inner = field.list ? schema.items : schema
          if (field.type === 'datetime') expect(inner.format).toBe('date-time')
          if (field.type === 'email') expect(inner.format).toBe('email')
          if (field.type === 'url') expect(inner.format).toBe('uri')
          if (field.type === 'int') expect(inner.type).toContain('integer')
          if (field.type === 'boolean') expect(inner.type).toContain('boolean')
        }
        if (field.kind === 'enum') expect(schema.enum).toEqual(expect.arrayContaining([...field.values]))
        if (field.kind === 'relation') {
          expect(schema.type).toContain('string')
          expect(schema.description).toContain(field.target)
        }
        if (field.required) expect(entity.required, `${noun.name}.${field.name}`).toContain(field.name)
        const filter = list.parameters.find((p: Json) => p.name === field.name || p.name === `${field.name}[$contains]`)
        if (!(field.kind === 'scalar' && field.type === 'json')) expect(filter, `${noun.name} filter ${field.name}`).toBeDefined()
      }
      if (verbs.create) {
        const create = doc.components.schemas[`${noun.name}Create`]
        const mustGive = Object.values(noun.fields).filter((f) => f.required && f.default === undefined).map((f) => f.name)
        expect(create.required ?? []).toEqual(mustGive)
        expect(create.additionalProperties).toBe(false)
      }
      if (verbs.update) expect(doc.components.schemas[`${noun.name}Update`].required).toBeUndefined()
    }
  })

  it('documents every custom verb at its path, with its input schema', () => {
    let count = 0
    for (const noun of nouns.all()) {
      for (const verb of Object.values(noun.verbs)) {
        if (verb.kind !== 'custom') continue
        count++
        const path = verb.scope === 'instance' ? `/${noun.plural}/{id}/${verb.verb}` : `/${noun.plural}/${verb.verb}`
        const op = doc.paths[path]?.post
        expect(op, path).toBeDefined()
        const body = op.requestBody.content['application/json'].schema
        const schema = body.$ref ? deref(body.$ref) : body
        expect(Object.keys(schema.properties ?? {}).sort(), path).toEqual(Object.keys(verb.input).sort())
        expect(schema.required ?? [], path).toEqual(Object.values(verb.input).filter((f) => f.required).map((f) => f.name))
        expect(op.responses['200'].content['application/json'].schema).toEqual({ $ref: `#/components/schemas/${noun.name}` })
        expect(op.responses['409']).toBeDefined()
      }
    }
    expect(count).toBeGreaterThan(30)
    expect(doc.paths['/contacts/capture'].post).toBeDefined()
    expect(doc.paths['/leads/{id}/convert'].post).toBeDefined()
  })

  it('documents the routes beside the collections', () => {
    for (const path of ['/events', '/settings/scoring', '/settings/tiers', '/keys', '/keys/{id}', '/sources', '/sources/{id}', '/sources/{id}/ingest', '/capture', '/pipeline/summary', '/pipeline/funnel', '/jobs', '/jobs/dead', '/leads/{id}/scores', '/proposals/{id}/document'])
      expect(doc.paths[path], path).toBeDefined()
    expect(Object.keys(doc.paths['/capture'].post.requestBody.content)).toEqual(['application/x-www-form-urlencoded', 'multipart/form-data', 'application/json'])
    expect(doc.paths['/capture'].post.security).toEqual([])
    expect(doc.paths['/capture'].post.responses['429']).toBeDefined()
    expect(doc.paths['/tenants'].post.security).toEqual([{ operatorToken: [] }])
    expect(doc.paths['/tenants'].servers).toEqual([expect.objectContaining({ url: '/' })])
    expect(doc.paths['/tenants/{slug}/suspend'].post).toBeDefined()
    // Every tenant operation that takes credentials says what it answers without valid ones (public ones, `security: []`, take none).
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      if (item.servers) continue
      for (const [method, op] of Object.entries(item as Json)) {
        if (method === 'parameters' || (Array.isArray(op.security) && op.security.length === 0)) continue
        expect((op as Json).responses['401'], `${method} ${path}`).toBeDefined()
      }
    }
  })

  it('matches what the API answers', async () => {
    const created = await fetch(`${server.baseUrl}/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'docs', name: 'Docs Co' }),
    })
    const { apiKey } = (await created.json()) as { apiKey: string }
    const post = (path: string, body: unknown) =>
      fetch(`${server.baseUrl}/~docs${path}`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const contactRes = await post('/contacts', { name: 'Ada', email: 'ada@example.com', stage: 'Lead' })
    expect(contactRes.status).toBe(201)
    const contact = (await contactRes.json()) as Json
    const schema = doc.components.schemas.Contact
    for (const key of Object.keys(contact)) expect(Object.keys(schema.properties), key).toContain(key)
    for (const key of schema.required) expect(contact, key).toHaveProperty(key)

    const bad = await post('/contacts', { name: 'No', email: 'not-an-email', nope: 1 })
    expect(bad.status).toBe(422)
    expect(bad.headers.get('content-type')).toContain('application/problem+json')
    const problem = (await bad.json()) as Json
    for (const key of doc.components.schemas.Problem.required) expect(problem).toHaveProperty(key)
    expect(Object.keys(problem.errors[0]).sort()).toEqual(['message', 'path'])
    expect(doc.paths['/contacts'].post.responses['422']).toEqual({ $ref: '#/components/responses/Unprocessable' })

    const twice = await post(`/contacts/${contact.$id}/qualify`, {})
    expect([200, 422]).toContain(twice.status)
  })
})

describe('GET /docs', () => {
  let browser: Browser
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    })
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
  })

  it('renders the document from this origin alone (the Worker and its static assets), with no request to another host', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    const requests: string[] = []
    const problems: string[] = []
    page.on('request', (r) => requests.push(r.url()))
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`)
    })
    const response = await page.goto(`${server.baseUrl}/docs`)
    expect(response?.status()).toBe(200)
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'")
    await page.locator('.swagger-ui .info .title').waitFor({ timeout: 30_000 })
    expect(await page.locator('.swagger-ui .info .title').textContent()).toContain('Revline API')
    await expect.poll(() => page.locator('.opblock-tag-section').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(nouns.all().length)
    expect(await page.locator('.servers select option').first().textContent()).toContain('/~{tenant}')
    mkdirSync('test-artifacts', { recursive: true })
    await page.screenshot({ path: 'test-artifacts/docs.png' })

    // Open the Contact tag: the qualify verb and the capture collection verb are there.
    await page.locator('.opblock-tag[data-tag="Contact"]').click()
    await page.locator('#operations-Contact-qualifyContact').waitFor()
    expect(await page.locator('#operations-Contact-captureContact .opblock-summary-path').textContent()).toContain('/contacts/capture')
    await page.locator('#operations-Contact-qualifyContact .opblock-summary').click()
    await page.locator('#operations-Contact-qualifyContact .responses-wrapper').waitFor()

    await page.screenshot({ path: 'test-artifacts/docs-verb.png' })

    const origin = new URL(server.baseUrl).origin
    const external = requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin)
    expect(external).toEqual([])
    expect(requests).toEqual(expect.arrayContaining([`${origin}/vendor/swagger-ui-dist/swagger-ui-bundle.js`, `${origin}/vendor/swagger-ui-dist/swagger-ui.css`, `${origin}/docs/init.js`, `${origin}/openapi.json`]))
    expect(problems).toEqual([])
    await context.close()
  }, 90_000)

  it("gets Swagger UI's files from the static assets, before the Worker runs", async () => {
    // Every answer of the Worker carries a request id (hono/request-id); the asset router's do not.
    const page = await fetch(`${server.baseUrl}/docs`)
    expect(page.headers.get('x-request-id')).toBeTruthy()
    for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
      const res = await fetch(`${server.baseUrl}/vendor/swagger-ui-dist/${file}`)
      expect(res.status, file).toBe(200)
      expect(res.headers.get('x-request-id'), file).toBeNull()
      expect(res.headers.get('x-content-type-options'), file).toBe('nosniff')
      expect(res.headers.get('cache-control'), file).toBe('public, max-age=3600')
      await res.arrayBuffer()
    }
    const missing = await fetch(`${server.baseUrl}/vendor/swagger-ui-dist/nope.js`)
    expect(missing.status).toBe(404)
    expect(missing.headers.get('content-type')).toContain('application/problem+json')
    // The assets' header rules are read, not served.
    expect((await fetch(`${server.baseUrl}/_headers`)).status).toBe(404)
  })
})

describe("a tenant's own document", () => {
  it('is a valid OpenAPI 3.1 document with the custom fields and nouns, under the tenant’s server', async () => {
    const created = await fetch(`${server.baseUrl}/tenants`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ slug: 'own-doc', name: 'Own Doc' }) })
    const { apiKey } = (await created.json()) as { apiKey: string }
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }
    const put = (name: string, body: object) => fetch(`${server.baseUrl}/~own-doc/nouns/${name}`, { method: 'PUT', headers, body: JSON.stringify(body) })
    expect((await put('Contact', { shoeSize: 'number#', tier: 'Gold | Silver', tags2: 'string[]' })).status).toBe(200)
    expect((await put('Project', { name: 'string!', code: 'string##', status: 'Draft | Active | Done = Draft', client: '-> Organization.projects', lead: '-> Lead', activate: 'Active', finish: 'Done' })).status).toBe(201)
    const own = (await (await fetch(`${server.baseUrl}/~own-doc/openapi.json`, { headers })).json()) as Json
    const result = await validate(structuredClone(own) as never)
    expect(result.valid ? [] : result.errors).toEqual([])
    expect(result.warnings).toEqual([])
    expect(own.servers[0].url).toBe('/~own-doc')
    expect(own.paths['/projects/{id}/activate'].post).toBeDefined()
    expect(own.components.schemas.Contact.properties.shoeSize).toBeDefined()
    expect(own.components.schemas.Organization.properties).toBeDefined()
  })
})
