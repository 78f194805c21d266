/** `GET /events?type=deal.won&entity={id}&actor={key}&after={seq}&limit=50`: the tenant's event log. */
import { Hono } from 'hono'
import { z } from 'zod'
import { AppError } from '../../domain/errors'
import { toFieldErrors } from '../../domain/noun/validators'
import { wholeNumberParam } from '../query-text'
import type { AppEnv } from '../types'

const EventsQuery = z.strictObject({
  type: z.string().regex(/^[a-z][a-z0-9-]*\.([a-z][a-z0-9-]*|\*)$/, 'is an event type such as deal.won or deal.*').optional(),
  entity: z.string().max(64).optional(),
  actor: z.string().max(128).optional(),
  after: wholeNumberParam(0, Number.MAX_SAFE_INTEGER).optional(),
  limit: wholeNumberParam(1, 500).default(100),
})

export const events = new Hono<AppEnv>()

events.get('/events', async (c) => {
  const parsed = EventsQuery.safeParse(c.req.query())
  if (!parsed.success) throw new AppError('invalid_query', 'the query is not valid', toFieldErrors(parsed.error))
  return c.json(await c.var.tenant.run({ kind: 'events', query: parsed.data }))
})
