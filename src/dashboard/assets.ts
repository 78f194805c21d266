/**
 * `GET /dashboard/assets/{name}`: the dashboard's scripts, served by the Worker from this origin (the
 * CSP allows no other host, and the pages load each with their response's nonce). No session is
 * needed: the sign-in page loads the passkey scripts too, and none holds anything of a tenant.
 *   passkeys.js               the passkey pages (passkey-script.ts; their library is a static asset)
 *   live.js                   pages that follow the live feed (live-script.ts)
 */
import { Hono } from 'hono'
import { AppError } from '../domain/errors'
import type { AppEnv } from '../http/types'
import { LIVE_SCRIPT } from './live-script'
import { PASSKEY_ASSETS } from './passkey-script'

const ASSETS: Record<string, string> = { ...PASSKEY_ASSETS, 'live.js': LIVE_SCRIPT }

export const assetPath = (tenant: string, name: string) => `/~${tenant}/dashboard/assets/${name}`

export const assetRoutes = new Hono<AppEnv>()

assetRoutes.get('/dashboard/assets/:name', (c) => {
  const name = c.req.param('name')
  const body = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined
  if (body === undefined) throw new AppError('not_found', `no dashboard asset '${name}'`)
  return c.body(body, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300', 'x-content-type-options': 'nosniff' })
})
