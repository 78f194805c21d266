/**
 * Hot-path SQL for one entity table, precomputed from its drizzle definition: the statements for
 * get / insert / update and the value mapping drizzle itself uses (JSON, booleans). The verb
 * engine's writes go through these, so a create is a few cached statements, not query building.
 */
import { getTableColumns, getTableName } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { EntityRecord } from '../domain/engine/types'
import type { NounSchema } from '../domain/noun/noun'
import { CUSTOM_COLUMN, type EntityTable } from './schema/entity-table'
import { eventHeldFields } from './event-held'

/** The values of a record's creation event (`after` as stored), for the fields its row does not hold. */
export type CreationValues = (id: string) => Record<string, unknown> | undefined

const encodeValue = (column: SQLiteColumn, value: unknown): SqlStorageValue =>
  value === undefined || value === null ? null : (column.mapToDriverValue(value) as SqlStorageValue)

/** Distinct column sets kept per table before the cache starts over (verbs use a handful). */
const MAX_UPDATE_SHAPES = 256

/** The key of the custom JSON column among a table's columns (`$custom`: no field can be named so). */
const CUSTOM_KEY = `$${CUSTOM_COLUMN}`

export class RowCodec {
  readonly columns: { key: string; column: SQLiteColumn }[]
  /** The noun's fields that live in the JSON column, in declaration order (so its text is stable). */
  private readonly customFields: readonly string[]
  private readonly customIndex: number
  /** Column positions whose values live in the creation event only (src/durable/event-held.ts). */
  private readonly heldIndexes: ReadonlySet<number>
  private readonly typeName: string
  readonly selectLive: string
  readonly selectAny: string
  /** Live rows whose ids are in a JSON array (one bound parameter however many ids). */
  readonly selectLiveIn: string
  /** Rows whose ids are in a JSON array, soft-deleted ones too, oldest first. */
  readonly selectAnyIn: string
  readonly insert: string
  readonly existsLive: string
  private readonly tableName: string
  private readonly selectList: string

  constructor(noun: NounSchema, table: EntityTable) {
    this.typeName = noun.name
    this.columns = Object.entries(getTableColumns(table)).map(([key, column]) => ({ key, column: column as SQLiteColumn }))
    this.customFields = Object.values(noun.fields).filter((f) => f.custom).map((f) => f.name)
    this.customIndex = this.columns.findIndex((c) => c.key === CUSTOM_KEY)
    if (this.customIndex < 0) throw new Error(`${noun.name}: the table has no ${CUSTOM_COLUMN} column`)
    const held = eventHeldFields(noun)
    this.heldIndexes = new Set(this.columns.flatMap((c, i) => (held.includes(c.key) ? [i] : [])))
    const name = `"${getTableName(table)}"`
    this.tableName = name
    this.byKey = new Map(this.columns.map((c) => [c.key, c.column]))
    const list = this.columns.map((c) => `"${c.column.name}"`)
    this.selectList = `SELECT ${list.join(', ')}`
    this.selectLive = `${this.selectList} FROM ${name} WHERE "id" = ? AND "deleted_at" IS NULL`
    this.selectAny = `${this.selectList} FROM ${name} WHERE "id" = ?`
    this.selectLiveIn = `${this.selectList} FROM ${name} WHERE "id" IN (SELECT value FROM json_each(?)) AND "deleted_at" IS NULL`
    this.selectAnyIn = `${this.selectList} FROM ${name} WHERE "id" IN (SELECT value FROM json_each(?)) ORDER BY "created_at", "id"`
    this.existsLive = `SELECT 1 FROM ${name} WHERE "id" = ? AND "deleted_at" IS NULL`
    this.insert = `INSERT INTO ${name} (${list.join(', ')}) VALUES (${list.map(() => '?').join(', ')})`
    if (this.columns[0]?.key !== '$id') throw new Error(`${noun.name}: the id column must come first`)
  }

  private readonly byKey: Map<string, SQLiteColumn>
  private readonly lookups = new Map<string, string>()

  private columnOf(field: string): SQLiteColumn {
    const column = this.byKey.get(field)
    if (!column) throw new Error(`${this.typeName} has no column for ${field}`)
    return column
  }

  /**
   * `SELECT <every column>` of the live rows matching `where` (SQL text with `?` parameters), in
   * `order`, one page: `LIMIT ?`, then `OFFSET ?` when `offset`. Parameters bind in that order.
   */
  selectLiveWhere(where: string, order: string, offset: boolean): string {
    return `${this.selectList} FROM ${this.tableName} WHERE "deleted_at" IS NULL AND (${where}) ORDER BY ${order} LIMIT ?${offset ? ' OFFSET ?' : ''}`
  }

  /** How many live rows match `where` (SQL text with `?` parameters). */
  countLiveWhere(where: string): string {
    return `SELECT count(*) FROM ${this.tableName} WHERE "deleted_at" IS NULL AND (${where})`
  }

  /** `SELECT <every column> … WHERE <field> = ?` on live rows (one row), built once per field. */
  findBy(field: string): string {
    let statement = this.lookups.get(field)
    if (!statement) {
      const target = this.customFields.includes(field) ? customExpression(field) : `"${this.columnOf(field).name}"`
      statement = `${this.selectList} FROM ${this.tableName} WHERE ${target} = ? AND "deleted_at" IS NULL LIMIT 1`
      this.lookups.set(field, statement)
    }
    return statement
  }

