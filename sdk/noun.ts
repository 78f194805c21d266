/** One noun's client: CRUD, reads, cursor iteration, its verbs (both call forms) and its hooks (events followed live; "before" hooks refused). */
import { ServerSideHookError } from './errors'
import { subscribe } from './feed'
import type { Transport } from './http'
import { MANIFEST } from './manifest'
import type {
  AllOptions,
  Entity,
  EventSubscription,
  FeedQuery,
  HookOptions,
  RevlineEvent,
  ExportOptions,
  FindOptions,
  GetOptions,
  HistoryEntry,
  ImportBody,
  ImportOptions,
  ImportReport,
  ListOptions,
  NounClient,
  NounName,
  Page,
  QueryParams,
  Sort,
  VersionedWriteOptions,
  WriteOptions,
} from './types'

/**
 * A hook on the client: follows one event type and calls `handler(event.after, event)`, the entity as
 * the verb left it. Typed and untyped nouns share it.
 */
export function hookSubscription(
  transport: () => Transport,
  type: string | (() => Promise<string>),
  handler: (entity: any, event: any) => unknown,
  options: HookOptions,
): EventSubscription {
  if (typeof handler !== 'function') throw new TypeError('a hook takes a handler: Deal.won(async (deal, event) => { … })')
  const { entity, actor, after, ...rest } = options
  const filter = (t: string): FeedQuery => ({ type: t, ...(entity !== undefined ? { entity } : {}), ...(actor !== undefined ? { actor } : {}), ...(after !== undefined ? { after } : {}) })
  return subscribe(transport, typeof type === 'string' ? filter(type) : async () => filter(await type()), (event) => handler(event.after, event), rest)
}

/** The server's largest page. */
export const MAX_PAGE = 200

type AnyEntity = Record<string, unknown> & { $id: string }

export function sortParam(sort: Sort<NounName> | undefined): string | undefined {
  if (sort === undefined) return undefined
  if (typeof sort === 'string') return sort
  if (Array.isArray(sort)) return sort.join(',')
  return Object.entries(sort as Record<string, string | undefined>)
    .filter(([, dir]) => dir !== undefined)
    .map(([field, dir]) => (dir === 'desc' ? `-${field}` : field))
    .join(',')
}

export function listQuery(filter: object | undefined, options: { sort?: unknown; limit?: number; cursor?: string; page?: number; query?: QueryParams }): QueryParams {
  const hasFilter = filter !== undefined && Object.keys(filter).length > 0
  return {
    ...options.query,
    ...(hasFilter ? { filter: JSON.stringify(filter) } : {}),
    sort: sortParam(options.sort as Sort<NounName> | undefined),
    limit: options.limit,
    cursor: options.cursor,
    page: options.page,
  }
}

export const idPath = (id: string) => {
  if (typeof id !== 'string' || id === '') throw new TypeError(`expected an entity id, got ${JSON.stringify(id)}`)
  return encodeURIComponent(id)
}

