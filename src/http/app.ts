/** The HTTP front door: operator routes, then every tenant route under `/~{slug}`. */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { requestId } from 'hono/request-id'
import { randomBase62 } from '../domain/ids'
import { AppError } from '../domain/errors'
import { dashboard } from '../dashboard/routes'
import { signInPages } from '../dashboard/sign-in'
import { passkeyPages } from '../dashboard/passkeys'
import { methodNotAllowed } from './allow'
import { handleError } from './errors'
import { backups } from './routes/backups'
import { bulk } from './routes/bulk'
import { privacy } from './routes/privacy'
import { collections } from './routes/collections'
import { jobs } from './routes/jobs'
import { keys } from './routes/keys'
import { mcp } from './routes/mcp'
import { pipeline } from './routes/pipeline'
import { leadScores } from './routes/lead-scores'
import { publicRoutes } from './routes/public'
import { people } from './routes/people'
import { myPasskeys, passkeySignIn } from './routes/passkeys'
import { signInRoutes } from './routes/sign-in'
import { sourcesAdmin } from './routes/sources'
import { documents } from './routes/documents'
import { events } from './routes/events'
import { search } from './routes/search'
import { operator } from './routes/operator'
import { docs } from './routes/docs'
import { vendor } from './routes/vendor'
import { nounRoutes } from './routes/nouns'
import { settings } from './routes/settings'
import { cleanQuery } from './query-text'
import { tenantContext } from './tenant'
import type { AppEnv } from './types'

/** Request bodies above this are refused with 413 before anything reads them. */
export const MAX_BODY_BYTES = 1024 * 1024

export function createApp() {
  const app = new Hono<AppEnv>()
  // A request's id is stored in every event it appends: `req_` and 16 base62 characters (95 random
  // bits) instead of a 36-character UUID keep that column small. A client's own `X-Request-Id` wins.
  app.use(requestId({ generator: () => `req_${randomBase62(16)}` }))
  const defaultLimit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new AppError('payload_too_large', `bodies are limited to ${MAX_BODY_BYTES} bytes`)
    },
  })
  // Imports carry files and set their own, larger limit (src/http/routes/bulk.ts).
  app.use((c, next) => (c.req.method === 'POST' && c.req.path.endsWith('/import') ? next() : defaultLimit(c, next)))
  app.onError((error, c) => {
    const wrongMethod = methodNotAllowed(error, c.req.method, c.req.path)
    return wrongMethod ? handleError(wrongMethod.error, c, { allow: wrongMethod.allow }) : handleError(error, c)
  })
  app.notFound((c) => {
    throw new AppError('not_found', `no route for ${c.req.method} ${c.req.path}`)
  })

  app.get('/', (c) => c.json({ name: 'Revline', docs: '/docs', openapi: '/openapi.json', tenants: '/~{slug}/…' }))
  app.route('/', operator)
  app.route('/', docs)
  app.route('/', vendor)

  const tenantPath = '/:tenant{~[a-z0-9-]+}'
  // Public routes first: they answer without a key, before the key check below runs.
  app.route(tenantPath, publicRoutes)
  app.route(tenantPath, signInRoutes)
  app.route(tenantPath, passkeySignIn)
  // The dashboard authenticates with its session cookie, not a Bearer key.
  app.route(tenantPath, dashboard)
  app.route(tenantPath, signInPages)
  // After the dashboard: its `/dashboard/*` middleware (security headers, Origin check) covers these pages too.
  app.route(tenantPath, passkeyPages)
  const tenant = new Hono<AppEnv>()
  tenant.use(tenantContext)
  // After the key check's middleware, so a refused query still answers 401 to a caller without a key.
  tenant.use(cleanQuery)
  tenant.route('/', events)
  tenant.route('/', backups)
  tenant.route('/', search)
  tenant.route('/', settings)
  tenant.route('/', nounRoutes)
  tenant.route('/', keys)
  tenant.route('/', people)
  tenant.route('/', myPasskeys)
  tenant.route('/', jobs)
  tenant.route('/', mcp)
  tenant.route('/', pipeline)
  tenant.route('/', sourcesAdmin)
  tenant.route('/', documents)
  tenant.route('/', leadScores)
  tenant.route('/', privacy)
  tenant.route('/', bulk)
  tenant.route('/', collections)
  app.route(tenantPath, tenant)
  return app
}
