/**
 * The tenant's event log: `GET /events?type=deal.won&entity={id}&actor={key}&after={seq}&limit=50`
 * pages through it; `GET /events/stream` (Server-Sent Events) and `GET /events/ws` (WebSocket) follow
 * it live, resuming after a seq with no gap and no duplicate (src/durable/live-feed.ts); `GET
 * /events/verify` checks the log's hash chain.
 */
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { AppError } from '../../domain/errors'
import { eventFilterFields } from '../../domain/event-filter'
import { toFieldErrors } from '../../domain/noun/validators'
import type { FeedSubscription } from '../../durable/live-feed'
import { wholeNumberParam } from '../query-text'
import type { AppEnv } from '../types'

const seq = () => wholeNumberParam(0, Number.MAX_SAFE_INTEGER)

const EventsQuery = z.strictObject({ ...eventFilterFields, after: seq().optional(), limit: wholeNumberParam(1, 500).default(100) })
const FeedQuery = z.strictObject({ ...eventFilterFields, after: seq().optional() })

export const events = new Hono<AppEnv>()

events.get('/events', async (c) => {
  const parsed = EventsQuery.safeParse(c.req.query())
  if (!parsed.success) throw new AppError('invalid_query', 'the query is not valid', toFieldErrors(parsed.error))
  return c.json(await c.var.tenant.run({ kind: 'events', query: parsed.data }))
})

/** Admins: recompute the hash chain over the whole log (it is read in pages, never held whole). */
events.get('/events/verify', async (c) => c.json(await c.var.tenant.run({ kind: 'events.verify' })))

events.get('/events/stream', async (c) => {
  const response = await c.var.tenant.openFeed('stream', subscriptionOf(c))
  return new Response(response.body, { status: response.status, headers: response.headers })
})

events.get('/events/ws', async (c) => {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
    await c.var.tenant.authenticate()
    throw new AppError('upgrade_required', 'this is a WebSocket endpoint: connect with Upgrade: websocket (or read /events/stream as Server-Sent Events)')
  }
  return c.var.tenant.openFeed('socket', subscriptionOf(c))
})

/** The URL's filter and position; a reconnecting EventSource's `Last-Event-ID` wins over `after`. */
function subscriptionOf(c: Context<AppEnv>): FeedSubscription {
  const parsed = FeedQuery.safeParse(c.req.query())
  if (!parsed.success) throw new AppError('invalid_query', 'the query is not valid', toFieldErrors(parsed.error))
  const { after, ...filter } = parsed.data
  const lastEventId = c.req.header('last-event-id')
  if (lastEventId !== undefined && lastEventId !== '') {
    const resumed = seq().safeParse(lastEventId.trim())
    if (!resumed.success) throw new AppError('bad_request', 'Last-Event-ID must be the seq of the last event received', [{ path: 'Last-Event-ID', message: 'must be a whole number' }])
    return { filter, after: resumed.data }
  }
  return { filter, ...(after !== undefined ? { after } : {}) }
}
