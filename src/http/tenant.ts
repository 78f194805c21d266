/**
 * Tenant resolution and authentication at the edge. The slug comes from the `/~{slug}` path (host
 * form is rewritten to it in worker.ts); the key is hashed here and checked inside the tenant's own
 * object, so a key of tenant A can never be accepted by tenant B.
 */
import { createMiddleware } from 'hono/factory'
import { AppError } from '../domain/errors'
import { sha256Hex } from './crypto'
import type { Outcome } from '../durable/operations'
import type { AppEnv } from './types'

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/

export const tenantContext = createMiddleware<AppEnv>(async (c, next) => {
  const slug = (c.req.param('tenant') ?? '').slice(1)
  if (!SLUG_PATTERN.test(slug)) throw new AppError('not_found', 'tenant not found')
  const key = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1]
  if (!key) throw new AppError('unauthorized', 'send the API key as Authorization: Bearer <key>')
  const credentials = { keyHash: await sha256Hex(key), requestId: c.get('requestId') }
  const stub = c.env.TENANT.getByName(slug)
  c.set('tenant', {
    slug,
    async run(op) {
      const outcome = (await stub.call(credentials, op)) as Outcome
      if (!outcome.ok) throw new AppError(outcome.failure.code, outcome.failure.detail, outcome.failure.errors)
      return outcome.value as never
    },
  })
  await next()
})
