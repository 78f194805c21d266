/** `createClient({ baseUrl, tenant, apiKey })`: every noun, the event log, pipeline reports and settings. */
import { createTransport, type ClientOptions, type Transport } from './http'
import { MANIFEST } from './manifest'
import { createNounClient } from './noun'
import { meClient, usersClient, type MeClient, type UsersClient } from './people'
import { manifestClient, nounsClient, type ManifestClient, type NounsClient } from './schema'
import { collectionResolver, createUntypedNoun, type CreateOf, type NounHandle, type UntypedEntity, type UpdateOf } from './untyped'
import type { SearchPage } from './types'
import { iterate, subscribe } from './feed'
import type { DateRange, EventPage, EventSubscription, FeedQuery, QueryParams, EventQuery, NounClient, NounName, PipelineFunnel, PipelineSummary, RevlineEvent, SubscribeOptions, WriteOptions } from './types'

export interface EventsClient {
  /** One page of the log: `{ data, next }`; pass `after: Number(next)` for the following page. */
  list(query?: EventQuery, options?: { signal?: AbortSignal }): Promise<EventPage>
  /** Every event matching the query from `after` on, page by page, up to now. */
  all(query?: EventQuery, options?: { signal?: AbortSignal }): AsyncIterableIterator<RevlineEvent>
  /**
   * Every matching event after `after` (the whole log without it), then new ones as they are
   * committed, read from the live stream and resumed by itself after a drop, until `signal` aborts
   * or the loop is left. A 401/403/400 ends it with that `RevlineError`.
   */
  follow(query?: Omit<EventQuery, 'limit'>, options?: { signal?: AbortSignal }): AsyncIterableIterator<RevlineEvent>
  /**
   * Follows the live feed (`GET /events/stream`) and calls `handler` for each matching event: one at a
   * time, in seq order, at least once. The cursor moves past an event only when its handler has
   * resolved; a handler that throws is reported to `onError` and retried on the same event after a
   * backoff. Drops, server closes and 429/5xx are resumed after the cursor (`Last-Event-ID`) with no
   * gap and no duplicate; 400/401/403 end it (`closed` rejects with the `RevlineError`).
   * Starts after `query.after`, else after `options.cursor.load()`, else at the log's head.
   */
  subscribe(query: FeedQuery, handler: (event: RevlineEvent) => unknown, options?: SubscribeOptions): EventSubscription
  /** Recomputes the log's hash chain (admin keys): `{ ok, count, head }`, or the first `seq` that does not verify. */
  verify(options?: { signal?: AbortSignal }): Promise<ChainVerification>
}

export type ChainVerification = { ok: true; count: number; head: string } | { ok: false; count: number; head: string; seq: number; reason: string }

export interface PipelineClient {
  /** Leads, deals by stage with value (major units, like every amount), weighted value, conversion rate, average score. */
  summary(range?: DateRange, options?: { signal?: AbortSignal }): Promise<PipelineSummary>
  funnel(range?: DateRange, options?: { signal?: AbortSignal }): Promise<PipelineFunnel>
  attribution(options?: { signal?: AbortSignal }): Promise<Record<string, unknown>>
  cycle(options?: { signal?: AbortSignal }): Promise<Record<string, unknown>>
  billing(options?: { signal?: AbortSignal }): Promise<Record<string, unknown>>
}

export type SettingsSection = 'automations' | 'tiers' | 'scoring' | 'capture' | 'templates' | 'webhooks' | 'dashboard' | (string & {})
export interface SettingsClient {
  get<T = unknown>(section: SettingsSection, options?: { signal?: AbortSignal }): Promise<T>
  /** Replaces the whole section (admin keys). */
  put<T = unknown>(section: SettingsSection, value: unknown, options?: WriteOptions): Promise<T>
}

export type RevlineClient = { readonly [N in NounName]: NounClient<N> } & {
  readonly events: EventsClient
  readonly pipeline: PipelineClient
  readonly settings: SettingsClient
  /**
   * Any noun of the tenant by name or collection (`'Project'`, `'projects'`), its own nouns included:
   * list/get/create/update/delete/restore/history and `verb(id, name, input?)`. Untyped unless given
   * types (`noun<Project, ProjectCreate>('Project')` with the ones `revline types` writes).
   */
  noun<E extends object = UntypedEntity, C extends object = CreateOf<E>, U extends object = UpdateOf<E>>(name: string): NounHandle<E, C, U>
  /** The tenant's schema in the Noun DSL: `list`, `get(name)`, `put(name, body, { drop })`, `delete(name, { drop })`. */
  readonly nouns: NounsClient
  /** The tenant's nouns, stages and settings as one document: `get()`, `put(doc, { dryRun })`. */
  readonly manifest: ManifestClient
  /**
   * Full-text search across every noun (case- and accent-insensitive, each word a prefix), best
   * matches first: `search('zoe fjord', { type: 'Contact' })`. Pass `next` as `cursor` for more.
   */
  search(q: string, options?: { type?: string; limit?: number; cursor?: string; signal?: AbortSignal }): Promise<SearchPage>
  /** Who this key is: the user (null for a service key), my sessions and my keys. */
  readonly me: MeClient
  /** Keys for users (admin keys). The users themselves: `client.User`. */
  readonly users: UsersClient
  /** Any other route under the tenant, with the same auth, retries and errors. */
  request<T = unknown>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, options?: { query?: QueryParams; json?: unknown; read?: 'json' | 'text' | 'stream' | 'none' }): Promise<T>
}

