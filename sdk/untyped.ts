/**
 * `client.noun(name)`: any noun of the tenant by name or collection, including nouns the tenant
 * defined at run time (`PUT /nouns/Project`) and built-in nouns with custom fields. Untyped unless
 * given types, e.g. the ones `revline types` generates: `client.noun<Project, ProjectCreate>('Project')`.
 * Same transport, retries, idempotency keys and `RevlineError`s as the typed nouns.
 */
import { ServerSideHookError } from './errors'
import type { Transport } from './http'
import { MANIFEST } from './manifest'
import { collectAll, hookSubscription, idPath, importInto, listQuery, MAX_PAGE, writeOptions } from './noun'
import type { NounList } from './schema'
import type { EventSubscription, ExportOptions, HookOptions, ImportBody, ImportOptions, ImportReport, Page, QueryParams, RevlineEvent, VersionedWriteOptions, WriteOptions } from './types'

/** An entity of a noun the SDK has no types for: meta fields, then whatever the noun stores. */
export interface UntypedEntity {
  $id: string
  $type: string
  $version: number
  $createdAt: string
  $updatedAt: string
  $createdBy?: string
  [field: string]: unknown
}

type MetaKey = '$id' | '$type' | '$version' | '$createdAt' | '$updatedAt' | '$createdBy' | '$deletedAt'
/** What `create` takes when only the entity type is given: its fields (optional ones stay optional). */
export type CreateOf<E> = string extends keyof E ? Record<string, unknown> : Omit<E, MetaKey>
/** What `update` takes: any of its fields. */
export type UpdateOf<E> = string extends keyof E ? Record<string, unknown> : Partial<Omit<E, MetaKey>>

/** The filter language (`{ budget: { $gte: 1000 }, $or: [...] }`), unchecked: the server answers 400 naming a bad field. */
export type UntypedFilter = Record<string, unknown>
/** `'-budget'`, `['-budget', 'name']` or `{ budget: 'desc' }`. */
export type UntypedSort = string | readonly string[] | Record<string, 'asc' | 'desc' | undefined>

export interface UntypedListOptions {
  sort?: UntypedSort
  /** Page size, 1 to 200 (server default 25). */
  limit?: number
  cursor?: string
  page?: number
  query?: QueryParams
  signal?: AbortSignal
}
export interface UntypedAllOptions {
  sort?: UntypedSort
  /** Entities per request, 1 to 200 (default 100). */
  pageSize?: number
  /** Stop after this many. */
  limit?: number
  query?: QueryParams
  signal?: AbortSignal
}
export interface UntypedHistoryEntry<E> {
  version: number
  event: string
  /** The event's place in the log, and its links in the log's hash chain (hex SHA-256). */
  seq: number
  prevHash: string
  hash: string
  type: string
  at: string
  actor: string
  entity: E | null
}

