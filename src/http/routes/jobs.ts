/** `GET /jobs` (runs), `GET /jobs/dead` (dead letters), `GET /webhooks/deliveries` (outbound delivery log). Admin. */
import { Hono } from 'hono'
import { z } from 'zod'
import { AppError } from '../../domain/errors'
import { toFieldErrors } from '../../domain/noun/validators'
import { requires } from '../tenant'
import { wholeNumberParam } from '../query-text'
import type { AppEnv } from '../types'

const Limit = z.strictObject({ limit: wholeNumberParam(1, 500).default(100) })

export const jobs = new Hono<AppEnv>()

function limitOf(query: Record<string, string>) {
  const parsed = Limit.safeParse(query)
  if (!parsed.success) throw new AppError('invalid_query', 'the query is not valid', toFieldErrors(parsed.error))
  return parsed.data.limit
}

jobs.get('/jobs', requires('admin'), async (c) => c.json(await c.var.tenant.run({ kind: 'jobs.runs', limit: limitOf(c.req.query()) })))
jobs.get('/jobs/dead', requires('admin'), async (c) => c.json(await c.var.tenant.run({ kind: 'jobs.dead', limit: limitOf(c.req.query()) })))
jobs.get('/webhooks/deliveries', requires('admin'), async (c) => c.json(await c.var.tenant.run({ kind: 'webhooks.deliveries', limit: limitOf(c.req.query()) })))
