/**
 * Hot-path SQL for one entity table, precomputed from its drizzle definition: the statements for
 * get / insert / update and the value mapping drizzle itself uses (JSON, booleans). The verb
 * engine's writes go through these, so a create is a few cached statements, not query building.
 */
import { getTableColumns, getTableName } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { EntityRecord } from '../domain/engine/types'
import type { EntityTable } from './schema/entity-table'

export class RowCodec {
  readonly columns: { key: string; column: SQLiteColumn }[]
  readonly selectLive: string
  readonly selectAny: string
  readonly insert: string
  readonly update: string
  readonly existsLive: string
  private readonly tableName: string

  constructor(
    private readonly typeName: string,
    table: EntityTable,
  ) {
    this.columns = Object.entries(getTableColumns(table)).map(([key, column]) => ({ key, column: column as SQLiteColumn }))
    const name = `"${getTableName(table)}"`
    this.tableName = name
    const list = this.columns.map((c) => `"${c.column.name}"`)
    this.selectLive = `SELECT ${list.join(', ')} FROM ${name} WHERE "id" = ? AND "deleted_at" IS NULL`
    this.selectAny = `SELECT ${list.join(', ')} FROM ${name} WHERE "id" = ?`
    this.existsLive = `SELECT 1 FROM ${name} WHERE "id" = ? AND "deleted_at" IS NULL`
    this.insert = `INSERT INTO ${name} (${list.join(', ')}) VALUES (${list.map(() => '?').join(', ')})`
    this.update = `UPDATE ${name} SET ${list.slice(1).map((c) => `${c} = ?`).join(', ')} WHERE "id" = ?`
    if (this.columns[0]?.key !== '$id') throw new Error(`${typeName}: the id column must come first`)
  }

  private readonly lookups = new Map<string, string>()

  /** `SELECT id … WHERE <field> = ?` on live rows, built once per field. */
  findBy(field: string): string {
    let statement = this.lookups.get(field)
    if (!statement) {
      const column = this.columns.find((c) => c.key === field)
      if (!column) throw new Error(`${this.typeName} has no column for ${field}`)
      statement = `SELECT "id" FROM ${this.tableName} WHERE "${column.column.name}" = ? AND "deleted_at" IS NULL LIMIT 1`
      this.lookups.set(field, statement)
    }
    return statement
  }

  encodeField(field: string, value: unknown): SqlStorageValue {
    const column = this.columns.find((c) => c.key === field)!
    return value === undefined || value === null ? null : (column.column.mapToDriverValue(value) as SqlStorageValue)
  }

  /** Stored values, in column order. */
  encode(entity: EntityRecord): SqlStorageValue[] {
    return this.columns.map(({ key, column }) => {
      const value = entity[key]
      return value === undefined || value === null ? null : (column.mapToDriverValue(value) as SqlStorageValue)
    })
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
