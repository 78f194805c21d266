/**
 * What a schema change does to the stored rows of one noun: the conflicts that stand in its way
 * (values it would lose or invalidate), and, once allowed, the rows rewritten or deleted, each with
 * an event in its own stream (`<noun>.migrated`, `<noun>.dropped`), so history, asOf and replay
 * stay true across schema versions. Used by schema-ops.ts, inside the change's transaction.
 */
import type { EntityRecord } from '../domain/engine/types'
import type { FieldError } from '../domain/errors'
import type { StoredField } from '../domain/noun/grammar'
import type { NounSchema } from '../domain/noun/noun'
import { fieldSchema } from '../domain/noun/validators'
import type { NounDiff } from '../domain/schema/diff'
import type { DispatchContext } from './context'
import { appendRecordEvent } from './record-event'
import { quoted } from './custom-storage'
import { reindex, unindex } from './search-index'
import { searchFields } from '../domain/search'
import { customExpression, customPath } from './row-codec'
import { CUSTOM_COLUMN } from './schema/entity-table'

export interface RowPlan {
  conflicts: FieldError[]
  /** Rewrites the rows the change touches (one event each); returns how many. */
  rewrite(version: number): number
  /** Deletes the rows of a noun that goes (one event each); returns how many. */
  drop(version: number): number
}

const SAMPLE = 5
type Scalar = string | number | boolean | null
const sampleOf = (value: unknown): Scalar => (value === null || ['string', 'number', 'boolean'].includes(typeof value) ? (value as Scalar) : JSON.stringify(value))

/** Rows of a noun holding a value in a custom field (soft-deleted rows too: a restore brings them back). */
function rowsWithValue(ctx: DispatchContext, noun: NounSchema, field: string): { id: string; value: unknown; live: boolean }[] {
  const rows: { id: string; value: unknown; live: boolean }[] = []
  const cursor = ctx.store.sql.exec<{ id: string; custom: string; deleted_at: string | null }>(
    `SELECT "id", "${CUSTOM_COLUMN}" AS custom, "deleted_at" FROM ${quoted(noun.table)} WHERE json_type("${CUSTOM_COLUMN}", ${customPath(field)}) NOT IN ('null')`,
  )
  for (const row of cursor) rows.push({ id: row.id, value: (JSON.parse(row.custom) as Record<string, unknown>)[field], live: row.deleted_at === null })
  return rows
}

function countLiveWithout(ctx: DispatchContext, noun: NounSchema, field: string): number {
  return ctx.store.sql
    .exec<{ n: number }>(`SELECT count(*) AS n FROM ${quoted(noun.table)} WHERE "deleted_at" IS NULL AND coalesce(json_type("${CUSTOM_COLUMN}", ${customPath(field)}), 'null') = 'null'`)
    .one().n
}

