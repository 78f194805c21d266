/** `GET /openapi.json` (generated from the nouns) and `GET /docs` (Swagger UI; its files are static assets under /vendor/). */
import { Hono } from 'hono'
import { openApiJson } from '../openapi/document'
import { DOCS_CSP, DOCS_INIT, DOCS_PAGE } from '../openapi/ui'
import type { AppEnv } from '../types'

export const docs = new Hono<AppEnv>()

docs.get('/openapi.json', (c) =>
  c.body(openApiJson(c.env.BASE_HOST), 200, { 'content-type': 'application/json; charset=utf-8', 'access-control-allow-origin': '*', 'cache-control': 'public, max-age=300' }),
)

docs.get('/docs', (c) => c.html(DOCS_PAGE, 200, { 'content-security-policy': DOCS_CSP, 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'same-origin' }))

docs.get('/docs/init.js', (c) => c.body(DOCS_INIT, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' }))
