/**
 * The SDK's types, derived at the type level from the server's noun definitions: `Entity<'Lead'>` is
 * `typeof Lead.$entity`, `CreateInput<'Contact'>` is `typeof Contact.$create`, and so on. Only type
 * imports from src/: nothing of the server runs inside the SDK.
 */
import type { Gerund, Past } from '../src/domain/noun/conjugate'
import type { CreateInput as DslInput, Definition } from '../src/domain/noun/types'
import type { NOUNS } from '../src/domain/nouns'
import type { ErrorCode } from '../src/domain/errors'
import type { pipelineSummary, funnel } from '../src/domain/analytics/reports'
import type { MANIFEST } from './manifest'

type Nouns = typeof NOUNS
type Manifest = typeof MANIFEST
type Simplify<T> = { [K in keyof T]: T[K] } & {}

/** Contact, Lead, Organization, Deal, … : every noun the server declares. */
export type NounName = keyof Nouns
/** An entity as the API returns it: `$id`, `$type`, `$version`, timestamps and the stored fields. */
export type Entity<N extends NounName> = Nouns[N]['$entity']
/** What `create` accepts: required fields without a default must be given; unknown fields are errors. */
export type CreateInput<N extends NounName> = Nouns[N]['$create']
/** What `update` accepts: any stored field; `null` unsets an optional one. */
export type UpdateInput<N extends NounName> = Nouns[N]['$update']
/** Every verb of a noun, CRUD included. */
export type Verb<N extends NounName> = Nouns[N]['$verbs']
/** The verbs a client may call: none on nouns only the server writes (lead scores). */
type ApiVerb<N extends NounName> = Nouns[N]['$writes'] extends 'system' ? never : Verb<N>
/** The noun's own verbs (`qualify`, `win`, `capture`, …). */
export type CustomVerb<N extends NounName> = Exclude<Verb<N>, 'create' | 'update' | 'delete' | 'restore'>
/** Hook registrations the server's noun handles have (`won`, `qualifying`, …). */
export type HookName<N extends NounName> = Exclude<keyof Nouns[N], 'schema' | '$entity' | '$create' | '$update' | '$verbs' | '$writes'> & string
/** Past tenses (`won`, `qualified`): on the client, `Deal.won(fn)` follows `deal.won` events. */
export type AfterHookName<N extends NounName> = HookName<N> & Past<Verb<N>>
/** Gerunds (`qualifying`): they run inside the server's transaction, before the verb commits, so only there. */
export type BeforeHookName<N extends NounName> = HookName<N> & Gerund<Verb<N>>
/** Event-log types: `contact.qualified`, `deal.won`, … */
export type EventType = { [N in NounName]: `${Lowercase<N>}.${Past<Verb<N>>}` }[NounName]

type EntityOf<T> = T extends NounName ? Entity<T> : never

// ---------------------------------------------------------------------------------------------
// The manifest's shape, checked against the nouns (see manifest.ts).

interface VerbManifest {
  scope: 'instance' | 'collection'
  input: Definition
}
export type ManifestShape = {
  [N in NounName]: {
    plural: string
    idPrefix: string
    crud: { create: 'create' extends ApiVerb<N> ? true : false; update: 'update' extends ApiVerb<N> ? true : false; delete: 'delete' extends ApiVerb<N> ? true : false }
    /** Every stored field, in the DSL (no more, no fewer than `$create` has). */
    fields: { [K in keyof CreateInput<N>]-?: string }
    relations: { [K in keyof CreateInput<N>]?: NounName }
    reverse: Record<string, NounName>
    verbs: { [V in CustomVerb<N>]: VerbManifest }
    hooks: { after: readonly AfterHookName<N>[]; before: readonly BeforeHookName<N>[] }
  }
}

type VerbSpec<N extends NounName, V extends CustomVerb<N>> = Manifest[N]['verbs'][V & keyof Manifest[N]['verbs']]
/** A custom verb's input, derived from its DSL declaration (`Deal.advance` takes `{ stage: string }`). */
export type VerbInput<N extends NounName, V extends CustomVerb<N>> = VerbSpec<N, V> extends { input: infer D extends Definition } ? DslInput<D> : never
export type VerbScope<N extends NounName, V extends CustomVerb<N>> = VerbSpec<N, V> extends { scope: infer S } ? S : never

