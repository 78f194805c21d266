/**
 * The storage projection of a noun: one SQLite table, typed columns, and the indexes `#`/`##` ask
 * for. drizzle-kit reads these tables to generate `migrations/`; the store queries through them.
 */
import { sql } from 'drizzle-orm'
import { index, integer, real, sqliteTable, text, uniqueIndex, type SQLiteColumn, type SQLiteColumnBuilderBase } from 'drizzle-orm/sqlite-core'
import type { StoredField } from '../../domain/noun/grammar'
import type { NounSchema } from '../../domain/noun/noun'

/** `firstName` → `first_name`: SQL-side names follow SQL habits; the API keeps the noun's names. */
export const columnName = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

function columnFor(field: StoredField): SQLiteColumnBuilderBase {
  const name = columnName(field.name)
  if (field.list) return text(name, { mode: 'json' })
  if (field.kind !== 'scalar') return text(name)
  switch (field.type) {
    case 'number':
      return real(name)
    case 'int':
      return integer(name)
    case 'boolean':
      return integer(name, { mode: 'boolean' })
    case 'json':
      return text(name, { mode: 'json' })
    default:
      return text(name)
  }
}

/** Only live rows are indexed: every read filters on `deleted_at IS NULL`, so the planner uses these. */
const live = sql.raw('"deleted_at" IS NULL')

/** The JSON column every entity table has for a tenant's own fields (src/domain/schema). */
export const CUSTOM_COLUMN = 'custom'

export function entityTable(noun: NounSchema) {
  const columns: Record<string, SQLiteColumnBuilderBase> = {
    $id: text('id').primaryKey(),
    $version: integer('version').notNull(),
    $createdAt: text('created_at').notNull(),
    $updatedAt: text('updated_at').notNull(),
    $createdBy: text('created_by').notNull(),
    $deletedAt: text('deleted_at'),
  }
  // A tenant's fields live in one JSON object: adding one is a change of data, never of the table.
  for (const field of Object.values(noun.fields)) if (!field.custom) columns[field.name] = columnFor(field)
  columns[`$${CUSTOM_COLUMN}`] = text(CUSTOM_COLUMN, { mode: 'json' })

  return sqliteTable(noun.table, columns, (t) => {
    const table = t as unknown as Record<string, SQLiteColumn>
    const indexes = [index(`${noun.table}_created_idx`).on(table.$createdAt!, table.$id!).where(live)]
    // A composite index serves filters on its leading field: no separate index for that field.
    const led = new Set(noun.indexes.map((fields) => fields[0]))
    for (const field of Object.values(noun.fields)) {
      // A tenant's fields are indexed by expression when they are declared (src/durable/custom-storage.ts).
      if (field.custom) continue
      const name = `${noun.table}_${columnName(field.name)}`
      if (field.index === 'index' && led.has(field.name)) continue
      if (field.index === 'unique') indexes.push(uniqueIndex(`${name}_uniq`).on(table[field.name]!).where(live))
      else if (field.index === 'index') indexes.push(index(`${name}_idx`).on(table[field.name]!).where(live))
      // Relations are always indexed: reverse lists and `?contact=` filters look them up, always by
      // value (`=`, `IN`), which lets SQLite use an index that leaves out the rows without one. Most
      // rows have none for most relations (a lead's owner, campaign, deal, organization), so each
      // create writes only the entries it can be found by (migration 0021).
      else if (field.kind === 'relation' && !field.list) indexes.push(index(`${name}_idx`).on(table[field.name]!).where(sql.raw(`"deleted_at" IS NULL AND "${table[field.name]!.name}" IS NOT NULL`)))
    }
    for (const fields of noun.indexes)
      indexes.push(index(`${noun.table}_${fields.map((f) => table[f]!.name).join('_')}_idx`).on(...(fields.map((f) => table[f]!) as [SQLiteColumn, ...SQLiteColumn[]])).where(live))
    return indexes
  })
}

export type EntityTable = ReturnType<typeof entityTable>
