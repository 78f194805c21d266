/**
 * A tenant's schema changes (`PUT/DELETE /nouns/{Name}`): checked against the grammar, then against
 * the stored rows, then applied in the caller's transaction: rows rewritten (each with an event),
 * tables and indexes reconciled, the document stored with a new version, and one `schema.changed`
 * event with the definition before and after. Anything that would lose or invalidate stored values
 * is a 409 `schema_conflict` naming the rows and values, unless the request names it in `drop`.
 */
import type { EntityRecord } from '../domain/engine/types'
import { AppError, type FieldError } from '../domain/errors'
import { newId } from '../domain/ids'
import type { StoredField } from '../domain/noun/grammar'
import type { NounSchema } from '../domain/noun/noun'
import { fieldSchema } from '../domain/noun/validators'
import { own } from '../domain/own'
import { diffNoun, type NounDiff } from '../domain/schema/diff'
import { NounBodyShape, prototypeKeyErrors, type NounBody, type SchemaDoc } from '../domain/schema/doc'
import { buildRegistry, type TenantRegistry } from '../domain/schema/registry'
import { toFieldErrors } from '../domain/noun/validators'
import type { TenantSettings } from '../domain/settings'
import { validateAutomations } from '../domain/automations'
import { dashboardProblems } from '../domain/dashboard-fields'
import { validateRuleset } from '../domain/scoring/rules'
import { appendAudit } from './audit'
import type { DispatchContext } from './context'
import { reconcileStorage, type StorageChanges } from './custom-storage'
import { appendEvent } from './event-log'
import { customExpression } from './row-codec'
import { CUSTOM_COLUMN } from './schema/entity-table'
import { BUILT_IN_NOUNS } from './tenant-nouns'

/** A noun as `GET /nouns` shows it: the whole definition in the DSL, and the tenant's part of it. */
export interface NounView {
  name: string
  collection: string
  idPrefix: string
  builtIn: boolean
  /** Every field and verb, in the Noun DSL. */
  definition: Record<string, string | null>
  /** The tenant's own part: what `PUT /nouns/{name}` takes (for a noun of its own, the whole definition). */
  custom: Record<string, string | null>
}

export function nounView(registry: TenantRegistry, noun: NounSchema): NounView {
  const custom = { ...(own(registry.doc.nouns, noun.name) ?? {}) }
  const builtIn = registry.isBuiltIn(noun.name)
  return {
    name: noun.name,
    collection: noun.plural,
    idPrefix: noun.idPrefix,
    builtIn,
    definition: builtIn ? { ...noun.definition, ...custom } : { ...noun.definition },
    custom,
  }
}

export function describeSchema(registry: TenantRegistry, version: number) {
  return { version, data: registry.all().map((noun) => nounView(registry, noun)) }
}

export function describeNoun(registry: TenantRegistry, name: string): NounView {
  const noun = registry.byName(name)
  if (!noun) throw new AppError('not_found', `there is no noun '${name}'`)
  return nounView(registry, noun)
}

export interface SchemaChangeResult {
  version: number
  noun: NounView | null
  /** Rows rewritten (values dropped, defaults filled), and rows deleted with a noun. */
  migrated: number
  dropped: number
}

/** `PUT /nouns/{name}`: the tenant's fields on a built-in noun, or the whole of a noun of its own. */
export function putNoun(ctx: DispatchContext, name: string, body: unknown, drop: readonly string[]): SchemaChangeResult & { created: boolean } {
  const reserved = prototypeKeyErrors(body, name, 1)
  if (reserved.length > 0) throw new AppError('validation_failed', `the definition of ${name} is not valid`, reserved)
  const parsed = NounBodyShape.safeParse(body)
  if (!parsed.success) throw new AppError('validation_failed', `the definition of ${name} is not valid`, toFieldErrors(parsed.error))
  const created = ctx.nouns.byName(name) === undefined
  const nouns = { ...ctx.nouns.doc.nouns }
  // A built-in noun with no fields of the tenant's is the built-in noun: nothing to keep.
  if (ctx.nouns.isBuiltIn(name) && Object.keys(parsed.data).length === 0) delete nouns[name]
  else nouns[name] = parsed.data
  return { ...changeSchema(ctx, name, { nouns }, drop, 'put'), created }
}

