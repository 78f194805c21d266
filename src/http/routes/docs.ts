/** `GET /openapi.json` (generated from the nouns) and `GET /docs` (Swagger UI, served from this Worker). */
import { Hono } from 'hono'
import { AppError } from '../../domain/errors'
import { openApiJson } from '../openapi/document'
import type { AppEnv } from '../types'

export const docs = new Hono<AppEnv>()

/** Swagger UI's 1.7 MB bundle is loaded on the first docs request, not with every isolate's routes. */
const ui = () => import('../openapi/ui')

docs.get('/openapi.json', (c) =>
  c.body(openApiJson(c.env.BASE_HOST), 200, { 'content-type': 'application/json; charset=utf-8', 'access-control-allow-origin': '*', 'cache-control': 'public, max-age=300' }),
)

docs.get('/docs', async (c) => {
  const { DOCS_CSP, DOCS_PAGE } = await ui()
  return c.html(DOCS_PAGE, 200, { 'content-security-policy': DOCS_CSP, 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'same-origin' })
})

docs.get('/docs/:asset', async (c) => {
  const { DOCS_ASSETS } = await ui()
  const name = c.req.param('asset')
  const asset = Object.hasOwn(DOCS_ASSETS, name) ? DOCS_ASSETS[name] : undefined
  if (!asset) throw new AppError('not_found', `no docs asset '${name}'`)
  return c.body(asset.body, 200, { 'content-type': asset.type, 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' })
})
