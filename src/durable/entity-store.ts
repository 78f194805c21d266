/** The engine's storage port over the tenant's SQLite tables (synchronous, inside the DO). */
import { sql as sqlText, type SQL } from 'drizzle-orm'
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core'
import type { Condition } from '../domain/query/filter'
import type { SortKey } from '../domain/query/list-query'
import type { Store } from '../domain/engine/context'
import type { EntityRecord, NewEvent } from '../domain/engine/types'
import type { NounSchema } from '../domain/noun/noun'
import type { Db } from './db'
import { indexInserted, indexUpdated } from './search-index'
import { appendEvent } from './event-log'
import { personalFields } from '../domain/personal-data'
import { subjectKeysOf } from './subject-keys'
import { forgetChainHead } from './chain-head'
import { compileCondition, orderBy, type TableResolver } from './query/compile'
import type { NounRegistry } from '../domain/noun/registry'
import { RowCodec, type CreationValues } from './row-codec'
import { creationAfters } from './event-held'
import { entityTable, type EntityTable } from './schema/entity-table'

/** Renders drizzle SQL fragments (conditions, sort orders) to statement text and parameters. */
const dialect = new SQLiteSyncDialect()

/** ORDER BY texts kept per store before the map is emptied (sorts are request input: bound them). */
const MAX_ORDER_TEXTS = 256

export class EntityStore implements Store {
  private codecs = new Map<string, RowCodec>()
  private tables = new Map<string, EntityTable>()
  private registry!: NounRegistry
  writeCount = 0
  /** Entity id → the write count its last write made; bounded (see wroteSince). */
  private readonly lastWrites = new Map<string, number>()
  /** The write count when `lastWrites` was last emptied: before it, any entity may have been written. */
  private lastWritesFrom = 0

  /** The nouns this store reads and writes (the tenant's: built-in ones with its own on top). */
  get nouns(): NounRegistry {
    return this.registry
  }

  /**
   * `builtInTables`: the drizzle tables of Revline's nouns (migrations made them); a tenant's own
   * nouns get theirs from the same projection at run time (src/durable/custom-storage.ts creates them).
   */
  constructor(
    readonly db: Db,
    readonly sql: SqlStorage,
    private readonly builtInTables: ReadonlyMap<string, EntityTable>,
    nouns: NounRegistry,
  ) {
    this.useNouns(nouns)
  }

  /** Reads and writes through this set of nouns from now on (a schema change swaps it). */
  useNouns(nouns: NounRegistry): void {
    const tables = new Map<string, EntityTable>()
    const codecs = new Map<string, RowCodec>()
    for (const noun of nouns.all()) {
      const table = noun.tenantDefined ? entityTable(noun) : this.builtInTables.get(noun.name)
      if (!table) throw new Error(`no table for ${noun.name}`)
      tables.set(noun.name, table)
      codecs.set(noun.name, new RowCodec(noun, table))
    }
    this.registry = nouns
    this.tables = tables
    this.codecs = codecs
    this.findCache.clear()
    this.liveInTransaction.clear()
    this.orderTexts.clear()
  }

  /** Tables of related nouns, for `relation.field` filters. */
  readonly resolve: TableResolver = (name) => {
    const noun = this.registry.byName(name)
    if (!noun) throw new Error(`no noun ${name}`)
    return { table: this.table(noun), noun }
  }

  /** Where one row's event-held fields are read back from (src/durable/event-held.ts). */
  private readonly created: CreationValues = (id) => creationAfters(this.sql, [id]).get(id)

  /** Rows decoded together: the creation events of those that need theirs are read in one query. */
  private decodeAll(codec: RowCodec, rows: Iterable<SqlStorageValue[]>): EntityRecord[] {
    const all = [...rows]
    const lacking = all.filter((row) => codec.lacksHeld(row)).map((row) => row[0] as string)
    if (lacking.length === 0) return all.map((row) => codec.decode(row, this.created))
    const created = creationAfters(this.sql, lacking)
    return all.map((row) => codec.decode(row, (id) => created.get(id)))
  }

  private codec(noun: NounSchema): RowCodec {
    const codec = this.codecs.get(noun.name)
    if (!codec) throw new Error(`no table for ${noun.name}`)
    return codec
  }

  table(noun: NounSchema): EntityTable {
    const table = this.tables.get(noun.name)
    if (!table) throw new Error(`no table for ${noun.name}`)
    return table
  }