// ---------------------------------------------------------------------------------------------
// Filters: the server's operators, typed per field.

type Relations<N extends NounName> = Manifest[N]['relations']
type Reverse<N extends NounName> = Manifest[N]['reverse']
type Fields<N extends NounName> = Manifest[N]['fields']
type DateKeys<N extends NounName> = { [K in keyof Fields<N>]: Fields<N>[K] extends `date${string}` ? K : never }[keyof Fields<N>] | '$createdAt' | '$updatedAt'

/** Fields a filter may name: stored fields and meta fields, not `$type` nor json fields. */
type FilterKeys<E> = { [K in keyof E]-?: K extends '$type' ? never : unknown extends E[K] ? never : K }[keyof E] & string

export interface Operators<V> {
  $eq?: V | null
  $ne?: V | null
  $gt?: V
  $gte?: V
  $lt?: V
  $lte?: V
  $in?: readonly V[]
  $nin?: readonly V[]
  $exists?: boolean
  /** Case-insensitive substring (ASCII letters). */
  $contains?: V extends string ? string : never
}
/** List fields (`Organization.tags`): `$contains` means "has this item". */
export interface ListOperators<I> {
  $contains?: I
  $exists?: boolean
}
/** A field's condition: a value (equality), `null` (unset) or operators. */
export type FieldFilter<V> = NonNullable<V> extends readonly (infer I)[] ? ListOperators<I> : NonNullable<V> | null | Operators<NonNullable<V>>

type FieldValue<N extends NounName, K extends keyof Entity<N>> = K extends DateKeys<N> ? Entity<N>[K] | Date : Entity<N>[K]

/** `organization.industry`: a condition on the entity a relation points at (one level deep). */
type RelationPaths<N extends NounName> = {
  [K in keyof Relations<N> & string]: { [F in FilterKeys<EntityOf<Relations<N>[K]>>]: [`${K}.${F}`, EntityOf<Relations<N>[K]>[F]] }[FilterKeys<EntityOf<Relations<N>[K]>>]
}[keyof Relations<N> & string]
type RelationFilters<N extends NounName> = { [P in RelationPaths<N> as P[0]]?: FieldFilter<P[1]> }

/**
 * The filter language: `{ status: 'Qualified', score: { $gte: 80 }, $or: [{ source: 'website' }, …] }`.
 * Unknown fields and operators are type errors here and 400s on the server. On relations to Contact,
 * `'me'` is the calling user's own contact: `Lead.find({ owner: 'me' })` lists my leads (a relation
 * is typed `string`, so `'me'` needs no type of its own; a service key, which has no user, gets 400).
 */
export type Filter<N extends NounName> = { [K in FilterKeys<Entity<N>>]?: FieldFilter<FieldValue<N, K>> } & RelationFilters<N> & {
    $and?: readonly Filter<N>[]
    $or?: readonly Filter<N>[]
  }

type SortKey<N extends NounName> = { [K in FilterKeys<Entity<N>>]: NonNullable<Entity<N>[K]> extends readonly unknown[] ? never : K }[FilterKeys<Entity<N>>]
/** `'-score'`, `['-score', 'name']` or `{ score: 'desc', name: 'asc' }` (keys in order). */
export type Sort<N extends NounName> =
  | SortKey<N>
  | `-${SortKey<N>}`
  | readonly (SortKey<N> | `-${SortKey<N>}`)[]
  | { [K in SortKey<N>]?: 'asc' | 'desc' }

// ---------------------------------------------------------------------------------------------
// Includes.

/** Relations and reverse lists `get(id, { include })` can expand. */
export type IncludeKey<N extends NounName> = (keyof Relations<N> | keyof Reverse<N>) & string
/**
 * The entity with its includes expanded: a relation becomes the related entity (or stays its id when
 * that entity has since been deleted), a reverse list becomes the list of entities pointing here.
 */
