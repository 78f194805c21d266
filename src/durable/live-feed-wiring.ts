/** What the live feed needs from its surroundings: limits from the environment, the log, socket messages. */
import { z } from 'zod'
import { eventFilterFields } from '../domain/event-filter'
import { toFieldErrors } from '../domain/noun/validators'
import type { Db } from './db'
import { listEvents, logHead } from './event-log'
import type { FeedCredentials, FeedLimits, FeedLog, FeedSubscription } from './live-feed'

const positive = (value: string | undefined, fallback: number) => {
  const n = Number(value)
  return Number.isSafeInteger(n) && n > 0 ? n : fallback
}

/** FEED_CONNECTIONS_PER_KEY (100), FEED_CONNECTIONS_PER_TENANT (1,000), FEED_HEARTBEAT_SECONDS (15). */
export function feedLimits(env: Partial<Record<'FEED_CONNECTIONS_PER_KEY' | 'FEED_CONNECTIONS_PER_TENANT' | 'FEED_HEARTBEAT_SECONDS', string>>): FeedLimits {
  return {
    perPrincipal: positive(env.FEED_CONNECTIONS_PER_KEY, 100),
    perTenant: positive(env.FEED_CONNECTIONS_PER_TENANT, 1000),
    heartbeatMs: positive(env.FEED_HEARTBEAT_SECONDS, 15) * 1000,
  }
}

export function feedLog(db: Db, sql: SqlStorage): FeedLog {
  return {
    page: (filter, after, limit) => listEvents(db, { ...filter, after, limit }).data,
    head: () => logHead(sql),
  }
}

/** `{ "op": "subscribe", "type"?: "deal.*", "entity"?, "actor"?, "after"?: seq }`: the socket's feed from there on. */
const SocketMessage = z.strictObject({
  op: z.literal('subscribe'),
  ...eventFilterFields,
  after: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
})

type Parsed = { subscription: FeedSubscription } | { error: { status: number; detail: string; errors?: { path: string; message: string }[] } }

export function parseSocketMessage(message: string | ArrayBuffer): Parsed {
  if (typeof message !== 'string' || message.length > 4096) return { error: { status: 400, detail: 'a message is a JSON text of at most 4,096 characters' } }
  let json: unknown
  try {
    json = JSON.parse(message)
  } catch {
    return { error: { status: 400, detail: 'a message is JSON: {"op":"subscribe","type":"deal.*","after":0}' } }
  }
  const parsed = SocketMessage.safeParse(json)
  if (!parsed.success) return { error: { status: 422, detail: 'the message is not a valid subscribe', errors: toFieldErrors(parsed.error) } }
  const { op: _op, after, ...filter } = parsed.data
  return { subscription: { filter, ...(after !== undefined ? { after } : {}) } }
}

/**
 * What the edge's feed request carries (src/http/tenant.ts, openFeed): the credentials' hashes (only
 * they are kept with the connection, to check it again), the validated subscription, the transport,
 * and whether the client offered the `revline` subprotocol.
 */
export function readFeedRequest(request: Request): { credentials: FeedCredentials; subscription: FeedSubscription; socket: boolean; offersRevline: boolean } {
  const given = JSON.parse(request.headers.get('x-revline-credentials') ?? '{}') as FeedCredentials
  const credentials = { ...(given.keyHash ? { keyHash: given.keyHash } : {}), ...(given.sessionHash ? { sessionHash: given.sessionHash } : {}) }
  const subscription = JSON.parse(request.headers.get('x-revline-subscription') ?? '{}') as FeedSubscription
  const offersRevline = request.headers.get('sec-websocket-protocol')?.split(',').some((p) => p.trim() === 'revline') ?? false
  return { credentials, subscription, socket: new URL(request.url).pathname === '/feed/socket', offersRevline }
}