  get(noun: NounSchema, id: string): EntityRecord | undefined {
    const codec = this.codec(noun)
    const row = this.sql.exec(codec.selectLive, id).raw().next()
    if (row.done) return undefined
    this.seenLive(noun, id)
    return codec.decode(row.value, this.created)
  }

  /** The live entities among `ids`, by id, in one query (a job reading a chunk's related records). */
  getMany(noun: NounSchema, ids: readonly string[]): Map<string, EntityRecord> {
    const codec = this.codec(noun)
    const found = new Map<string, EntityRecord>()
    if (ids.length === 0) return found
    for (const entity of this.decodeAll(codec, this.sql.exec(codec.selectLiveIn, JSON.stringify(ids)).raw())) found.set(entity.$id, entity)
    return found
  }

  /** The entities among `ids`, soft-deleted ones too, oldest first, in one query (a person's records as held). */
  getAnyMany(noun: NounSchema, ids: readonly string[]): EntityRecord[] {
    return ids.length === 0 ? [] : this.decodeAll(this.codec(noun), this.sql.exec(this.codec(noun).selectAnyIn, JSON.stringify(ids)).raw())
  }

  getAny(noun: NounSchema, id: string): EntityRecord | undefined {
    const codec = this.codec(noun)
    const row = this.sql.exec(codec.selectAny, id).raw().next()
    return row.done ? undefined : codec.decode(row.value, this.created)
  }

  /**
   * Entities this transaction has read or written live (id → noun name): a relation check on one of
   * them (the activity a deal's move logs names that deal) needs no query. Only this store deletes
   * entities (soft, by update), so it keeps the set true; the object empties it as every transaction
   * starts and ends and when one rolls back.
   */
  private readonly liveInTransaction = new Map<string, string>()

  private seenLive(noun: NounSchema, id: string) {
    if (this.liveInTransaction.size >= 1_000) this.liveInTransaction.clear()
    this.liveInTransaction.set(id, noun.name)
  }

  /** Forgets which entities the transaction saw live (see liveInTransaction). */
  forgetTransactionReads(): void {
    this.liveInTransaction.clear()
  }

  insert(noun: NounSchema, entity: EntityRecord): void {
    const codec = this.codec(noun)
    if (noun.adminOnly) this.findCache.clear()
    this.sql.exec(codec.insert, ...codec.encode(entity))
    if (!entity.$deletedAt) this.seenLive(noun, entity.$id)
    indexInserted(this.sql, noun, entity)
    this.wrote(entity.$id)
  }

  update(noun: NounSchema, entity: EntityRecord, before: EntityRecord): void {
    const { statement, values } = this.codec(noun).updateChanged(before, entity)
    if (noun.adminOnly) this.findCache.clear()
    this.sql.exec(statement, ...values)
    if (entity.$deletedAt) this.liveInTransaction.delete(entity.$id)
    else this.seenLive(noun, entity.$id)
    indexUpdated(this.sql, noun, entity, before)
    this.wrote(entity.$id)
  }

  private wrote(id: string) {
    this.writeCount++
    if (this.lastWrites.size >= 10_000) {
      this.lastWrites.clear()
      this.lastWritesFrom = this.writeCount - 1
    }
    this.lastWrites.set(id, this.writeCount)
  }

  /** Whether the entity was written after write count `since` (when unsure, as after the map was emptied: yes). */
  wroteSince(id: string, since: number): boolean {
    const at = this.lastWrites.get(id)
    return at !== undefined ? at > since : this.lastWritesFrom > since
  }

  exists(noun: NounSchema, id: string): boolean {
    if (this.liveInTransaction.get(id) === noun.name) return true
    if (!noun.adminOnly) {
      // Remembered, so the relation check of the write that copies this link needs no second query.
      const live = !this.sql.exec(this.codec(noun).existsLive, id).raw().next().done
      if (live) this.seenLive(noun, id)
      return live
    }
    // Admin-only nouns (stages: every deal move names one) are cached like their finds; only what
    // exists is remembered, so ids that name nothing cannot fill the cache.
    const key = `${noun.name}:exists:${id}`
    if (this.findCache.has(key)) return true
    if (this.sql.exec(this.codec(noun).existsLive, id).raw().next().done) return false
    this.findCache.set(key, [])
    return true
  }

