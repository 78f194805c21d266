/**
 * Conditions and sort keys → drizzle SQL over an entity table. Every value is a bound parameter;
 * `$contains` uses instr() rather than LIKE, so it has no pattern-length limit and no wildcards;
 * an `$in` list is one parameter however long it is (see inList).
 */
import { and, asc, desc, eq, gt, gte, isNotNull, isNull, lt, lte, ne, or, sql, type SQL } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Condition, Operator } from '../../domain/query/filter'
import type { SortKey } from '../../domain/query/list-query'
import type { NounSchema } from '../../domain/noun/noun'
import type { EntityTable } from '../schema/entity-table'

const listFieldsCache = new WeakMap<NounSchema, ReadonlySet<string>>()
/** Names of a noun's list fields (JSON arrays), where `$contains` means "has this item". */
export function listFields(noun: NounSchema): ReadonlySet<string> {
  let set = listFieldsCache.get(noun)
  if (!set) listFieldsCache.set(noun, (set = new Set(Object.values(noun.fields).filter((f) => f.list).map((f) => f.name))))
  return set
}

/** The column of a field: own properties of the table only (a field named `constructor` has none). */
export function column(table: EntityTable, field: string): SQLiteColumn {
  const col = Object.hasOwn(table, field) ? (table as unknown as Record<string, SQLiteColumn | undefined>)[field] : undefined
  if (!col) throw new Error(`no column for ${field}`)
  return col
}

/**
 * `col IN (…)` with the whole list as ONE bound parameter, a JSON array read back by json_each, so
 * no list meets SQLite's 100 bound parameters per statement. Values are encoded as the column
 * stores them (booleans as 0/1); json_each yields numbers as numbers and strings as text, and
 * its `value` column has no affinity, so the column's own affinity rules the comparison exactly
 * as with a literal list. The planner still probes an index on `col` once per value.
 */
export function inList(col: SQLiteColumn, values: readonly unknown[]): SQL {
  return sql`${col} IN (SELECT value FROM json_each(${JSON.stringify(values.map((v) => col.mapToDriverValue(v)))}))`
}

const TRUE = sql`1`
const FALSE = sql`0`

/** Finds the table (and list fields) of a related noun, for `relation.field` filters. */
export type TableResolver = (noun: string) => { table: EntityTable; listFields: ReadonlySet<string> }

export function compileCondition(table: EntityTable, condition: Condition, listFields: ReadonlySet<string>, resolve?: TableResolver): SQL {
  if ('and' in condition) return condition.and.length === 0 ? TRUE : (and(...condition.and.map((c) => compileCondition(table, c, listFields, resolve))) ?? TRUE)
  if ('or' in condition) return condition.or.length === 0 ? FALSE : (or(...condition.or.map((c) => compileCondition(table, c, listFields, resolve))) ?? FALSE)
  if ('related' in condition) {
    if (!resolve) throw new Error('relation filters need a table resolver')
    const target = resolve(condition.related.noun)
    const inner = compileCondition(target.table, condition.related.where, target.listFields, resolve)
    return sql`${column(table, condition.field)} IN (SELECT "id" FROM ${target.table} WHERE "deleted_at" IS NULL AND ${inner})`
  }
  return compileLeaf(column(table, condition.field), condition.op, condition.value, listFields.has(condition.field))
}

function compileLeaf(col: SQLiteColumn, op: Operator, value: unknown, isList: boolean): SQL {
  switch (op) {
    case '$eq':
      return value === null ? isNull(col) : eq(col, value)
    case '$ne':
      // "not equal" includes rows where the field is unset, as a user would expect.
      return value === null ? isNotNull(col) : (or(isNull(col), ne(col, value)) as SQL)
    case '$gt':
      return gt(col, value)
    case '$gte':
      return gte(col, value)
    case '$lt':
      return lt(col, value)
    case '$lte':
      return lte(col, value)
    case '$in':
      return inList(col, value as unknown[])
    case '$nin':
      // "not in" includes rows where the field is unset, as $ne does.
      return or(isNull(col), sql`NOT (${inList(col, value as unknown[])})`) as SQL
    case '$exists':
      return value ? isNotNull(col) : isNull(col)
    case '$contains':
      return isList
        ? sql`EXISTS (SELECT 1 FROM json_each(${col}) WHERE json_each.value = ${value})`
        : sql`instr(lower(${col}), lower(${value})) > 0`
  }
}

/**
 * Ties are broken by `$id` in the direction of the last sort key, so an index on (…, field, id)
 * read forwards or backwards yields the page in order: `-score` is `score DESC, id DESC`, which
 * a (source, score, id) index serves without sorting the ties.
 */
export const tieDirection = (sort: SortKey[]): 'asc' | 'desc' => sort.at(-1)?.dir ?? 'asc'

export function orderBy(table: EntityTable, sort: SortKey[]): SQL[] {
  const id = column(table, '$id')
  return [...sort.map((k) => (k.dir === 'asc' ? asc(column(table, k.field)) : desc(column(table, k.field)))), tieDirection(sort) === 'asc' ? asc(id) : desc(id)]
}

/**
 * Keyset "after this row" for an ORDER BY of `sort` then `$id` (see orderBy), matching SQLite's NULL order
 * (NULLs first ascending, last descending), so pages stay stable while rows are inserted.
 */
export function afterRow(table: EntityTable, sort: SortKey[], values: unknown[], id: string): SQL {
  let tail: SQL = tieDirection(sort) === 'asc' ? gt(column(table, '$id'), id) : lt(column(table, '$id'), id)
  for (let i = sort.length - 1; i >= 0; i--) {
    const key = sort[i]!
    const col = column(table, key.field)
    const v = values[i]
    const beyond = comesAfter(col, key.dir, v)
    const same = v === null || v === undefined ? isNull(col) : eq(col, v)
    tail = beyond ? (or(beyond, and(same, tail)) as SQL) : (and(same, tail) as SQL)
  }
  return tail
}

function comesAfter(col: SQLiteColumn, dir: 'asc' | 'desc', v: unknown): SQL | undefined {
  const isNullValue = v === null || v === undefined
  if (dir === 'asc') return isNullValue ? isNotNull(col) : gt(col, v)
  return isNullValue ? undefined : (or(lt(col, v), isNull(col)) as SQL)
}
