/**
 * The tenant manifest: its whole configuration as one document (schema, pipeline stages, settings
 * sections), never a secret. `GET /manifest` reads it; `PUT /manifest` makes the tenant's
 * configuration equal to it in one transaction with one `manifest.applied` event (stages, being
 * entities, also keep their own events). A dry run applies it the same way and rolls it back, so
 * the changes (and the conflicts) it reports are exactly those a real run would have.
 */
import { z } from 'zod'
import { AppError, type FieldError } from '../domain/errors'
import { runVerb } from '../domain/engine/run-verb'
import type { EntityRecord } from '../domain/engine/types'
import type { NounSchema } from '../domain/noun/noun'
import { toFieldErrors } from '../domain/noun/validators'
import { own, prototypeKeyErrors } from '../domain/own'
import { NounBodyShape, type NounBody, type SchemaDoc } from '../domain/schema/doc'
import type { TenantRegistry } from '../domain/schema/registry'
import type { TenantSettings, WebhookSubscription } from '../domain/settings'
import { assignmentView } from './assignment-ops'
import { appendAudit } from './audit'
import { engineContext, type DispatchContext } from './context'
import { applySchema, planSchema, settingsConflicts } from './schema-ops'
import { checkSection, SETTINGS_SECTIONS, type SettingsSection } from './settings-ops'

export const MANIFEST_FORMAT = 1

const ManifestShape = z.strictObject({
  revline: z.literal(MANIFEST_FORMAT),
  /** Absent: the schema stays as it is. */
  nouns: z.record(z.string().max(60), NounBodyShape).optional(),
  /** Absent: the stages stay as they are. */
  stages: z.array(z.record(z.string().max(60), z.unknown())).max(200).optional(),
  /** Sections left out stay as they are. */
  settings: z.record(z.string().max(60), z.unknown()).optional(),
})

export interface Manifest {
  revline: typeof MANIFEST_FORMAT
  nouns: SchemaDoc['nouns']
  stages: Record<string, unknown>[]
  settings: Record<string, unknown>
}

export interface ManifestChange {
  path: string
  change: 'add' | 'remove' | 'update'
  before?: unknown
  after?: unknown
}

export interface ManifestResult {
  dryRun: boolean
  changes: ManifestChange[]
  version?: number
}

/** A webhook subscription without its signing secret: a manifest is shared, reviewed, committed. */
const withoutSecret = ({ secret: _secret, ...rest }: WebhookSubscription) => rest

/**
 * A section as the manifest shows it: no secrets, no version counters (the target tenant keeps its
 * own), users by email (another tenant's users have other ids).
 */
function sectionView(ctx: DispatchContext, settings: TenantSettings, section: SettingsSection): unknown {
  if (section === 'webhooks') return settings.webhooks.map(withoutSecret)
  if (section === 'assignment') return assignmentView(ctx.store.db, settings.assignment)
  if (section === 'scoring') {
    const { version: _version, ...ruleset } = settings.scoring
    return ruleset
  }
  return settings[section]
}

/** A stage as the manifest shows it: its fields (the tenant's own too), no ids or meta. */
function stageView(noun: NounSchema, stage: EntityRecord): Record<string, unknown> {
  const view: Record<string, unknown> = {}
  for (const field of Object.keys(noun.fields)) if (stage[field] !== undefined && stage[field] !== null) view[field] = stage[field]
  return view
}

const stagesOf = (ctx: DispatchContext, nouns: TenantRegistry) => ctx.store.find(nouns.byName('Stage')!, { and: [] }, { sort: [{ field: 'order', dir: 'asc' }], limit: 1000 })

export function readManifest(ctx: DispatchContext): Manifest {
  const settings = ctx.tenant.settings()
  const stage = ctx.nouns.byName('Stage')!
  return {
    revline: MANIFEST_FORMAT,
    nouns: ctx.nouns.doc.nouns,
    stages: stagesOf(ctx, ctx.nouns).map((s) => stageView(stage, s)),
    settings: Object.fromEntries(SETTINGS_SECTIONS.map((section) => [section, sectionView(ctx, settings, section)])),
  }
}

/** Thrown inside a dry run's transaction to roll it back; carries what the run did. */
class DryRunDone extends Error {
  constructor(readonly result: ManifestResult) {
    super('dry run')
  }
}

/** `drop=Contact.shoeSize,Project`: per noun, the fields (or the noun itself) whose values may go. */
export function dropsByNoun(drop: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const item of drop) {
    const [noun, field] = item.split('.', 2) as [string, string | undefined]
    ;(out[noun] ??= []).push(field ?? noun)
  }
  return out
}