/** `DELETE /nouns/{name}`: a noun of the tenant's own (its rows go only when `drop` names it). */
export function deleteNoun(ctx: DispatchContext, name: string, drop: readonly string[]): SchemaChangeResult {
  const noun = ctx.nouns.byName(name)
  if (!noun) throw new AppError('not_found', `there is no noun '${name}'`)
  if (!noun.tenantDefined) throw new AppError('method_not_allowed', `${name} is built in and cannot be deleted; PUT {} removes the tenant's own fields from it`)
  const nouns = { ...ctx.nouns.doc.nouns }
  delete nouns[name]
  return changeSchema(ctx, name, { nouns }, drop, 'delete')
}

function changeSchema(ctx: DispatchContext, name: string, doc: SchemaDoc, drop: readonly string[], verb: 'put' | 'delete'): SchemaChangeResult {
  const plan = planSchema(ctx, doc, { [name]: drop }, (_noun, path) => path)
  const conflicts = [...plan.conflicts, ...settingsConflicts(ctx.tenant.settings(), plan.after)]
  if (conflicts.length > 0) throw new AppError('schema_conflict', `the change to ${name} would lose or invalidate stored values; nothing was changed`, conflicts)
  const applied = applySchema(ctx, plan)
  appendAudit(ctx.store.sql, ctx.actor, ctx.requestId, {
    type: 'schema.changed',
    entityType: 'Schema',
    entityId: 'schema',
    verb,
    data: { noun: name, version: applied.version, before: own(ctx.nouns.doc.nouns, name) ?? null, after: own(doc.nouns, name) ?? null, migrated: applied.migrated, dropped: applied.dropped, storage: { ...applied.storage } },
  })
  const newNoun = plan.after.byName(name)
  return { version: applied.version, noun: newNoun ? nounView(plan.after, newNoun) : null, migrated: applied.migrated, dropped: applied.dropped }
}

/** What a new schema document would do, checked against the stored rows; nothing is written yet. */
export interface SchemaPlan {
  doc: SchemaDoc
  after: TenantRegistry
  /** Nouns whose body changes (added, changed, removed), in document order. */
  changed: string[]
  conflicts: FieldError[]
  rows: RowPlan[]
}

const canonical = (value: unknown) => JSON.stringify(value ?? null)

/**
 * Builds the registry of `doc` (422 naming the field if it does not build) and reads the rows of
 * every noun whose body changes against it. `drop`: per noun, the fields (or the noun's own name)
 * whose values may go; `pathOf` places a conflict's field for the caller (`shoeSize`, `nouns.Contact.shoeSize`).
 */
export function planSchema(ctx: DispatchContext, doc: SchemaDoc, drop: Readonly<Record<string, readonly string[]>>, pathOf: (noun: string, path: string) => string): SchemaPlan {
  const before = ctx.nouns
  const after = buildRegistry(BUILT_IN_NOUNS, doc)
  const names = [...new Set([...Object.keys(before.doc.nouns), ...Object.keys(doc.nouns)])]
  const changed = names.filter((name) => canonical(own(before.doc.nouns, name)) !== canonical(own(doc.nouns, name)))
  for (const [name, fields] of Object.entries(drop)) {
    const oldNoun = before.byName(name)
    for (const field of fields) {
      const known = field === name || (oldNoun && own(oldNoun.fields, field)?.custom)
      if (!known) throw new AppError('invalid_query', `drop names '${field}', which is neither ${name} nor one of its own fields`, [{ path: 'drop', message: `unknown: ${field}` }])
    }
  }
  const conflicts: FieldError[] = []
  const rows: RowPlan[] = []
  for (const name of changed) {
    const oldNoun = before.byName(name)
    if (!oldNoun) continue
    const plan = planRows(ctx, oldNoun, after.byName(name), diffNoun(oldNoun, after.byName(name)), new Set(own(drop, name) ?? []))
    conflicts.push(...plan.conflicts.map((c) => ({ ...c, path: pathOf(name, c.path) })))
    rows.push(plan)
  }
  return { doc, after, changed, conflicts, rows }
}