export function createClient(options: ClientOptions): RevlineClient {
  const transport = createTransport(options)
  return clientOver(() => transport)
}

/** A client whose transport is resolved per call (the default client binds to env or `configure`). */
export function clientOver(transport: () => Transport): RevlineClient {
  const client: Record<string, unknown> = {}
  for (const name of Object.keys(MANIFEST) as NounName[]) client[name] = createNounClient(name, transport)
  client.events = eventsClient(transport)
  client.pipeline = pipelineClient(transport)
  const collections = collectionResolver(transport)
  client.noun = (name: string) => createUntypedNoun(name, transport, collections)
  client.nouns = nounsClient(transport, (name) => collections.forget(name))
  client.manifest = manifestClient(transport, () => collections.forget())
  client.search = (q: string, options: { type?: string; limit?: number; cursor?: string; signal?: AbortSignal } = {}) =>
    transport().request({ method: 'GET', path: '/search', query: { q, type: options.type, limit: options.limit, cursor: options.cursor }, ...signalOf(options) })
  client.me = meClient(transport)
  client.users = usersClient(transport)
  client.settings = {
    get: (section: string, options: { signal?: AbortSignal } = {}) => transport().request({ method: 'GET', path: `/settings/${encodeURIComponent(section)}`, ...signalOf(options) }),
    put: (section: string, value: unknown, options: WriteOptions = {}) =>
      transport().request({ method: 'PUT', path: `/settings/${encodeURIComponent(section)}`, json: value, ...signalOf(options), ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}) }),
  } satisfies SettingsClient
  client.request = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, options: { query?: QueryParams; json?: unknown; read?: 'json' | 'text' | 'stream' | 'none' } = {}) =>
    transport().request({ method, path: path.startsWith('/') ? path : `/${path}`, ...options })
  return Object.freeze(client) as RevlineClient
}

const signalOf = (options: { signal?: AbortSignal }) => (options.signal ? { signal: options.signal } : {})

export function eventsClient(transport: () => Transport): EventsClient {
  const list = (query: EventQuery = {}, options: { signal?: AbortSignal } = {}) =>
    transport().request<EventPage>({ method: 'GET', path: '/events', query: { ...query }, ...signalOf(options) })

  async function* all(query: EventQuery = {}, options: { signal?: AbortSignal } = {}): AsyncGenerator<RevlineEvent, void, undefined> {
    let after = query.after
    for (;;) {
      const page = await list({ ...query, ...(after !== undefined ? { after } : {}) }, options)
      yield* page.data
      if (!page.next || page.data.length === 0) return
      after = Number(page.next)
    }
  }

  // Stream rather than poll: new events arrive as they commit, and the server resumes a dropped
  // connection from the last event handed out. Without `after` it starts at 0, as the polling one did.
  const follow = (query: Omit<EventQuery, 'limit'> = {}, options: { signal?: AbortSignal } = {}) =>
    iterate(transport, { type: query.type, entity: query.entity, actor: query.actor, after: query.after ?? 0 }, options)

  const subscribeTo = (query: FeedQuery, handler: (event: RevlineEvent) => unknown, options?: SubscribeOptions) => subscribe(transport, query ?? {}, handler, options)

  const verify = (options: { signal?: AbortSignal } = {}) => transport().request<ChainVerification>({ method: 'GET', path: '/events/verify', ...signalOf(options) })

  return { list, all, follow, subscribe: subscribeTo, verify }
}

function pipelineClient(transport: () => Transport): PipelineClient {
  const report =
    <T>(name: string) =>
    (range: DateRange = {}, options: { signal?: AbortSignal } = {}) =>
      transport().request<T>({ method: 'GET', path: `/pipeline/${name}`, query: { dateFrom: range.dateFrom, dateTo: range.dateTo }, ...signalOf(options) })
  const plain =
    (name: string) =>
    (options: { signal?: AbortSignal } = {}) =>
      transport().request<Record<string, unknown>>({ method: 'GET', path: `/pipeline/${name}`, ...signalOf(options) })
  return { summary: report<PipelineSummary>('summary'), funnel: report<PipelineFunnel>('funnel'), attribution: plain('attribution'), cycle: plain('cycle'), billing: plain('billing') }
}