export interface NounHandle<E extends object = UntypedEntity, C extends object = CreateOf<E>, U extends object = UpdateOf<E>> {
  /** The name or collection it was asked for (`'Project'`, `'projects'`). */
  readonly ref: string
  /** The collection's path segment (`projects`); asks `GET /nouns/{name}` once for a noun the SDK does not know. */
  collection(): Promise<string>
  get(id: string, options?: { include?: readonly string[]; asOf?: string | Date; signal?: AbortSignal }): Promise<E>
  /** One page: `{ data, total, next }`. */
  list(filter?: UntypedFilter, options?: UntypedListOptions): Promise<Page<E>>
  /** Every match, page by page. */
  all(filter?: UntypedFilter, options?: UntypedAllOptions): AsyncIterableIterator<E>
  /** Every match (or at most `limit`). */
  find(filter?: UntypedFilter, options?: Omit<UntypedAllOptions, 'pageSize'>): Promise<E[]>
  count(filter?: UntypedFilter, options?: { query?: QueryParams; signal?: AbortSignal }): Promise<number>
  create(input: C, options?: WriteOptions): Promise<E>
  update(id: string, input: U, options?: VersionedWriteOptions): Promise<E>
  /** Soft delete (admin keys). */
  delete(id: string, options?: VersionedWriteOptions): Promise<void>
  restore(id: string, options?: WriteOptions): Promise<E>
  history(id: string, options?: { signal?: AbortSignal }): Promise<UntypedHistoryEntry<E>[]>
  /** An instance verb: `verb('project_…', 'activate')`, `verb(id, 'advance', { stage: 'Proposal' })`. */
  verb(id: string, name: string, input?: Record<string, unknown>, options?: VersionedWriteOptions): Promise<E>
  /** A collection verb (no id): `noun('Contact').collectionVerb('capture', { email })`. */
  collectionVerb(name: string, input?: Record<string, unknown>, options?: WriteOptions): Promise<E>
  /** Bulk create from CSV or NDJSON (streamed; not retried automatically). */
  import(body: ImportBody, options: ImportOptions): Promise<ImportReport>
  export(options?: ExportOptions): Promise<ReadableStream<Uint8Array>>
  /**
   * A client-side hook by event name: `noun('Project').on('activated', async (project, event) => …)`
   * follows `project.activated` live and calls the handler with the entity as the event left it
   * (see `events.subscribe`: at least once, in order, resumed by itself). "Before" hooks
   * (`activating`) run only in the server.
   */
  on(event: string, handler: (entity: E, event: RevlineEvent) => unknown, options?: HookOptions): EventSubscription
}

/** A collection path segment as the server makes them: lowercase (`projects`, `lead-scores`). */
const COLLECTION = /^[a-z][a-z0-9-]*$/
const NOUN_NAME = /^[A-Z][A-Za-z0-9]*$/

/**
 * Resolves names to collections: built-in nouns from the manifest, a lowercase ref as the collection
 * itself, any other name once through `GET /nouns/{name}` (cached; `forget` after a schema change).
 */
export function collectionResolver(transport: () => Transport) {
  const cache = new Map<string, Promise<string>>()
  return {
    resolve(ref: string): Promise<string> {
      if (COLLECTION.test(ref)) return Promise.resolve(ref)
      const known = (MANIFEST as Record<string, { plural: string } | undefined>)[ref]
      if (known && Object.hasOwn(MANIFEST, ref)) return Promise.resolve(known.plural)
      if (!NOUN_NAME.test(ref)) return Promise.reject(new TypeError(`noun(${JSON.stringify(ref)}): expected a noun name (Project) or a collection (projects)`))
      let pending = cache.get(ref)
      if (!pending) {
        pending = transport()
          .request<{ collection: string }>({ method: 'GET', path: `/nouns/${encodeURIComponent(ref)}` })
          .then((view) => view.collection)
        // A failure (no such noun, no answer) is not remembered: the next call asks again.
        pending.catch(() => cache.delete(ref))
        cache.set(ref, pending)
      }
      return pending
    },
    /** The noun's name (`Project`), which events are typed by (`project.activated`). */
    async name(ref: string): Promise<string> {
      if (NOUN_NAME.test(ref)) {
        await this.resolve(ref) // a name the tenant does not have is a 404 here, not a silent subscription
        return ref
      }
      const known = Object.entries(MANIFEST).find(([, spec]) => spec.plural === ref)
      if (known) return known[0]
      const collection = await this.resolve(ref)
      const list = await transport().request<NounList>({ method: 'GET', path: '/nouns' })
      const found = list.data.find((noun) => noun.collection === collection)
      if (!found) throw new TypeError(`noun(${JSON.stringify(ref)}): the tenant has no noun with that collection`)
      return found.name
    },
    forget(name?: string) {
      if (name === undefined) cache.clear()
      else cache.delete(name)
    },
  }
}

export type CollectionResolver = ReturnType<typeof collectionResolver>

