/**
 * Hot-path SQL for one entity table, precomputed from its drizzle definition: the statements for
 * get / insert / update and the value mapping drizzle itself uses (JSON, booleans). The verb
 * engine's writes go through these, so a create is a few cached statements, not query building.
 */
import { getTableColumns, getTableName } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { EntityRecord } from '../domain/engine/types'
import type { EntityTable } from './schema/entity-table'

const encodeValue = (column: SQLiteColumn, value: unknown): SqlStorageValue =>
  value === undefined || value === null ? null : (column.mapToDriverValue(value) as SqlStorageValue)

/** Distinct column sets kept per table before the cache starts over (verbs use a handful). */
const MAX_UPDATE_SHAPES = 256

export class RowCodec {
  readonly columns: { key: string; column: SQLiteColumn }[]
  readonly selectLive: string
  readonly selectAny: string
  readonly insert: string
  readonly existsLive: string
  private readonly tableName: string
  private readonly selectList: string

  constructor(
    private readonly typeName: string,
    table: EntityTable,
  ) {
    this.columns = Object.entries(getTableColumns(table)).map(([key, column]) => ({ key, column: column as SQLiteColumn }))
    const name = `"${getTableName(table)}"`
    this.tableName = name
    this.byKey = new Map(this.columns.map((c) => [c.key, c.column]))
    const list = this.columns.map((c) => `"${c.column.name}"`)
    this.selectList = `SELECT ${list.join(', ')}`
    this.selectLive = `${this.selectList} FROM ${name} WHERE "id" = ? AND "deleted_at" IS NULL`
    this.selectAny = `${this.selectList} FROM ${name} WHERE "id" = ?`
    this.existsLive = `SELECT 1 FROM ${name} WHERE "id" = ? AND "deleted_at" IS NULL`
    this.insert = `INSERT INTO ${name} (${list.join(', ')}) VALUES (${list.map(() => '?').join(', ')})`
    if (this.columns[0]?.key !== '$id') throw new Error(`${typeName}: the id column must come first`)
  }

  private readonly byKey: Map<string, SQLiteColumn>
  private readonly lookups = new Map<string, string>()

  private columnOf(field: string): SQLiteColumn {
    const column = this.byKey.get(field)
    if (!column) throw new Error(`${this.typeName} has no column for ${field}`)
    return column
  }

  /** `SELECT <every column> … WHERE <field> = ?` on live rows (one row), built once per field. */
  findBy(field: string): string {
    let statement = this.lookups.get(field)
    if (!statement) {
      statement = `${this.selectList} FROM ${this.tableName} WHERE "${this.columnOf(field).name}" = ? AND "deleted_at" IS NULL LIMIT 1`
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
    return encodeValue(this.columnOf(field), value)
  }

  /** Stored values, in column order. */
  encode(entity: EntityRecord): SqlStorageValue[] {
    return this.columns.map(({ key, column }) => encodeValue(column, entity[key]))
  }

  /** A raw row (column order) → the API's entity: unset fields omitted. */
  decode(values: SqlStorageValue[]): EntityRecord {
    const entity: Record<string, unknown> = { $id: values[0], $type: this.typeName }
    for (let i = 1; i < this.columns.length; i++) {
      const value = values[i]
      if (value !== null && value !== undefined) entity[this.columns[i]!.key] = this.columns[i]!.column.mapFromDriverValue(value)
    }
    return entity as EntityRecord
  }
}
