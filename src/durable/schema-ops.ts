/**
 * A tenant's schema changes (`PUT/DELETE /nouns/{Name}`): checked against the grammar, then against
 * the stored rows, then applied in the caller's transaction: rows rewritten (each with an event),
 * tables and indexes reconciled, the document stored with a new version, and one `schema.changed`
 * event with the definition before and after. Anything that would lose or invalidate stored values
 * is a 409 `schema_conflict` naming the rows and values, unless the request names it in `drop`.
 */
import { AppError, type FieldError } from '../domain/errors'
import type { NounSchema } from '../domain/noun/noun'
import { own, prototypeKeyErrors } from '../domain/own'
import { diffNoun } from '../domain/schema/diff'
import { NounBodyShape, type SchemaDoc } from '../domain/schema/doc'
import { buildRegistry, type TenantRegistry } from '../domain/schema/registry'
import { toFieldErrors } from '../domain/noun/validators'
import type { TenantSettings } from '../domain/settings'
import { assignmentFilterProblems } from '../domain/assignment'
import { validateAutomations } from '../domain/automations'
import { dashboardProblems } from '../domain/dashboard-fields'
import { scoringFields, validateRuleset } from '../domain/scoring/rules'
import { appendAudit } from './audit'
import type { DispatchContext } from './context'
import { reconcileStorage, type StorageChanges } from './custom-storage'
import { planRows, type RowPlan } from './schema-rows'
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
  const reserved = prototypeKeyErrors(body, name)
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
  const names = [...new Set([...Object.keys(before.doc.nouns), ...Object.keys(doc.nouns)])]
  const changed = names.filter((name) => canonical(own(before.doc.nouns, name)) !== canonical(own(doc.nouns, name)))
  const after = buildRegistry(BUILT_IN_NOUNS, doc, { checked: new Set(changed) })
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
  collect('settings.scoring.', () => validateRuleset(settings.scoring, scoringFields(after)))
  for (const e of assignmentFilterProblems(settings.assignment, after)) conflicts.push({ path: `settings.assignment.${e.path}`, message: `${e.message}: change the rule first` })
  for (const e of dashboardProblems(settings.dashboard, after))
    conflicts.push({ path: `settings.${e.path}`, message: `${e.message} after this change, and the dashboard shows it: take it out of PUT /settings/dashboard first` })
  return conflicts
}