export type WithIncludes<N extends NounName, I extends string> = [I] extends [never]
  ? Entity<N>
  : Simplify<
      Omit<Entity<N>, I> & { [K in I & keyof Relations<N>]?: EntityOf<Relations<N>[K]> | string | null } & {
        [K in I & keyof Reverse<N>]: EntityOf<Reverse<N>[K]>[]
      }
    >

// ---------------------------------------------------------------------------------------------
// Calls and answers.

export interface Page<T> {
  data: T[]
  /** Matches in the whole collection (not just this page). */
  total: number
  /** Cursor of the next page, or null on the last one. */
  next: string | null
}

/** Extra query parameters sent as they are (`{ stage: 'Proposal', dateFrom: '2026-11-01' }`). */
export type QueryParams = Record<string, string | number | boolean | readonly (string | number)[] | undefined>

export interface WriteOptions {
  /** Defaults to a random key per call; retries of the call reuse it. */
  idempotencyKey?: string
  signal?: AbortSignal
}
export interface VersionedWriteOptions extends WriteOptions {
  /** Only write if the entity is still at this version (`If-Match`); 412 otherwise. */
  ifMatch?: number
}

export interface GetOptions<I> {
  include?: readonly I[]
  /** The entity as it was at that instant (from the event log). */
  asOf?: string | Date
  signal?: AbortSignal
}

export interface FindOptions<N extends NounName> {
  sort?: Sort<N>
  /** At most this many (any number: the SDK pages). Without it, `find` returns every match. */
  limit?: number
  query?: QueryParams
  signal?: AbortSignal
}
export interface ListOptions<N extends NounName> {
  sort?: Sort<N>
  /** Page size, 1 to 200 (server default 25). */
  limit?: number
  cursor?: string
  page?: number
  query?: QueryParams
  signal?: AbortSignal
}
export interface AllOptions<N extends NounName> {
  sort?: Sort<N>
  /** Entities per request, 1 to 200 (default 100). */
  pageSize?: number
  /** Stop after this many. */
  limit?: number
  query?: QueryParams
  signal?: AbortSignal
}

export interface HistoryEntry<N extends NounName> {
  version: number
  event: string
  /** The event's place in the log, and its links in the log's hash chain (hex SHA-256). */
  seq: number
  prevHash: string
  hash: string
  type: string
  at: string
  actor: string
  entity: Entity<N> | null
}

export interface ImportReport {
  created: number
  updated: number
  rejected: number
  errors: { line: number; field: string | null; message: string }[]
  rows?: number
  durationMs?: number
}
export type ImportBody = string | Uint8Array | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>
export interface ImportOptions extends WriteOptions {
  format: 'csv' | 'ndjson'
  /** Byte length of the body when it is a stream (sent as Content-Length, and the progress total). */
  contentLength?: number
  /** Called as the body is read by the upload, with bytes so far and the total when known. */
  onProgress?: (sent: number, total: number | undefined) => void
  /**
   * The server answers when every row is stored, so a big import can take minutes: no timeout by
   * default (the client's `timeoutMs` does not apply); set one in ms here.
   */
  timeoutMs?: number
}
export interface ExportOptions {
  format?: 'csv' | 'ndjson'
  signal?: AbortSignal
}

/** A record as the export holds it: as its collection serves it, with `$deletedAt` when it is soft-deleted (still held). */
export type HeldRecord<N extends NounName = NounName> = Entity<N> & { $deletedAt?: string }

/**
 * `Contact.exportPerson(id)` (`GET /contacts/{id}/export`, admin keys): everything the tenant holds
 * about the person behind a contact (GDPR art. 15), fixed at one chain head of the log.
 */
export interface SubjectExport {
  exportedAt: string
  tenant: { slug: string; name: string }
  /** The log's newest link when the export began; compare with `GET /events/verify`'s `head`. */
  chainHead: { seq: number; hash: string }
  /** The contact's id. */
  subject: string
  counts: { history: number; events: number; related: Record<string, number> }
  /** The contact as it is now (a soft-deleted one too). */
  contact: HeldRecord<'Contact'>
  /** Every event of the contact, as `Contact.history(id)` answers them. */
  history: HistoryEntry<'Contact'>[]
  /** Every other record about the person, by collection (`leads`, `lead-scores`, the tenant's own nouns…), in creation order. */
  related: { [collection: string]: (Record<string, unknown> & { $id: string; $type: string; $deletedAt?: string })[] }
  /** Every event of the contact and its related records, in log order, with their hashes. */
  events: RevlineEvent[]
}