/**
 * Applies a plan without conflicts (inside the caller's transaction): the document with a new
 * version, rows rewritten or dropped with their events, tables and indexes reconciled, and the
 * store reading through the new nouns for the rest of the transaction.
 */
export function applySchema(ctx: DispatchContext, plan: SchemaPlan): { version: number; migrated: number; dropped: number; storage: StorageChanges } {
  const version = ctx.tenant.writeSchema(plan.doc)
  let migrated = 0
  let dropped = 0
  for (const rows of plan.rows) {
    migrated += rows.rewrite(version)
    dropped += rows.drop(version)
  }
  const storage = reconcileStorage(ctx.store.sql, plan.after)
  ctx.store.useNouns(plan.after)
  return { version, migrated, dropped, storage }
}

/**
 * Automations, scoring rules and the dashboard's marked fields are stored against the schema: a
 * change that takes away a field or noun they name would break them at run time (or leave a column
 * with nothing behind it), so it is a conflict naming the setting.
 */
export function settingsConflicts(settings: TenantSettings, after: TenantRegistry): FieldError[] {
  const conflicts: FieldError[] = []
  const collect = (prefix: string, check: () => void) => {
    try {
      check()
    } catch (error) {
      if (!(error instanceof AppError)) throw error
      for (const e of error.errors ?? []) conflicts.push({ path: `${prefix}${e.path}`, message: `${e.message}: change the rule first` })
    }
  }
  collect('settings.', () => validateAutomations(settings.automations, after))
  const fieldsOf = (name: string) => Object.keys(after.byName(name)!.fields)
  collect('settings.scoring.', () => validateRuleset(settings.scoring, { lead: fieldsOf('Lead'), contact: fieldsOf('Contact'), organization: fieldsOf('Organization') }))
  for (const e of dashboardProblems(settings.dashboard, after))
    conflicts.push({ path: `settings.${e.path}`, message: `${e.message} after this change, and the dashboard shows it: take it out of PUT /settings/dashboard first` })
  return conflicts
}

interface RowPlan {
  conflicts: FieldError[]
  /** Rewrites the rows the change touches (one event each); returns how many. */
  rewrite(version: number): number
  /** Deletes the rows of a noun that goes (one event each); returns how many. */
  drop(version: number): number
}

const SAMPLE = 5
/** A custom field as a JSON path: field names come from the grammar (`[a-z][A-Za-z0-9]*`); checked again before SQL. */
function path(field: string): string {
  if (!/^[a-z][A-Za-z0-9]*$/.test(field)) throw new Error(`not a field name: ${field}`)
  return `'$.${field}'`
}
type Scalar = string | number | boolean | null
const sampleOf = (value: unknown): Scalar => (value === null || ['string', 'number', 'boolean'].includes(typeof value) ? (value as Scalar) : JSON.stringify(value))

/** Rows of a noun holding a value in a custom field (soft-deleted rows too: a restore brings them back). */
function rowsWithValue(ctx: DispatchContext, noun: NounSchema, field: string): { id: string; value: unknown; live: boolean }[] {
  const rows: { id: string; value: unknown; live: boolean }[] = []
  const cursor = ctx.store.sql.exec<{ id: string; custom: string; deleted_at: string | null }>(
    `SELECT "id", "${CUSTOM_COLUMN}" AS custom, "deleted_at" FROM "${noun.table}" WHERE json_type("${CUSTOM_COLUMN}", ${path(field)}) NOT IN ('null')`,
  )
  for (const row of cursor) rows.push({ id: row.id, value: (JSON.parse(row.custom) as Record<string, unknown>)[field], live: row.deleted_at === null })
  return rows
}