/** Every match of a paged list, page after page along the cursor (typed and untyped nouns share it). */
export async function* collectAll<E, F, S>(
  list: (filter: F | undefined, options: { sort?: S; limit?: number; cursor?: string; query?: QueryParams; signal?: AbortSignal }) => Promise<Page<E>>,
  filter: F | undefined,
  options: { sort?: S; pageSize?: number; limit?: number; query?: QueryParams; signal?: AbortSignal },
): AsyncGenerator<E, void, undefined> {
  const pageSize = Math.min(MAX_PAGE, Math.max(1, options.pageSize ?? 100))
  let remaining = options.limit ?? Infinity
  let cursor: string | undefined
  while (remaining > 0) {
    const page = await list(filter, {
      ...(options.sort ? { sort: options.sort } : {}),
      ...(options.query ? { query: options.query } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      limit: Math.min(pageSize, remaining),
      ...(cursor ? { cursor } : {}),
    })
    for (const entity of page.data) {
      yield entity
      if (--remaining <= 0) return
    }
    if (!page.next || page.data.length === 0) return
    cursor = page.next
  }
}

/** The request fields a write's options set: its idempotency key, abort signal and `If-Match`. */
export const writeOptions = (options: WriteOptions | VersionedWriteOptions | undefined) => ({
  ...(options?.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
  ...(options?.signal ? { signal: options.signal } : {}),
  ...(options && 'ifMatch' in options && options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : {}),
})

export function createNounClient<N extends NounName>(name: N, transport: () => Transport): NounClient<N> {
  const spec = MANIFEST[name]
  const base = `/${spec.plural}`
  type E = Entity<N>

  const list = (filter?: object, options: ListOptions<N> = {}) =>
    transport().request<Page<E>>({ method: 'GET', path: base, query: listQuery(filter, options), ...(options.signal ? { signal: options.signal } : {}) })

  const all = (filter?: object, options: AllOptions<N> = {}) => collectAll(list, filter, options)

  const client: Record<string, unknown> = {
    name,
    plural: spec.plural,

    get: (id: string, options: GetOptions<string> = {}) =>
      transport().request({
        method: 'GET',
        path: `${base}/${idPath(id)}`,
        query: {
          include: options.include?.length ? options.include.join(',') : undefined,
          asOf: options.asOf instanceof Date ? options.asOf.toISOString() : options.asOf,
        },
        ...(options.signal ? { signal: options.signal } : {}),
      }),

    find: async (filter?: object, options: FindOptions<N> = {}) => {
      const out: E[] = []
      for await (const entity of all(filter, { ...options, pageSize: MAX_PAGE })) out.push(entity)
      return out
    },

    list,
    all,

    count: async (filter?: object, options: { query?: QueryParams; signal?: AbortSignal } = {}) =>
      (await list(filter, { limit: 1, ...options })).total,

    history: async (id: string, options: { signal?: AbortSignal } = {}) =>
      (await transport().request<{ data: HistoryEntry<N>[] }>({ method: 'GET', path: `${base}/${idPath(id)}/history`, ...(options.signal ? { signal: options.signal } : {}) })).data,

    export: (options: ExportOptions = {}) =>
      transport().request<ReadableStream<Uint8Array>>({
        method: 'GET',
        path: `${base}/export`,
        query: { format: options.format ?? 'ndjson' },
        read: 'stream',
        ...(options.signal ? { signal: options.signal } : {}),
      }),
  }

  const write = writeOptions

  if (spec.crud.create) {
    client.create = (input: object, options?: WriteOptions) => transport().request({ method: 'POST', path: base, json: input, ...write(options) })
    client.import = (body: ImportBody, options: ImportOptions) => importInto(transport(), base, body, options)
  }
  if (spec.crud.update)
    client.update = (id: string, input: object, options?: VersionedWriteOptions) => transport().request({ method: 'PATCH', path: `${base}/${idPath(id)}`, json: input, ...write(options) })
  if (spec.crud.delete) {
    client.delete = (id: string, options?: VersionedWriteOptions) => transport().request({ method: 'DELETE', path: `${base}/${idPath(id)}`, read: 'none', ...write(options) })
    client.restore = (id: string, options?: WriteOptions) => transport().request({ method: 'POST', path: `${base}/${idPath(id)}/restore`, ...write(options) })
  }

  for (const [verb, verbSpec] of Object.entries(spec.verbs as Record<string, { scope: 'instance' | 'collection' }>)) {
    if (verbSpec.scope === 'collection') {
      client[verb] = (input?: object, options?: WriteOptions) => transport().request({ method: 'POST', path: `${base}/${verb}`, json: input ?? {}, ...write(options) })
      continue
    }
    client[verb] = (first: string | (AnyEntity & { id?: string }), second?: object, third?: VersionedWriteOptions) => {
      let id: unknown
      let input: object = {}
      let options: VersionedWriteOptions | undefined
      if (typeof first === 'string') {
        id = first
        input = second ?? {}
        options = third
      } else if (first && typeof first === 'object') {
        const { id: given, ...rest } = first
        id = given
        input = rest
        options = second as VersionedWriteOptions | undefined
      }
      if (typeof id !== 'string' || id === '') throw new TypeError(`${name}.${verb} needs an id: ${name}.${verb}('${spec.idPrefix}_…') or ${name}.${verb}({ id: '${spec.idPrefix}_…' })`)
      return transport().request({ method: 'POST', path: `${base}/${idPath(id)}/${verb}`, json: input, ...write(options) })
    }
  }

  // Past tenses follow the noun's events from here (`Deal.won(fn)` → `deal.won`). One can equal its
  // verb (read → read): the verb wins, and `events.subscribe({ type: 'message.read' })` follows it.
  const prefix = name.toLowerCase()
  for (const hook of spec.hooks.after)
    if (!(hook in client))
      client[hook] = (handler: (entity: unknown, event: RevlineEvent) => unknown, options: HookOptions = {}) =>
        hookSubscription(transport, `${prefix}.${hook}`, handler, options)
  // Gerunds run inside the server's transaction, before the verb commits: never in a client.
  for (const hook of spec.hooks.before)
    if (!(hook in client))
      client[hook] = () => {
        throw new ServerSideHookError(name, hook)
      }

  if (name === 'Contact')
    client.exportPerson = (id: string, options: { signal?: AbortSignal } = {}) =>
      transport().request({ method: 'GET', path: `${base}/${idPath(id)}/export`, ...(options.signal ? { signal: options.signal } : {}) })
  if (name === 'Lead')
    client.scores = (id: string, options: { limit?: number; signal?: AbortSignal } = {}) =>
      transport().request({ method: 'GET', path: `${base}/${idPath(id)}/scores`, query: { limit: options.limit }, ...(options.signal ? { signal: options.signal } : {}) })
  if (name === 'Proposal')
    client.document = (id: string, options: { signal?: AbortSignal } = {}) =>
      transport().request({ method: 'GET', path: `${base}/${idPath(id)}/document`, read: 'text', ...(options.signal ? { signal: options.signal } : {}) })

  return Object.freeze(client) as unknown as NounClient<N>
}

/**
 * `POST /{collection}/import`, streamed. The body is sent once: an interrupted import may have
 * applied some batches, so it is not retried blindly (the error carries the key to retry with).
 */
export async function importInto(transport: Transport, base: string, body: ImportBody, options: ImportOptions): Promise<ImportReport> {
  const total = options.contentLength ?? byteLength(body)
  let stream: BodyInit
  if (options.onProgress || isAsyncIterable(body)) stream = counted(body, total, options.onProgress)
  else stream = body as BodyInit
  return transport.request<ImportReport>({
    method: 'POST',
    path: `${base}/import`,
    raw: { body: stream, contentType: options.format === 'csv' ? 'text/csv' : 'application/x-ndjson', ...(total !== undefined ? { contentLength: total } : {}) },
    ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    retry: false,
    acceptStatus: [422],
    timeoutMs: options.timeoutMs ?? 0,
  }).then((report) => {
    if (!report || typeof report.created !== 'number') throw new TypeError('the import answered without a report')
    return report
  })
}

function byteLength(body: ImportBody): number | undefined {
  if (typeof body === 'string') return new TextEncoder().encode(body).byteLength
  if (body instanceof Uint8Array) return body.byteLength
  if (typeof Blob !== 'undefined' && body instanceof Blob) return body.size
  return undefined
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<Uint8Array> =>
  typeof value === 'object' && value !== null && !(value instanceof ReadableStream) && Symbol.asyncIterator in value

/** The body as a stream that reports bytes as the upload pulls them. */
function counted(body: ImportBody, total: number | undefined, onProgress: ImportOptions['onProgress']): ReadableStream<Uint8Array> {
  let source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>
  if (typeof body === 'string') source = chunks(new TextEncoder().encode(body))
  else if (body instanceof Uint8Array) source = chunks(body)
  else if (typeof Blob !== 'undefined' && body instanceof Blob) source = body.stream() as ReadableStream<Uint8Array>
  else source = body as ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>
  const iterator = (source instanceof ReadableStream ? readerIterator(source) : source[Symbol.asyncIterator]()) as AsyncIterator<Uint8Array>
  let sent = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await iterator.next()
      if (done) return controller.close()
      sent += value.byteLength
      onProgress?.(sent, total)
      controller.enqueue(value)
    },
    async cancel(reason) {
      await iterator.return?.(reason)
    },
  })
}

async function* chunks(bytes: Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.subarray(i, i + size)
}

async function* readerIterator(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader()
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    reader.releaseLock()
  }
}