/** One entry of the tenant's immutable event log. */
export interface RevlineEvent {
  seq: number
  id: string
  type: EventType | (string & {})
  entityType: string
  entityId: string
  verb: string
  version: number
  /** The user who acted (`user_…`), else the service key, `public:…` or `system`. */
  actor: string
  actorRole: string
  /** The key (`key_…`) or session (`ses_…`) through which a user acted; null otherwise. */
  via: string | null
  requestId: string
  at: string
  data: Record<string, unknown> | null
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
  /** Id of the event whose after hook caused this one. */
  cause: string | null
  /** The previous event's hash (64 zeros for the first) and this one's: SHA-256 over it and the stored event. */
  prevHash: string
  hash: string
}
export interface EventQuery {
  /** `deal.won`, `deal.*` for every verb of a noun, or several comma-separated (`lead.*,deal.won`). */
  type?: EventType | `${Lowercase<NounName>}.*` | (string & {})
  /** An entity id. */
  entity?: string
  /** An API key id. */
  actor?: string
  /** Only events after this position (`seq`). */
  after?: number
  /** 1 to 500 (default 100). */
  limit?: number
}
export interface EventPage {
  data: RevlineEvent[]
  next: string | null
}

/** What `events.subscribe` follows: the `/events` filter and where to start. */
export interface FeedQuery {
  /** `deal.won`, `deal.*` for every event of a noun, or several comma-separated (`lead.*,deal.won`). */
  type?: EventType | `${Lowercase<NounName>}.*` | (string & {})
  /** An entity id. */
  entity?: string
  /** The actor (`user_…`, a service key's `key_…`, `public:…`, `system`). */
  actor?: string
  /**
   * Start after this seq (`0`: the whole log first, then live). Wins over `cursor.load()`; without
   * either the subscription starts at the log's head (new events only).
   */
  after?: number
}

/** Where a subscription keeps its position across restarts (a file, a database row, a KV key). */
export interface CursorStore {
  /** The seq saved last, or undefined/null the first time. */
  load(): number | undefined | null | Promise<number | undefined | null>
  /** Called after each handled event (and once at the start position), before the next event. */
  save(seq: number): void | Promise<void>
}

export interface FeedErrorContext {
  /**
   * `connection`: the stream failed, was refused with 429/5xx, went quiet or was closed by the
   * server; it resumes after `cursor`. `handler`: the handler threw; the same event is retried.
   * `cursor`: `save` failed (the event was handled; after a restart it may be handled again).
   * `fatal`: 400/401/403/404 (or a misconfigured client): the subscription has ended and `closed` rejects.
   */
  phase: 'connection' | 'handler' | 'cursor' | 'fatal'
  /** The event the handler or `save` failed on. */
  event?: RevlineEvent
  /** Consecutive failures so far (1 for the first). */
  attempt: number
  /** Milliseconds until the next try (not for `cursor` or `fatal`). */
  retryInMs?: number
}

export interface SubscribeOptions {
  /** A durable position: loaded at the start (unless `after` is given), saved after every handled event. */
  cursor?: CursorStore
  /**
   * Every failure, with what happens next. Without it, handler and `save` failures are printed
   * with console.error, connection failures are retried quietly, and a fatal error only rejects `closed`.
   */
  onError?: (error: unknown, context: FeedErrorContext) => void
  /** Aborting it closes the subscription. */
  signal?: AbortSignal
  /** First backoff in ms before a reconnect or a handler retry, doubling with jitter (default: the client's `retryDelayMs`, 200). */
  retryDelayMs?: number
  /** Backoff ceiling in ms (default 30000); a 429's Retry-After is honoured up to it. */
  maxRetryDelayMs?: number
  /** A stream that sends nothing for this long (the server's heartbeat is every 15 s) is taken as dropped (default 45000). */
  idleTimeoutMs?: number
}