  /** A prepared lookup on one column (dedupe by email): the live entity holding `value`, if any. */
  getBy(noun: NounSchema, field: string, value: unknown): EntityRecord | undefined {
    const codec = this.codec(noun)
    const row = this.sql.exec(codec.findBy(field), codec.encodeField(field, value)).raw().next()
    return row.done ? undefined : codec.decode(row.value, this.created)
  }

  /** The id of the live entity holding `value` in `field` (unique checks). */
  findIdBy(noun: NounSchema, field: string, value: unknown): string | undefined {
    return this.getBy(noun, field, value)?.$id
  }

  /**
   * Admin-only nouns (pipeline stages) are read by hooks on every deal move and written rarely, so
   * their finds are cached until the next write to them, and dropped when a transaction rolls back
   * (a find inside it may have cached rows that never commit).
   */
  private readonly findCache = new Map<string, EntityRecord[]>()

  /** Forgets every cached read: the transaction that may have filled it rolled back. */
  forgetCachedReads(): void {
    this.findCache.clear()
    this.liveInTransaction.clear()
    subjectKeysOf(this.sql).clear()
    forgetChainHead(this.sql)
  }

  find(noun: NounSchema, where: Condition, options: { sort?: SortKey[]; limit: number }): EntityRecord[] {
    if (!noun.adminOnly) return this.findUncached(noun, where, options)
    const key = `${noun.name}:${JSON.stringify(where)}:${JSON.stringify(options)}`
    let rows = this.findCache.get(key)
    if (!rows) this.findCache.set(key, (rows = this.findUncached(noun, where, options)))
    return rows.map((row) => ({ ...row }))
  }

  private findUncached(noun: NounSchema, where: Condition, options: { sort?: SortKey[]; limit: number }): EntityRecord[] {
    const sort = options.sort?.length ? options.sort : [{ field: '$createdAt', dir: 'asc' as const }]
    return this.selectPage(noun, compileCondition({ table: this.table(noun), noun }, where, this.resolve), sort, { limit: options.limit })
  }

  /**
   * One page of the live rows matching `where`, in `sort` order (ties by id): the codec's column list
   * around the condition's text. Only the condition is rendered by drizzle on each call (the ORDER BY
   * once per sort): a whole drizzle `select()`, its builder walking every column into text on every
   * call, was 8–11 % of a capture's CPU. Finds, lists and reverse includes read through this.
   */
  selectPage(noun: NounSchema, where: SQL, sort: SortKey[], page: { limit: number; offset?: number }): EntityRecord[] {
    const codec = this.codec(noun)
    const condition = dialect.sqlToQuery(where)
    const order = this.orderText(noun, sort)
    const offset = page.offset !== undefined
    const params = [...condition.params, ...order.params, page.limit, ...(offset ? [page.offset] : [])] as SqlStorageValue[]
    return this.decodeAll(codec, this.sql.exec(codec.selectLiveWhere(condition.sql, order.sql, offset), ...params).raw())
  }

  /** How many live rows match `where`. */
  countLive(noun: NounSchema, where: SQL): number {
    const condition = dialect.sqlToQuery(where)
    return this.sql.exec(this.codec(noun).countLiveWhere(condition.sql), ...(condition.params as SqlStorageValue[])).raw().next().value![0] as number
  }

  /** ORDER BY texts by noun and sort (see orderBy), rendered once: they name columns and expressions only. */
  private readonly orderTexts = new Map<string, { sql: string; params: unknown[] }>()

  private orderText(noun: NounSchema, sort: SortKey[]): { sql: string; params: unknown[] } {
    const key = `${noun.name}:${JSON.stringify(sort)}`
    let order = this.orderTexts.get(key)
    if (!order) {
      if (this.orderTexts.size >= MAX_ORDER_TEXTS) this.orderTexts.clear()
      order = dialect.sqlToQuery(sqlText.join(orderBy({ table: this.table(noun), noun }, sort), sqlText`, `))
      this.orderTexts.set(key, order)
    }
    return order
  }

  /** Appends the event, its personal fields sealed with the record's key (src/durable/sealing.ts). */
  appendEvent(event: NewEvent) {
    const noun = this.registry.byName(event.entityType)
    return appendEvent(this.sql, event, noun ? personalFields(noun) : [])
  }
}
