/** The HTTP front door: operator routes, then every tenant route under `/~{slug}`. */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { requestId } from 'hono/request-id'
import { AppError } from '../domain/errors'
import { handleError } from './errors'
import { collections } from './routes/collections'
import { documents } from './routes/documents'
import { events } from './routes/events'
import { operator } from './routes/operator'
import { settings } from './routes/settings'
import { tenantContext } from './tenant'
import type { AppEnv } from './types'

/** Request bodies above this are refused with 413 before anything reads them. */
export const MAX_BODY_BYTES = 1024 * 1024

export function createApp() {
  const app = new Hono<AppEnv>()
  app.use(requestId())
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new AppError('payload_too_large', `bodies are limited to ${MAX_BODY_BYTES} bytes`)
      },
    }),
  )
  app.onError(handleError)
  app.notFound((c) => {
    throw new AppError('not_found', `no route for ${c.req.method} ${c.req.path}`)
  })

  app.get('/', (c) => c.json({ name: 'Revline', docs: 'see README.md', tenants: '/~{slug}/…' }))
  app.route('/', operator)

  const tenant = new Hono<AppEnv>()
  tenant.use(tenantContext)
  tenant.route('/', events)
  tenant.route('/', settings)
  tenant.route('/', documents)
  tenant.route('/', collections)
  app.route('/:tenant{~[a-z0-9-]+}', tenant)
  return app
}