/** A live subscription to the event feed (not to be confused with the billing noun `Subscription`). */
export interface EventSubscription {
  /**
   * The seq it resumes after: the last event handled, or the log's head where it started from now
   * (undefined until the first connection answers).
   */
  readonly cursor: number | undefined
  /** Stops it: the connection closes, a handler in flight is let finish (its cursor saved), nothing more is called. */
  close(): Promise<void>
  /** Resolves once it is closed; rejects with the error that ended it (a `RevlineError` 401/403/400). */
  readonly closed: Promise<void>
}

export type PipelineSummary = ReturnType<typeof pipelineSummary>
export type PipelineFunnel = ReturnType<typeof funnel>
export interface DateRange {
  /** YYYY-MM-DD, by creation day. */
  dateFrom?: string
  dateTo?: string
}

export type RevlineErrorCode = ErrorCode | 'internal_error' | 'network_error' | 'unknown_error'
export interface FieldError {
  path: string
  message: string
}

// ---------------------------------------------------------------------------------------------
// The noun client.

/**
 * @deprecated "Before" hooks (`Contact.qualifying(fn)`, `Deal.winning(fn)`) run inside the server's
 * verb transaction, before it commits, and can refuse the verb: they are registered there
 * (src/domain/hooks) or as tenant automations (`PUT /~t/settings/automations`). Calling one on the
 * SDK throws `ServerSideHookError`; to react once a verb has happened, use its past tense
 * (`Contact.qualified(fn)`).
 */
export type ServerSideHook = (hook: (...args: any[]) => unknown) => never

type Maybe<B, T> = B extends true ? T : unknown

type InstanceVerb<N extends NounName, V extends CustomVerb<N>> = {} extends VerbInput<N, V>
  ? {
      (id: string, input?: VerbInput<N, V>, options?: VersionedWriteOptions): Promise<Entity<N>>
      (args: Simplify<{ id: string } & VerbInput<N, V>>, options?: VersionedWriteOptions): Promise<Entity<N>>
    }
  : {
      (id: string, input: VerbInput<N, V>, options?: VersionedWriteOptions): Promise<Entity<N>>
      (args: Simplify<{ id: string } & VerbInput<N, V>>, options?: VersionedWriteOptions): Promise<Entity<N>>
    }
type CollectionVerb<N extends NounName, V extends CustomVerb<N>> = {} extends VerbInput<N, V>
  ? (input?: VerbInput<N, V>, options?: WriteOptions) => Promise<Entity<N>>
  : (input: VerbInput<N, V>, options?: WriteOptions) => Promise<Entity<N>>

/** `Contact.qualify(id)` and `Contact.qualify({ id })`; collection verbs take their input: `Contact.capture({ … })`. */
export type VerbMethods<N extends NounName> = {
  [V in CustomVerb<N>]: VerbScope<N, V> extends 'collection' ? CollectionVerb<N, V> : InstanceVerb<N, V>
}
export type HookStubs<N extends NounName> = { readonly [H in BeforeHookName<N>]: ServerSideHook }

/** The event a noun's hook receives: `deal.won` for `Deal.won`. */
export type NounEvent<N extends NounName, H extends string = string> = RevlineEvent & { type: `${Lowercase<N>}.${H}`; entityType: N }
/** A client-side hook's handler: the entity as the event left it (`event.after`), and the event. */
export type HookHandler<N extends NounName, H extends string = string> = (entity: Entity<N>, event: NounEvent<N, H>) => unknown
/**
 * `Deal.won(async (deal, event) => …, options?)`: follows the noun's `deal.won` events live (see
 * `events.subscribe`: at least once, in order, resumed by itself) and calls the handler with each.
 * A past tense that is also the noun's verb (`Message.read`) is the verb: follow it with
 * `events.subscribe({ type: 'message.read' }, …)`.
 */
export type AfterHooks<N extends NounName> = {
  readonly [H in Exclude<AfterHookName<N>, CustomVerb<N>>]: (handler: HookHandler<N, H>, options?: HookOptions) => EventSubscription
}

/** Where a hook's subscription starts and which of the noun's events it takes. */
export interface HookOptions extends SubscribeOptions {
  /** Only this entity's events. */
  entity?: string
  /** Only events by this actor (`user_…`, `key_…`). */
  actor?: string
  /** Start after this seq (wins over `cursor.load()`); without it or a stored cursor, from now on. */
  after?: number
}