export function createUntypedNoun<E extends object, C extends object, U extends object>(ref: string, transport: () => Transport, resolver: CollectionResolver): NounHandle<E, C, U> {
  if (typeof ref !== 'string' || ref === '') throw new TypeError('noun(name): expected a noun name (Project) or a collection (projects)')
  const base = async () => `/${await resolver.resolve(ref)}`
  const signal = (options?: { signal?: AbortSignal }) => (options?.signal ? { signal: options.signal } : {})

  const list = async (filter?: UntypedFilter, options: UntypedListOptions = {}) =>
    transport().request<Page<E>>({ method: 'GET', path: await base(), query: listQuery(filter, options), ...signal(options) })
  const all = (filter?: UntypedFilter, options: UntypedAllOptions = {}) => collectAll(list, filter, options)

  const handle: NounHandle<E, C, U> = {
    ref,
    collection: () => resolver.resolve(ref),
    get: async (id, options = {}) =>
      transport().request<E>({
        method: 'GET',
        path: `${await base()}/${idPath(id)}`,
        query: { include: options.include?.length ? options.include.join(',') : undefined, asOf: options.asOf instanceof Date ? options.asOf.toISOString() : options.asOf },
        ...signal(options),
      }),
    list,
    all,
    find: async (filter, options = {}) => {
      const out: E[] = []
      for await (const entity of all(filter, { ...options, pageSize: MAX_PAGE })) out.push(entity)
      return out
    },
    count: async (filter, options = {}) => (await list(filter, { limit: 1, ...options })).total,
    create: async (input, options) => transport().request<E>({ method: 'POST', path: await base(), json: input, ...writeOptions(options) }),
    update: async (id, input, options) => transport().request<E>({ method: 'PATCH', path: `${await base()}/${idPath(id)}`, json: input, ...writeOptions(options) }),
    delete: async (id, options) => transport().request<void>({ method: 'DELETE', path: `${await base()}/${idPath(id)}`, read: 'none', ...writeOptions(options) }),
    restore: async (id, options) => transport().request<E>({ method: 'POST', path: `${await base()}/${idPath(id)}/restore`, ...writeOptions(options) }),
    history: async (id, options = {}) =>
      (await transport().request<{ data: UntypedHistoryEntry<E>[] }>({ method: 'GET', path: `${await base()}/${idPath(id)}/history`, ...signal(options) })).data,
    verb: async (id, name, input = {}, options) => transport().request<E>({ method: 'POST', path: `${await base()}/${idPath(id)}/${verbPath(name)}`, json: input, ...writeOptions(options) }),
    collectionVerb: async (name, input = {}, options) => transport().request<E>({ method: 'POST', path: `${await base()}/${verbPath(name)}`, json: input, ...writeOptions(options) }),
    import: async (body, options) => importInto(transport(), await base(), body, options),
    export: async (options = {}) =>
      transport().request<ReadableStream<Uint8Array>>({ method: 'GET', path: `${await base()}/export`, query: { format: options.format ?? 'ndjson' }, read: 'stream', ...signal(options) }),
    on: (event, handler, options = {}) => {
      if (typeof event !== 'string' || !/^[a-z][a-z0-9-]*$/.test(event)) throw new TypeError(`on(event, handler): expected an event name such as 'activated', got ${JSON.stringify(event)}`)
      const builtIn = (MANIFEST as Record<string, { hooks: { before: readonly string[] } } | undefined>)[ref]
      if (builtIn && Object.hasOwn(MANIFEST, ref) && builtIn.hooks.before.includes(event)) throw new ServerSideHookError(ref, event)
      return hookSubscription(transport, async () => `${(await resolver.name(ref)).toLowerCase()}.${event}`, handler, options)
    },
  }
  return Object.freeze(handle)
}

/** A verb name is one path segment: refuse anything that would make it another route. */
function verbPath(name: string): string {
  if (typeof name !== 'string' || !/^[a-z][A-Za-z0-9]*$/.test(name)) throw new TypeError(`expected a verb name such as 'activate', got ${JSON.stringify(name)}`)
  return name
}
