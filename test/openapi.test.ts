/**
 * The OpenAPI document and the docs page inside the Workers runtime: the document is served and
 * cached; the page comes from the Worker, Swagger UI's files from the static assets (public/vendor/,
 * copied from swagger-ui-dist: test/structure/vendor-assets.test.ts; the Worker hands /vendor/* to its
 * ASSETS binding here, where no asset router stands in front of it).
 */
import { describe, expect, it } from 'vitest'
import { request } from './helpers'

describe('GET /openapi.json and /docs', () => {
  it('serves the generated document, the same text every time', async () => {
    const first = await request('GET', '/openapi.json')
    expect(first.status).toBe(200)
    expect(first.headers.get('content-type')).toContain('application/json')
    expect(first.body.openapi).toBe('3.1.0')
    expect(first.body.paths['/contacts/{id}/qualify'].post.operationId).toBe('qualifyContact')
    const second = await request('GET', '/openapi.json')
    expect(second.body).toEqual(first.body)
  }, 30_000)

  it("serves the page with its CSP, its start-up script, and Swagger UI's files from this origin", { timeout: 30_000 }, async () => {
    const page = await request('GET', '/docs')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(page.body).not.toMatch(/https?:\/\//)
    const sources = [...String(page.body).matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1])
    expect(sources).toEqual(['/vendor/swagger-ui-dist/swagger-ui.css', '/vendor/swagger-ui-dist/swagger-ui-bundle.js', '/docs/init.js'])

    const bundle = await request('GET', '/vendor/swagger-ui-dist/swagger-ui-bundle.js')
    expect(bundle.status).toBe(200)
    expect(bundle.headers.get('content-type')).toContain('javascript')
    expect(bundle.headers.get('x-content-type-options')).toBe('nosniff')
    expect(bundle.headers.get('cache-control')).toBe('public, max-age=3600')
    expect(String(bundle.body)).toContain('SwaggerUIBundle')
    const css = await request('GET', '/vendor/swagger-ui-dist/swagger-ui.css')
    expect(css.status).toBe(200)
    expect(css.headers.get('content-type')).toContain('text/css')
    expect(String(css.body)).not.toContain('sourceMappingURL')
    const init = await request('GET', '/docs/init.js')
    expect(init.headers.get('content-type')).toContain('javascript')
    expect(String(init.body)).toContain("url: '/openapi.json'")

    for (const path of ['/docs/__proto__', '/docs/nope.js', '/docs/swagger-ui-bundle.js', '/vendor/nope.js', '/vendor/swagger-ui-dist/swagger-ui.css.map']) {
      const missing = await request('GET', path)
      expect(missing.status, path).toBe(404)
      expect(missing.headers.get('content-type'), path).toContain('application/problem+json')
    }
  })
})

describe('Request bodies in the document', () => {
  /** Every `default` keyword reachable from `schema` (through $refs), as JSON-pointer-ish paths. */
  function defaultsIn(schema: unknown, doc: any, at: string, seen = new Set<string>()): string[] {
    if (Array.isArray(schema)) return schema.flatMap((s, i) => defaultsIn(s, doc, `${at}[${i}]`, seen))
    if (!schema || typeof schema !== 'object') return []
    const node = schema as Record<string, unknown>
    if (typeof node.$ref === 'string') {
      if (seen.has(node.$ref)) return []
      seen.add(node.$ref)
      const target = node.$ref.replace('#/', '').split('/').reduce((o: any, k) => o?.[k], doc)
      return defaultsIn(target, doc, `${at}→${node.$ref.split('/').at(-1)}`, seen)
    }
    return Object.entries(node).flatMap(([key, value]) => {
      if (key === 'properties') return Object.entries(value as object).flatMap(([name, s]) => defaultsIn(s, doc, `${at}.${name}`, seen))
      if (key === 'default') return [at]
      if (['enum', 'const', 'examples', 'example', 'description'].includes(key)) return []
      return defaultsIn(value, doc, at, seen)
    })
  }

  it('carry no `default`, so generated clients keep defaulted fields optional; the default is said in words', async () => {
    const doc = (await request('GET', '/openapi.json')).body
    const found: string[] = []
    let bodies = 0
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(item)) {
        if (!op?.requestBody) continue
        bodies++
        found.push(...defaultsIn(op.requestBody, doc, `${method.toUpperCase()} ${path}`))
      }
    }
    expect(bodies).toBeGreaterThan(50)
    expect(found).toEqual([])
    expect(doc.components.schemas.DealCreate.properties.currency.description).toContain('Defaults to `"USD"` when omitted.')
    // Entities as read do carry it: a stored deal always has a currency.
    expect(doc.components.schemas.Deal.properties.currency.default).toBe('USD')
  })
})
