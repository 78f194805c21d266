/**
 * The OpenAPI document and the docs page inside the Workers runtime: the document is served and
 * cached, and Swagger UI's files (text modules, wrangler.toml [[rules]]) come from the Worker.
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

  it('serves the page and its assets from the Worker', { timeout: 30_000 }, async () => {
    const page = await request('GET', '/docs')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(page.body).toContain('/docs/swagger-ui-bundle.js')
    expect(page.body).not.toMatch(/https?:\/\//)
    const bundle = await request('GET', '/docs/swagger-ui-bundle.js')
    expect(bundle.status).toBe(200)
    expect(bundle.headers.get('content-type')).toContain('javascript')
    expect(String(bundle.body)).toContain('SwaggerUIBundle')
    expect(String(bundle.body).length).toBeGreaterThan(500_000)
    const css = await request('GET', '/docs/swagger-ui.css')
    expect(css.status).toBe(200)
    expect(String(css.body)).toContain('.swagger-ui')
    expect(String(css.body)).not.toContain('sourceMappingURL')
    expect((await request('GET', '/docs/__proto__')).status).toBe(404)
    expect((await request('GET', '/docs/nope.js')).status).toBe(404)
  })
})
