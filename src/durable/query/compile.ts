/**
 * Conditions and sort keys → drizzle SQL over an entity table. Every value is a bound parameter;
 * `$contains` uses instr() rather than LIKE, so it has no pattern-length limit and no wildcards;
 * an `$in` list is one parameter however long it is (see inList). A tenant's own fields live in
 * the row's JSON column and are reached by the same expression their indexes are built on.
 */
import { and, asc, desc, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Condition, Operator } from '../../domain/query/filter'
import type { SortKey } from '../../domain/query/list-query'
import type { NounSchema } from '../../domain/noun/noun'
import { own } from '../../domain/own'
import { customExpression, jsonScalar } from '../row-codec'
import type { EntityTable } from '../schema/entity-table'
import { getTableName } from 'drizzle-orm'

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

/** What a query runs over: a noun and its table. */
export interface QueryTarget {
  table: EntityTable
  noun: NounSchema
}

/** A field as SQL: its column, or its place in the JSON column; and how a value is written to compare with it. */
export interface FieldRef {
  sql: SQL | SQLiteColumn
  encode(value: unknown): unknown
  isList: boolean
}

export function fieldRef(target: QueryTarget, field: string): FieldRef {
  const spec = own(target.noun.fields, field)
  if (spec?.custom) return { sql: sql.raw(customExpression(field, getTableName(target.table))), encode: jsonScalar, isList: spec.list }
  const col = column(target.table, field)
  return { sql: col, encode: (v) => (v === null || v === undefined ? null : col.mapToDriverValue(v)), isList: spec?.list ?? false }
}

/**
 * `col IN (…)` with the whole list as ONE bound parameter, a JSON array read back by json_each, so
 * no list meets SQLite's 100 bound parameters per statement. Values are encoded as the column
 * stores them (booleans as 0/1); json_each yields numbers as numbers and strings as text, and
 * its `value` column has no affinity, so the column's own affinity rules the comparison exactly
 * as with a literal list. The planner still probes an index on `col` once per value.
 */
function inList(ref: FieldRef, values: readonly unknown[]): SQL {
  return sql`${ref.sql} IN (SELECT value FROM json_each(${JSON.stringify(values.map((v) => ref.encode(v)))}))`
}

const TRUE = sql`1`
const FALSE = sql`0`

/** Finds the table of a related noun, for `relation.field` filters. */
export type TableResolver = (noun: string) => QueryTarget

export function compileCondition(target: QueryTarget, condition: Condition, resolve?: TableResolver): SQL {
  if ('and' in condition) return condition.and.length === 0 ? TRUE : (and(...condition.and.map((c) => compileCondition(target, c, resolve))) ?? TRUE)
  if ('or' in condition) return condition.or.length === 0 ? FALSE : (or(...condition.or.map((c) => compileCondition(target, c, resolve))) ?? FALSE)
  if ('search' in condition)
    return sql`${column(target.table, '$id')} IN (SELECT d.entity_id FROM search_fts JOIN search_docs d ON d.rowid = search_fts.rowid WHERE search_fts MATCH ${condition.search} AND d.entity_type = ${target.noun.name})`
  if ('related' in condition) {
    if (!resolve) throw new Error('relation filters need a table resolver')
    const related = resolve(condition.related.noun)
    const inner = compileCondition(related, condition.related.where, resolve)
    return sql`${fieldRef(target, condition.field).sql} IN (SELECT "id" FROM ${related.table} WHERE "deleted_at" IS NULL AND ${inner})`
  }
  return compileLeaf(fieldRef(target, condition.field), condition.op, condition.value)
}

function compileLeaf(ref: FieldRef, op: Operator, value: unknown): SQL {
  const col = ref.sql
  const v = () => ref.encode(value)
  switch (op) {
    case '$eq':
      return value === null ? isNull(col) : sql`${col} = ${v()}`
    case '$ne':
      // "not equal" includes rows where the field is unset, as a user would expect.
      return value === null ? isNotNull(col) : (or(isNull(col), sql`${col} <> ${v()}`) as SQL)
    case '$gt':
      return sql`${col} > ${v()}`
    case '$gte':
      return sql`${col} >= ${v()}`
    case '$lt':
      return sql`${col} < ${v()}`
    case '$lte':
      return sql`${col} <= ${v()}`
    case '$in':
      return inList(ref, value as unknown[])
    case '$nin':
      // "not in" includes rows where the field is unset, as $ne does.
      return or(isNull(col), sql`NOT (${inList(ref, value as unknown[])})`) as SQL
    case '$exists':
      return value ? isNotNull(col) : isNull(col)
    case '$contains':
      // An item of a JSON array compares as itself (json_each yields it unencoded).
      return ref.isList ? sql`EXISTS (SELECT 1 FROM json_each(${col}) WHERE json_each.value = ${value})` : sql`instr(lower(${col}), lower(${value})) > 0`
  }
}

/**
 * Ties are broken by `$id` in the direction of the last sort key, so an index on (…, field, id)
 * read forwards or backwards yields the page in order: `-score` is `score DESC, id DESC`, which
 * a (source, score, id) index serves without sorting the ties.
 */
export const tieDirection = (sort: SortKey[]): 'asc' | 'desc' => sort.at(-1)?.dir ?? 'asc'

export function orderBy(target: QueryTarget, sort: SortKey[]): SQL[] {
  const id = column(target.table, '$id')
  return [...sort.map((k) => (k.dir === 'asc' ? asc(fieldRef(target, k.field).sql) : desc(fieldRef(target, k.field).sql))), tieDirection(sort) === 'asc' ? asc(id) : desc(id)]
}

/** Where a relation field points back: `"contact" = ?` (or its place in the JSON column). */
export function pointsTo(target: QueryTarget, via: string, id: string): SQL {
  const ref = fieldRef(target, via)
  // A list relation (`-> Contact[]`) holds a JSON array of ids: it points to every id it lists.
  if (ref.isList) return sql`EXISTS (SELECT 1 FROM json_each(${ref.sql}) WHERE json_each.value = ${id})`
  return sql`${ref.sql} = ${ref.encode(id)}`
}

/**
 * Keyset "after this row" for an ORDER BY of `sort` then `$id` (see orderBy), matching SQLite's NULL order
 * (NULLs first ascending, last descending), so pages stay stable while rows are inserted.
 */
export function afterRow(target: QueryTarget, sort: SortKey[], values: unknown[], id: string): SQL {
  const idCol = column(target.table, '$id')
  let tail: SQL = tieDirection(sort) === 'asc' ? sql`${idCol} > ${id}` : sql`${idCol} < ${id}`
  for (let i = sort.length - 1; i >= 0; i--) {
    const key = sort[i]!
    const ref = fieldRef(target, key.field)
    const v = values[i]
    const beyond = comesAfter(ref, key.dir, v)
    const same = v === null || v === undefined ? isNull(ref.sql) : sql`${ref.sql} = ${ref.encode(v)}`
    tail = beyond ? (or(beyond, and(same, tail)) as SQL) : (and(same, tail) as SQL)
  }
  return tail
}

function comesAfter(ref: FieldRef, dir: 'asc' | 'desc', v: unknown): SQL | undefined {
  const isNullValue = v === null || v === undefined
  if (dir === 'asc') return isNullValue ? isNotNull(ref.sql) : sql`${ref.sql} > ${ref.encode(v)}`
  return isNullValue ? undefined : (or(sql`${ref.sql} < ${ref.encode(v)}`, isNull(ref.sql)) as SQL)
}