export interface ReadMethods<N extends NounName> {
  readonly name: N
  /** The collection's path segment (`contacts`). */
  readonly plural: string
  get(id: string, options?: GetOptions<never>): Promise<Entity<N>>
  /** `get(id, { include: ['organization', 'leads'] })`: relations expanded, reverse lists added. */
  get<const I extends IncludeKey<N>>(id: string, options: GetOptions<I> & { include: readonly I[] }): Promise<WithIncludes<N, I>>
  /** Every match (or at most `limit`), in `sort` order. */
  find(filter?: Filter<N>, options?: FindOptions<N>): Promise<Entity<N>[]>
  /** One page: `{ data, total, next }`. */
  list(filter?: Filter<N>, options?: ListOptions<N>): Promise<Page<Entity<N>>>
  /** `for await (const lead of Lead.all({ status: 'New' }))`: every match, page by page. */
  all(filter?: Filter<N>, options?: AllOptions<N>): AsyncIterableIterator<Entity<N>>
  count(filter?: Filter<N>, options?: { query?: QueryParams; signal?: AbortSignal }): Promise<number>
  /** Every version of the entity, from the event log. */
  history(id: string, options?: { signal?: AbortSignal }): Promise<HistoryEntry<N>[]>
  /** The collection as a byte stream (ndjson by default, or csv). */
  export(options?: ExportOptions): Promise<ReadableStream<Uint8Array>>
}

export type CrudMethods<N extends NounName> = Maybe<
  'create' extends ApiVerb<N> ? true : false,
  {
    create(input: CreateInput<N>, options?: WriteOptions): Promise<Entity<N>>
    /** Bulk create from CSV or NDJSON (streamed; rows validated like `create`). Not retried automatically. */
    import(body: ImportBody, options: ImportOptions): Promise<ImportReport>
  }
> &
  Maybe<'update' extends ApiVerb<N> ? true : false, { update(id: string, input: UpdateInput<N>, options?: VersionedWriteOptions): Promise<Entity<N>> }> &
  Maybe<
    'delete' extends ApiVerb<N> ? true : false,
    {
      /** Soft delete (admin keys). */
      delete(id: string, options?: VersionedWriteOptions): Promise<void>
      restore(id: string, options?: WriteOptions): Promise<Entity<N>>
    }
  >

type Extras<N extends NounName> = N extends 'Contact'
  ? { /** Everything held about the person behind the contact, as one document (admin keys; GDPR art. 15). */ exportPerson(id: string, options?: { signal?: AbortSignal }): Promise<SubjectExport> }
  : N extends 'Lead'
  ? { /** The lead's score history, newest first, each with its factor breakdown. */ scores(id: string, options?: { limit?: number; signal?: AbortSignal }): Promise<Page<Entity<'LeadScore'>>> }
  : N extends 'Proposal'
    ? { /** The proposal as a printable HTML document. */ document(id: string, options?: { signal?: AbortSignal }): Promise<string> }
    : unknown

export type NounClient<N extends NounName> = ReadMethods<N> & CrudMethods<N> & VerbMethods<N> & AfterHooks<N> & HookStubs<N> & Extras<N>

/** Method names the noun client defines itself: no noun verb or hook may take one. */
type Builtin = keyof ReadMethods<NounName> | 'create' | 'update' | 'delete' | 'restore' | 'import' | 'scores' | 'document' | 'exportPerson'
type Clash = { [N in NounName]: Extract<CustomVerb<N> | HookName<N>, Builtin> }[NounName]
/** Compile-time check: a verb named like a client method would be shadowed; rename one of them. */
export type NoClash = [Clash] extends [never] ? true : { error: 'a verb or hook is named like an SDK method'; names: Clash }

/** One full-text search hit: the record, its name, a snippet (HTML-escaped, matches in `<mark>`), relevance. */
export interface SearchHit {
  $type: string
  $id: string
  name: string
  snippet: string
  score: number
}
export interface SearchPage {
  data: SearchHit[]
  next: string | null
}
