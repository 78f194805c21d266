/** Noun name → its drizzle table, found among the schema's exports (so a noun is listed once there). */
import { getTableName, is } from 'drizzle-orm'
import { SQLiteTable } from 'drizzle-orm/sqlite-core'
import { nouns } from '../../domain/nouns'
import type { EntityTable } from './entity-table'
import * as schema from './index'

function collectEntityTables(): ReadonlyMap<string, EntityTable> {
  const byName = new Map<string, EntityTable>()
  for (const value of Object.values(schema)) if (is(value, SQLiteTable)) byName.set(getTableName(value), value as EntityTable)
  const tables = new Map<string, EntityTable>()
  for (const noun of nouns.all()) {
    const table = byName.get(noun.table)
    if (!table) throw new Error(`noun ${noun.name} has no table: export entityTable(${noun.name}.schema) from src/durable/schema`)
    tables.set(noun.name, table)
  }
  return tables
}

export const entityTables = collectEntityTables()