export function putManifest(ctx: DispatchContext, body: unknown, options: { dryRun: boolean; drop: readonly string[] }): ManifestResult {
  const reserved = prototypeKeyErrors(body)
  if (reserved.length > 0) throw new AppError('validation_failed', 'the manifest is not valid', reserved)
  const parsed = ManifestShape.safeParse(body)
  if (!parsed.success) throw new AppError('validation_failed', 'the manifest is not valid', toFieldErrors(parsed.error))
  const manifest = parsed.data
  try {
    return ctx.transaction(() => {
      const result = apply(ctx, manifest, dropsByNoun(options.drop))
      if (options.dryRun) throw new DryRunDone({ ...result, dryRun: true })
      return result
    })
  } catch (error) {
    if (error instanceof DryRunDone) return error.result
    throw error
  }
}

const same = (a: unknown, b: unknown) => canonical(a) === canonical(b)
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v))
}

/** A definition's problems placed in the manifest (`nouns.Gadget.size`, as its conflicts are). */
function inNouns<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'validation_failed' || !error.errors) throw error
    throw new AppError('validation_failed', error.detail, error.errors.map((e) => ({ ...e, path: e.path.startsWith('nouns') ? e.path : `nouns.${e.path}` })))
  }
}

function apply(ctx: DispatchContext, manifest: z.infer<typeof ManifestShape>, drop: Record<string, string[]>): ManifestResult {
  const changes: ManifestChange[] = []
  const before = readManifest(ctx)

  // 1. The schema first: stages and rules below may use the fields it brings.
  let nouns: TenantRegistry = ctx.nouns
  let version: number | undefined
  if (manifest.nouns) {
    const plan = inNouns(() => planSchema(ctx, { nouns: manifest.nouns! }, drop, (noun, path) => (path === noun ? `nouns.${noun}` : `nouns.${noun}.${path}`)))
    if (plan.conflicts.length > 0) throw new AppError('schema_conflict', 'the manifest would lose or invalidate stored values; nothing was changed', plan.conflicts)
    for (const name of plan.changed) changes.push(...nounChanges(name, own(before.nouns, name), own(manifest.nouns, name)))
    if (plan.changed.length > 0) version = applySchema(ctx, plan).version
    nouns = plan.after
  }

  // 2. Settings sections, each validated against the new schema; sections left out stay.
  const settingsBefore = ctx.tenant.settings()
  let settings = settingsBefore
  const errors: FieldError[] = []
  for (const [section, value] of Object.entries(manifest.settings ?? {})) {
    if (!(SETTINGS_SECTIONS as string[]).includes(section)) {
      errors.push({ path: `settings.${section}`, message: `is not a settings section (have: ${SETTINGS_SECTIONS.join(', ')})` })
      continue
    }
    const name = section as SettingsSection
    if (same(value, sectionView(ctx, settingsBefore, name))) continue
    try {
      const checked = checkSection(ctx, name, name === 'webhooks' ? withSecrets(value, settingsBefore.webhooks) : value, nouns)
      settings = { ...settings, [name]: checked }
      changes.push({ path: `settings.${name}`, change: 'update', before: sectionView(ctx, settingsBefore, name), after: sectionView(ctx, settings, name) })
    } catch (error) {
      if (!(error instanceof AppError)) throw error
      errors.push(...(error.errors ?? [{ path: name, message: error.detail }]).map((e) => ({ ...e, path: `settings.${e.path}` })))
    }
  }
  if (errors.length > 0) throw new AppError('validation_failed', 'the manifest is not valid', errors)
  // Sections the manifest left alone must still fit the new schema.
  const broken = settingsConflicts(settings, nouns)
  if (broken.length > 0) throw new AppError('schema_conflict', 'the manifest would break settings it does not change; nothing was changed', broken)
  if (settings !== settingsBefore) ctx.tenant.writeSettings(settings)

  // 3. Stages, by name, through the verb engine (their hooks and events as over REST).
  if (manifest.stages) changes.push(...applyStages(ctx, nouns, manifest.stages))

  if (changes.length > 0)
    appendAudit(ctx.store.sql, ctx.actor, ctx.requestId, {
      type: 'manifest.applied',
      entityType: 'Manifest',
      entityId: 'manifest',
      verb: 'apply',
      // The schema document it made rides along: a restore to a point in the log rebuilds the schema from it.
      data: { changes: changes.map(({ path, change }) => ({ path, change })), ...(version !== undefined ? { schemaVersion: version, schema: { nouns: manifest.nouns } } : {}) },
    })
  return { dryRun: false, changes, ...(version !== undefined ? { version } : {}) }
}

