/**
 * Storage for a tenant's own schema, derived from its registry as the migrations are from the
 * built-in nouns: a table per noun of its own (`c_<plural>`: meta columns and the JSON column), and
 * an expression index per indexed custom field (`#`, `##`, single relations) on any noun, on the
 * very expression queries use (customExpression), so filters and sorts on them are index-backed.
 *
 * `reconcileStorage` makes the database match the registry: it creates what is missing and drops
 * what no noun asks for any more, so a schema change is one call whatever it changed. Every name
 * put into DDL passes a strict identifier check first and is quoted.
 */
import type { StoredField } from '../domain/noun/grammar'
import type { NounSchema } from '../domain/noun/noun'
import type { NounRegistry } from '../domain/noun/registry'
import { customExpression } from './row-codec'
import { columnName, CUSTOM_COLUMN } from './schema/entity-table'

/** Storage objects this module owns are named with these prefixes, and no migration uses them. */
const TABLE_PREFIX = 'c_'
const INDEX_PREFIX = 'cx_'
const IDENTIFIER = /^[a-z][a-z0-9_]{0,80}$/

/** A name fit for DDL (lowercase letters, digits, `_`), quoted; anything else is a bug upstream, never SQL. */
export function quoted(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`unsafe SQL identifier: ${JSON.stringify(name)}`)
  return `"${name}"`
}

/** Whether a custom field gets an index: declared `#`/`##`, or a single relation (reverse lists look it up). */
export function indexKind(field: StoredField): 'unique' | 'index' | undefined {
  if (!field.custom || field.list) return undefined
  if (field.index === 'unique') return 'unique'
  if (field.index === 'index' || field.kind === 'relation') return 'index'
  return undefined
}

interface IndexSpec {
  name: string
  ddl: string
}


function wantedIndexes(nouns: readonly NounSchema[]): Map<string, IndexSpec> {
  const wanted = new Map<string, IndexSpec>()
  for (const noun of nouns) {
    for (const field of Object.values(noun.fields)) {
      const kind = indexKind(field)
      if (!kind) continue
      // The kind is part of the name, so `#` → `##` drops one index and creates the other.
      const name = `${INDEX_PREFIX}${noun.table}__${columnName(field.name)}__${kind === 'unique' ? 'u' : 'i'}`
      // A plain index carries the id after the value: lists sort ties by id (compile.ts orderBy), so a
      // sorted page walks the index with no sort step. A unique one must stay on the value alone.
      const columns = kind === 'unique' ? customExpression(field.name) : `${customExpression(field.name)}, "id"`
      const ddl = `CREATE ${kind === 'unique' ? 'UNIQUE ' : ''}INDEX ${quoted(name)} ON ${quoted(noun.table)} (${columns}) WHERE "deleted_at" IS NULL`
      wanted.set(name, { name, ddl })
    }
  }
  return wanted
}

function createTable(sql: SqlStorage, table: string) {
  const t = quoted(table)
  sql.exec(`CREATE TABLE ${t} (
    "id" text PRIMARY KEY NOT NULL,
    "version" integer NOT NULL,
    "created_at" text NOT NULL,
    "updated_at" text NOT NULL,
    "created_by" text NOT NULL,
    "deleted_at" text,
    ${quoted(CUSTOM_COLUMN)} text
  )`)
  // Lists without a filter read in creation order (as the built-in tables' `_created_idx`).
  sql.exec(`CREATE INDEX ${quoted(`${table}_created_idx`)} ON ${t} ("created_at", "id") WHERE "deleted_at" IS NULL`)
}

function existing(sql: SqlStorage, type: 'table' | 'index', prefix: string): Set<string> {
  const names = new Set<string>()
  for (const row of sql.exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = ? AND substr(name, 1, ?) = ?`, type, prefix.length, prefix)) names.add(row.name)
  return names
}

/** What a reconcile did, for the schema event and the tests. */
export interface StorageChanges {
  tablesCreated: string[]
  tablesDropped: string[]
  indexesCreated: string[]
  indexesDropped: string[]
}

/**
 * Brings tables and indexes in line with `nouns` (inside the caller's transaction: SQLite's DDL is
 * transactional, so a failed schema change leaves nothing behind). A unique index over duplicate
 * values fails here; the schema change checks for duplicates first and answers 409 instead.
 */
export function reconcileStorage(sql: SqlStorage, nouns: NounRegistry): StorageChanges {
  const changes: StorageChanges = { tablesCreated: [], tablesDropped: [], indexesCreated: [], indexesDropped: [] }
  const all = nouns.all()
  const wantedTables = new Set(all.filter((n) => n.tenantDefined).map((n) => n.table))
  const tables = existing(sql, 'table', TABLE_PREFIX)
  for (const table of wantedTables) {
    if (tables.has(table)) continue
    createTable(sql, table)
    changes.tablesCreated.push(table)
  }
  const wanted = wantedIndexes(all)
  for (const name of existing(sql, 'index', INDEX_PREFIX)) {
    if (wanted.has(name)) {
      wanted.delete(name)
      continue
    }
    sql.exec(`DROP INDEX ${quoted(name)}`)
    changes.indexesDropped.push(name)
  }
  for (const table of tables) {
    if (wantedTables.has(table)) continue
    sql.exec(`DROP TABLE ${quoted(table)}`)
    changes.tablesDropped.push(table)
  }
  for (const { name, ddl } of wanted.values()) {
    sql.exec(ddl)
    changes.indexesCreated.push(name)
  }
  return changes
}