function duplicates(ctx: DispatchContext, noun: NounSchema, field: string): { rows: number; values: Scalar[] } {
  const expr = customExpression(field)
  let rows = 0
  const values: Scalar[] = []
  for (const row of ctx.store.sql.exec<{ v: string | number | null; n: number }>(
    `SELECT ${expr} AS v, count(*) AS n FROM ${quoted(noun.table)} WHERE "deleted_at" IS NULL AND ${expr} IS NOT NULL GROUP BY v HAVING count(*) > 1 ORDER BY n DESC`,
  )) {
    rows += row.n
    if (values.length < SAMPLE) values.push(row.v)
  }
  return { rows, values }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/**
 * Reads the stored rows against the change: what stands in the way (conflicts), and, when the
 * request allows it, which values go (`drop`) and which rows get a new required field's default.
 */
export function planRows(ctx: DispatchContext, oldNoun: NounSchema, newNoun: NounSchema | undefined, diff: NounDiff, drop: ReadonlySet<string>): RowPlan {
  const conflicts: FieldError[] = []
  if (!newNoun) {
    const n = ctx.store.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${quoted(oldNoun.table)}`).one().n
    if (n > 0 && !drop.has(oldNoun.name))
      conflicts.push({ path: oldNoun.name, message: `${plural(n, 'record')} of ${oldNoun.name} ${n === 1 ? 'is' : 'are'} stored (deleted ones included); repeat with ?drop=${oldNoun.name} to delete them with the noun`, rows: n })
    return { conflicts, rewrite: () => 0, drop: (version) => (n > 0 ? dropRows(ctx, oldNoun, version) : 0) }
  }

  /** id → fields whose value goes from that row. */
  const removals = new Map<string, Set<string>>()
  const remove = (id: string, field: string) => {
    let set = removals.get(id)
    if (!set) removals.set(id, (set = new Set()))
    set.add(field)
  }
  const fills: StoredField[] = []

  for (const field of diff.dropped) {
    const rows = rowsWithValue(ctx, oldNoun, field.name)
    if (rows.length === 0) continue
    if (!drop.has(field.name)) {
      conflicts.push({ path: field.name, message: `${plural(rows.length, 'row holds', 'rows hold')} a value; repeat with ?drop=${field.name} to drop the field with its values`, rows: rows.length, values: distinctSample(rows.map((r) => r.value)) })
      continue
    }
    for (const row of rows) remove(row.id, field.name)
  }

  for (const change of diff.changed) {
    let droppedLive = 0
    if (change.revalidate) {
      const check = fieldSchema({ ...change.after, required: false })
      const invalid = rowsWithValue(ctx, oldNoun, change.name).filter((row) => !check.safeParse(row.value).success)
      if (invalid.length > 0 && !drop.has(change.name)) {
        conflicts.push({
          path: change.name,
          message: `${plural(invalid.length, 'row holds a value', 'rows hold values')} the new definition does not take; change them first, or repeat with ?drop=${change.name} to drop those values`,
          rows: invalid.length,
          values: distinctSample(invalid.map((r) => r.value)),
        })
        continue
      }
      for (const row of invalid) {
        remove(row.id, change.name)
        if (row.live) droppedLive++
      }
    }
    if (change.nowRequired) {
      const missing = countLiveWithout(ctx, oldNoun, change.name) + droppedLive
      if (missing > 0 && change.after.default === undefined)
        conflicts.push({ path: change.name, message: `${plural(missing, 'live row has', 'live rows have')} no value; give them one first, or declare a default to fill them with`, rows: missing })
      else if (missing > 0) fills.push(change.after)
    }
    if (change.nowUnique) {
      const dups = duplicates(ctx, oldNoun, change.name)
      if (dups.rows > 0)
        conflicts.push({ path: change.name, message: `${plural(dups.rows, 'live row shares', 'live rows share')} a value with another; make them distinct before declaring ${change.name} unique`, rows: dups.rows, values: dups.values })
    }
  }
  for (const field of diff.added) {
    if (!field.required) continue
    const missing = countLiveWithout(ctx, oldNoun, field.name)
    if (missing > 0 && field.default === undefined)
      conflicts.push({ path: field.name, message: `is required, and ${plural(missing, 'live row has', 'live rows have')} no value for it; declare a default to fill them with, or add it optional first`, rows: missing })
    else if (missing > 0) fills.push(field)
  }

  // A field whose values stay but whose searching changes (an enum made a string: now searched) is
  // re-read into the index for the rows that hold a value.
  const searched = (noun: NounSchema) => new Set([searchFields(noun).title, ...searchFields(noun).body])
  const [wasSearched, isSearched] = [searched(oldNoun), searched(newNoun)]
  const reread = new Set<string>()
  for (const change of diff.changed)
    if (wasSearched.has(change.name) !== isSearched.has(change.name)) for (const row of rowsWithValue(ctx, oldNoun, change.name)) if (!removals.has(row.id)) reread.add(row.id)

  return {
    conflicts,
    rewrite: (version) => {
      const rewritten = rewriteRows(ctx, oldNoun, newNoun, removals, fills, version)
      for (const id of reread) {
        const entity = ctx.store.getAny(oldNoun, id)
        if (entity) reindex(ctx.store.sql, newNoun, entity)
      }
      return rewritten
    },
    drop: () => 0,
  }
}

function distinctSample(values: unknown[]): Scalar[] {
  const seen = new Map<string, Scalar>()
  for (const value of values) {
    const sample = sampleOf(value)
    seen.set(JSON.stringify(sample), sample)
    if (seen.size >= SAMPLE) break
  }
  return [...seen.values()]
}

/**
 * The rows a change touches, rewritten one by one with a `<noun>.migrated` event each, so history,
 * asOf and replay show the value gone (or filled) at the version the schema changed.
 */
function rewriteRows(ctx: DispatchContext, oldNoun: NounSchema, newNoun: NounSchema, removals: Map<string, Set<string>>, fills: StoredField[], version: number): number {
  const ids = new Set(removals.keys())
  for (const field of fills) {
    for (const row of ctx.store.sql.exec<{ id: string }>(
      `SELECT "id" FROM ${quoted(oldNoun.table)} WHERE "deleted_at" IS NULL AND coalesce(json_type("${CUSTOM_COLUMN}", ${customPath(field.name)}), 'null') = 'null'`,
    ))
      ids.add(row.id)
  }
  if (ids.size === 0) return 0
  const now = ctx.now()
  const customNames = Object.values(newNoun.fields).filter((f) => f.custom).map((f) => f.name)
  for (const id of ids) {
    const before = ctx.store.getAny(oldNoun, id)
    if (!before) continue
    const next: EntityRecord = { ...before, $version: before.$version + 1, $updatedAt: now }
    const removed = [...(removals.get(id) ?? [])]
    for (const field of removed) delete next[field]
    const filled: Record<string, unknown> = {}
    if (!before.$deletedAt)
      for (const field of fills) if (next[field.name] === undefined || next[field.name] === null) next[field.name] = filled[field.name] = field.default
    const custom: Record<string, unknown> = {}
    for (const name of customNames) if (next[name] !== undefined && next[name] !== null) custom[name] = next[name]
    ctx.store.sql.exec(
      `UPDATE ${quoted(oldNoun.table)} SET "${CUSTOM_COLUMN}" = ?, "version" = ?, "updated_at" = ? WHERE "id" = ?`,
      Object.keys(custom).length > 0 ? JSON.stringify(custom) : null,
      next.$version,
      now,
      id,
    )
    reindex(ctx.store.sql, newNoun, next)
    appendRowEvent(ctx, oldNoun, 'migrate', 'migrated', now, before, next, {
      schemaVersion: version,
      ...(removed.length > 0 ? { dropped: removed } : {}),
      ...(Object.keys(filled).length > 0 ? { filled } : {}),
    })
  }
  return ids.size
}

/** Every row of a noun that goes, with a `<noun>.dropped` event each (its `after` is null: it is gone). */
function dropRows(ctx: DispatchContext, noun: NounSchema, version: number): number {
  const now = ctx.now()
  let n = 0
  const ids = ctx.store.sql.exec<{ id: string }>(`SELECT "id" FROM ${quoted(noun.table)} ORDER BY "created_at", "id"`).toArray()
  for (const { id } of ids) {
    const before = ctx.store.getAny(noun, id)
    if (!before) continue
    unindex(ctx.store.sql, id)
    appendRowEvent(ctx, noun, 'drop', 'dropped', now, before, null, { schemaVersion: version })
    n++
  }
  return n
}

/** The event of a row a schema change rewrote or deleted: the row's stream goes on, caused by the change. */
function appendRowEvent(ctx: DispatchContext, noun: NounSchema, verb: string, past: string, at: string, before: EntityRecord, after: EntityRecord | null, data: Record<string, unknown>) {
  appendRecordEvent(ctx, noun, { verb, past, at, before, after, data })
}
