/**
 * `GET /vendor/*`: browser files from npm packages (Swagger UI, the WebAuthn library), copied into
 * public/vendor/ by scripts/vendor-assets.mjs and served as static assets. On Cloudflare and under
 * `wrangler dev` the asset router answers these paths before the Worker runs; this route answers
 * where no router stands in front (the Workers test pool) by asking the assets binding, and turns
 * a missing file into the usual 404 problem.
 */
import { Hono } from 'hono'
import { AppError } from '../../domain/errors'
import type { AppEnv } from '../types'

export const vendor = new Hono<AppEnv>()

vendor.get('/vendor/*', async (c) => {
  const file = await c.env.ASSETS.fetch(c.req.raw)
  if (file.status === 404) throw new AppError('not_found', `no file ${c.req.path}`)
  return file
})