/** A noun that comes or goes is one change; a noun that changes, one per field (or verb) it adds, drops or redefines. */
function nounChanges(name: string, was: NounBody | undefined, now: NounBody | undefined): ManifestChange[] {
  if (was === undefined) return [{ path: `nouns.${name}`, change: 'add', after: now }]
  if (now === undefined) return [{ path: `nouns.${name}`, change: 'remove', before: was }]
  const changes: ManifestChange[] = []
  for (const key of new Set([...Object.keys(was), ...Object.keys(now)])) {
    const [a, b] = [own(was, key), own(now, key)]
    if (a === b) continue
    const path = `nouns.${name}.${key}`
    changes.push(a === undefined ? { path, change: 'add', after: b } : b === undefined ? { path, change: 'remove', before: a } : { path, change: 'update', before: a, after: b })
  }
  return changes
}

/** Webhooks keep their stored secret by id; a new subscription gets a fresh one (a manifest never carries one). */
function withSecrets(value: unknown, stored: readonly WebhookSubscription[]): unknown {
  if (!Array.isArray(value)) return value
  return value.map((entry) => {
    if (!entry || typeof entry !== 'object' || 'secret' in entry) return entry
    const id = (entry as { id?: unknown }).id
    const secret = stored.find((w) => w.id === id)?.secret ?? freshSecret()
    return { ...entry, secret }
  })
}

function freshSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32))
  return `whsec_${btoa(String.fromCharCode(...bytes))}`
}

/**
 * Makes the stages equal to the manifest's by name: creates the missing, updates the changed,
 * retires or reinstates by `status`, and deletes the ones it leaves out (refused while deals stand
 * in them: a stage with deals is listed, Retired if it should take no new ones).
 */
function applyStages(ctx: DispatchContext, nouns: TenantRegistry, entries: Record<string, unknown>[]): ManifestChange[] {
  const noun = nouns.byName('Stage')!
  const engine = engineContext({ ...ctx, nouns })
  const run = (verb: string, id: string | undefined, input: unknown, at: string) => {
    try {
      return runVerb(engine, { noun, verb, ...(id ? { id } : {}), input }).entity
    } catch (error) {
      if (error instanceof AppError && error.errors) throw new AppError(error.code, `${at}: ${error.detail}`, error.errors.map((e) => ({ ...e, path: `${at}.${e.path}` })))
      if (error instanceof AppError) throw new AppError(error.code, `${at}: ${error.detail}`)
      throw error
    }
  }
  const changes: ManifestChange[] = []
  const current = new Map(stagesOf(ctx, nouns).map((s) => [s.name as string, s]))
  const listed = new Set<string>()
  entries.forEach((entry, i) => {
    const at = `stages[${i}]`
    const name = entry.name
    if (typeof name !== 'string' || name.trim() === '') throw new AppError('validation_failed', 'every stage needs a name', [{ path: `${at}.name`, message: 'is required' }])
    if (listed.has(name)) throw new AppError('validation_failed', `stage '${name}' is listed twice`, [{ path: `${at}.name`, message: 'is listed twice' }])
    listed.add(name)
    const { status, ...fields } = entry
    const stage = current.get(name)
    if (!stage) {
      let created = run('create', undefined, fields, at)
      if (status === 'Retired') created = run('retire', created.$id, undefined, at)
      changes.push({ path: `stages.${name}`, change: 'add', after: stageView(noun, created) })
      return
    }
    const beforeView = stageView(noun, stage)
    const patch = Object.fromEntries(Object.entries(fields).filter(([k, v]) => !same(v, stage[k] ?? null)))
    let after = stage
    if (Object.keys(patch).length > 0) after = run('update', stage.$id, patch, at)
    if (status !== undefined && status !== after.status) after = run(status === 'Retired' ? 'retire' : 'reinstate', stage.$id, undefined, at)
    if (after !== stage) changes.push({ path: `stages.${name}`, change: 'update', before: beforeView, after: stageView(noun, after) })
  })
  const deal = nouns.byName('Deal')!
  for (const [name, stage] of current) {
    if (listed.has(name)) continue
    const deals = ctx.store.find(deal, { field: 'stageId', op: '$eq', value: stage.$id }, { limit: 1 })
    if (stage.kind !== 'Open' && stage.kind != null)
      throw new AppError('schema_conflict', `the ${String(stage.kind)} stage '${name}' is what win and lose move deals to; list it in the manifest`, [{ path: `stages.${name}`, message: 'is a closing stage' }])
    if (deals.length > 0)
      throw new AppError('schema_conflict', `stage '${name}' holds deals; list it in the manifest (with status Retired to take no new deals) or move its deals first`, [{ path: `stages.${name}`, message: 'holds deals' }])
    run('delete', stage.$id, undefined, `stages.${name}`)
    changes.push({ path: `stages.${name}`, change: 'remove', before: stageView(noun, stage) })
  }
  return changes
}