  /** UPDATE statements by the set of columns they write (a verb touches a few, always the same few). */
  private readonly updates = new Map<string, string>()

  /**
   * `UPDATE … SET` of the columns whose stored value differs between `before` and `after` (the
   * version always does): SQLite rewrites the entries of every index on a column named in the SET
   * list whether or not its value changed, so writing the whole row would touch every index.
   */
  updateChanged(before: EntityRecord, after: EntityRecord): { statement: string; values: SqlStorageValue[] } {
    const next = this.encode(after)
    const previous = this.encode(before)
    const changed: number[] = []
    for (let i = 1; i < next.length; i++) if (next[i] !== previous[i]) changed.push(i)
    if (changed.length === 0) changed.push(1) // nothing differs (not even the version): a harmless write keeps the statement valid
    const key = changed.join(',')
    let statement = this.updates.get(key)
    if (!statement) {
      if (this.updates.size >= MAX_UPDATE_SHAPES) this.updates.clear()
      statement = `UPDATE ${this.tableName} SET ${changed.map((i) => `"${this.columns[i]!.column.name}" = ?`).join(', ')} WHERE "id" = ?`
      this.updates.set(key, statement)
    }
    return { statement, values: [...changed.map((i) => next[i]!), next[0]!] }
  }

  encodeField(field: string, value: unknown): SqlStorageValue {
    if (this.customFields.includes(field)) return jsonScalar(value)
    return encodeValue(this.columnOf(field), value)
  }

  /** Stored values, in column order; the tenant's fields as one JSON object (null when none is set). */
  encode(entity: EntityRecord): SqlStorageValue[] {
    return this.columns.map(({ key, column }, i) =>
      i === this.customIndex ? this.encodeCustom(entity) : this.heldIndexes.has(i) ? null : encodeValue(column, entity[key]),
    )
  }

  private encodeCustom(entity: EntityRecord): string | null {
    if (this.customFields.length === 0) return null
    const values: Record<string, unknown> = {}
    let any = false
    for (const name of this.customFields) {
      const value = entity[name]
      if (value === null || value === undefined) continue
      values[name] = value
      any = true
    }
    return any ? JSON.stringify(values) : null
  }

  /** Whether the row leaves a field to its creation event (src/durable/event-held.ts): decode will ask for it. */
  lacksHeld(values: SqlStorageValue[]): boolean {
    for (const i of this.heldIndexes) if (values[i] === null || values[i] === undefined) return true
    return false
  }

  /**
   * A raw row (column order) → the API's entity: unset fields omitted, the tenant's fields in place,
   * fields held in the creation event (`created`, asked at most once per row) in their column's place.
   */
  decode(values: SqlStorageValue[], created: CreationValues): EntityRecord {
    const entity: Record<string, unknown> = { $id: values[0], $type: this.typeName }
    let creation: Record<string, unknown> | undefined | null = null
    for (let i = 1; i < this.columns.length; i++) {
      const value = values[i]
      if ((value === null || value === undefined) && this.heldIndexes.has(i)) {
        if (creation === null) creation = created(values[0] as string)
        const key = this.columns[i]!.key
        if (creation && creation[key] !== null && creation[key] !== undefined) entity[key] = creation[key]
        continue
      }
      if (value === null || value === undefined) continue
      if (i === this.customIndex) this.decodeCustom(value, entity)
      else entity[this.columns[i]!.key] = this.columns[i]!.column.mapFromDriverValue(value)
    }
    return entity as EntityRecord
  }

  /** Only the fields the noun declares now: a value left by a field since dropped stays out of sight. */
  private decodeCustom(value: SqlStorageValue, entity: Record<string, unknown>) {
    if (typeof value !== 'string' || this.customFields.length === 0) return
    const stored = JSON.parse(value) as Record<string, unknown>
    for (const name of this.customFields) if (Object.hasOwn(stored, name) && stored[name] !== null) entity[name] = stored[name]
  }
}

/**
 * A tenant's field inside the JSON column, as SQL: the same text in queries and in the expression
 * indexes (src/durable/custom-storage.ts), so the planner can use them. Field names are checked by
 * the schema's grammar (`[a-z][A-Za-z0-9]*`), so the path is safe as a literal.
 */
export function customExpression(field: string, table?: string): string {
  return `json_extract(${table ? `"${table}".` : ''}"${CUSTOM_COLUMN}", ${customPath(field)})`
}

/** The JSON path of a tenant's field as an SQL literal (`'$.shoeSize'`), its name checked first. */
export function customPath(field: string): string {
  if (!/^[a-z][A-Za-z0-9]*$/.test(field)) throw new Error(`not a field name: ${field}`)
  return `'$.${field}'`
}

/** A value as json_extract gives it back: JSON true/false are 1/0 in SQL. */
export function jsonScalar(value: unknown): SqlStorageValue {
  if (value === null || value === undefined) return null
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'object') return JSON.stringify(value)
  return value as SqlStorageValue
}