function countLiveWithout(ctx: DispatchContext, noun: NounSchema, field: string): number {
  return ctx.store.sql
    .exec<{ n: number }>(`SELECT count(*) AS n FROM "${noun.table}" WHERE "deleted_at" IS NULL AND coalesce(json_type("${CUSTOM_COLUMN}", ${path(field)}), 'null') = 'null'`)
    .one().n
}

function duplicates(ctx: DispatchContext, noun: NounSchema, field: string): { rows: number; values: Scalar[] } {
  const expr = customExpression(field)
  let rows = 0
  const values: Scalar[] = []
  for (const row of ctx.store.sql.exec<{ v: string | number | null; n: number }>(
    `SELECT ${expr} AS v, count(*) AS n FROM "${noun.table}" WHERE "deleted_at" IS NULL AND ${expr} IS NOT NULL GROUP BY v HAVING count(*) > 1 ORDER BY n DESC`,
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
function planRows(ctx: DispatchContext, oldNoun: NounSchema, newNoun: NounSchema | undefined, diff: NounDiff, drop: ReadonlySet<string>): RowPlan {
  const conflicts: FieldError[] = []
  if (!newNoun) {
    const n = ctx.store.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM "${oldNoun.table}"`).one().n
    if (n > 0 && !drop.has(oldNoun.name))
      conflicts.push({ path: oldNoun.name, message: `${plural(n, 'record')} of ${oldNoun.name} are stored (deleted ones included); repeat with ?drop=${oldNoun.name} to delete them with the noun`, rows: n })
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

  return {
    conflicts,
    rewrite: (version) => rewriteRows(ctx, oldNoun, newNoun, removals, fills, version),
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
      `SELECT "id" FROM "${oldNoun.table}" WHERE "deleted_at" IS NULL AND coalesce(json_type("${CUSTOM_COLUMN}", ${path(field.name)}), 'null') = 'null'`,
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
      `UPDATE "${oldNoun.table}" SET "${CUSTOM_COLUMN}" = ?, "version" = ?, "updated_at" = ? WHERE "id" = ?`,
      Object.keys(custom).length > 0 ? JSON.stringify(custom) : null,
      next.$version,
      now,
      id,
    )
    appendEvent(ctx.store.sql, {
      id: newId('evt'),
      type: `${oldNoun.name.toLowerCase()}.migrated`,
      entityType: oldNoun.name,
      entityId: id,
      verb: 'migrate',
      version: next.$version,
      actor: ctx.actor.id,
      actorRole: ctx.actor.role,
      requestId: ctx.requestId,
      at: now,
      data: { schemaVersion: version, ...(removed.length > 0 ? { dropped: removed } : {}), ...(Object.keys(filled).length > 0 ? { filled } : {}) },
      before,
      after: next,
      cause: null,
    })
  }
  return ids.size
}

/** Every row of a noun that goes, with a `<noun>.dropped` event each (its `after` is null: it is gone). */
function dropRows(ctx: DispatchContext, noun: NounSchema, version: number): number {
  const now = ctx.now()
  let n = 0
  const ids = ctx.store.sql.exec<{ id: string }>(`SELECT "id" FROM "${noun.table}" ORDER BY "created_at", "id"`).toArray()
  for (const { id } of ids) {
    const before = ctx.store.getAny(noun, id)
    if (!before) continue
    appendEvent(ctx.store.sql, {
      id: newId('evt'),
      type: `${noun.name.toLowerCase()}.dropped`,
      entityType: noun.name,
      entityId: id,
      verb: 'drop',
      version: before.$version + 1,
      actor: ctx.actor.id,
      actorRole: ctx.actor.role,
      requestId: ctx.requestId,
      at: now,
      data: { schemaVersion: version },
      before,
      after: null,
      cause: null,
    })
    n++
  }
  return n
}
