/**
 * The verb pipeline (DESIGN.md "Verbs, hooks, events"). Callers run it inside one storage
 * transaction; any throw here rolls back every write of the call, nested hook calls included.
 *
 *   load → state guard → before hooks → apply (validate, relations, uniques, timestamps, version)
 *   → append event → after hooks (with `$`, their events caused by this one)
 */
import { z } from 'zod'
import { AppError, Fault, notFound } from '../errors'
import { DEFAULT_CURRENCY, fitsCurrency, tooPrecise } from '../money'
import type { NounSchema, VerbSpec } from '../noun/noun'
import { own } from '../own'
import { createValidator, revalidate, updateValidator, validate, verbInputValidator } from '../noun/validators'
import { createHandle, type Chain } from './handle'
import type { HookContext } from './hooks'
import { applyPatch, changedFields } from './patch'
import { checkTransition } from './transitions'
import type { EngineContext } from './context'
import type { EntityRecord, EventRecord } from './types'

export interface VerbCall {
  noun: NounSchema
  verb: string
  id?: string
  input?: unknown
  /** From `If-Match`: the call fails with 412 unless the entity is at this version. */
  expectedVersion?: number
  /**
   * Input a hook built from values the engine already holds (recordScore's LeadScore row), given in
   * the shape and field order validation returns: it is not validated again, and its relations name
   * the entity whose hook is running, so they are not looked up.
   */
  trusted?: boolean
}

export interface VerbResult {
  /** The entity after the call and everything its hooks did (for delete: the retired snapshot). */
  entity: EntityRecord
  event: EventRecord
}

/** After hooks may call verbs whose hooks call verbs…; this bounds the chain. */
export const MAX_HOOK_DEPTH = 8
const ROOT: Chain = { cause: null, depth: 0 }

export function runVerb(ctx: EngineContext, call: VerbCall, chain: Chain = ROOT): VerbResult {
  const { noun } = call
  const verb = own(noun.verbs, call.verb)
  if (!verb) throw new AppError('not_found', `${noun.name} has no verb '${call.verb}'`)
  if (chain.depth > MAX_HOOK_DEPTH) throw new AppError('rejected', `hook chain deeper than ${MAX_HOOK_DEPTH} calls`)

  let current = load(ctx, noun, verb, call)
  let input = call.trusted ? (call.input as Record<string, unknown>) : validateInput(noun, verb, call.input)
  const now = ctx.now()
  // The event id is known up front so that everything hooks and bodies do can name it as cause.
  const eventId = ctx.newId('evt')
  const $ = createHandle(ctx, { cause: eventId, depth: chain.depth + 1 }, runVerb)
  const shell = current ?? newEntityShell(ctx, noun, now)
  const draft = current ?? applyPatch(shell, withDefaults(noun, input))
  guardState(noun, verb, current, input)

  const hookContext: HookContext = { verb: verb.verb, actor: ctx.actor, now, $ }
  for (const hook of noun.hooks.before.get(verb.verb) ?? []) {
    const replaced = runHook(() => hook(draft, input, hookContext))
    if (replaced && typeof replaced === 'object') {
      input = revalidateInput(noun, verb, input, replaced)
      guardState(noun, verb, current, input)
    }
  }

  let patch: Record<string, unknown>
  if (verb.body) {
    const decided = runHook(() => verb.body!({ entity: current, input, $, now }))
    if (decided.target) current = ctx.store.get(noun, decided.target.$id) ?? decided.target
    if (!current) throw new Error(`${noun.name}.${verb.verb} body returned no target`)
    patch = { ...decided.patch, ...statePatch(verb, decided.patch, now) }
  } else {
    patch = buildPatch(noun, verb, input, now)
  }
  const base = current ?? shell
  const next = computeNext(noun, verb, base, current !== undefined, patch, now)
  if (!call.trusted) checkRelations(ctx, noun, current, next)
  checkAmounts(noun, current, next)
  checkUniques(ctx, noun, next, verb.kind === 'restore' ? undefined : current)

  if (current) ctx.store.update(noun, next, current)
  else ctx.store.insert(noun, next)

  const event = ctx.store.appendEvent({
    id: eventId,
    type: `${noun.name.toLowerCase()}.${verb.past}`,
    entityType: noun.name,
    entityId: next.$id,
    verb: verb.verb,
    version: next.$version,
    actor: ctx.actor.id,
    actorRole: ctx.actor.role,
    via: ctx.actor.via ?? null,
    requestId: ctx.requestId,
    at: now,
    data: verb.kind === 'delete' || verb.kind === 'restore' ? null : verb.kind === 'custom' ? { ...input, ...patch } : patch,
    before: current ?? null,
    after: next,
    cause: chain.cause,
  })

  const writesBefore = ctx.store.writeCount
  for (const hook of noun.hooks.after.get(verb.verb) ?? []) runHook(() => hook(next, $, event))
  ctx.react?.(event, next, $)
  // After hooks and automations may have changed this very entity (e.g. linked the deal a conversion created).
  const touched = ctx.store.wroteSince(next.$id, writesBefore)
  const entity = verb.kind === 'delete' || !touched ? next : (ctx.store.get(noun, next.$id) ?? next)
  return { entity, event }
}

function load(ctx: EngineContext, noun: NounSchema, verb: VerbSpec, call: VerbCall): EntityRecord | undefined {
  if (verb.scope === 'collection') return undefined
  if (!call.id) throw new AppError('bad_request', `${noun.name}.${verb.verb} needs an id`)
  const entity = verb.kind === 'restore' ? ctx.store.getAny(noun, call.id) : ctx.store.get(noun, call.id)
  if (!entity) throw notFound(`${noun.name} ${call.id}`)
  if (verb.kind === 'restore' && !entity.$deletedAt) throw new AppError('invalid_transition', `${noun.name} ${call.id} is not deleted`)
  if (call.expectedVersion !== undefined && entity.$version !== call.expectedVersion)
    throw new AppError('precondition_failed', `${noun.name} ${call.id} is at version ${entity.$version}, not ${call.expectedVersion}`)
  return entity
}

const NO_INPUT = z.strictObject({})

function validateInput(noun: NounSchema, verb: VerbSpec, raw: unknown): Record<string, unknown> {
  const what = `${noun.name}.${verb.verb} input`
  switch (verb.kind) {
    case 'create':
      return validate(createValidator(noun), raw, what)
    case 'update':
      return validate(updateValidator(noun), raw, what)
    case 'delete':
    case 'restore':
      // They take no input: a body with fields is refused like any unknown field, not ignored.
      return validate(NO_INPUT, raw, what)
    case 'custom':
      return validate(verbInputValidator(verb), raw, what)
  }
}

/** A before hook's replacement input: only what it added or changed is checked again (see revalidate). */
function revalidateInput(noun: NounSchema, verb: VerbSpec, previous: Record<string, unknown>, replaced: unknown): Record<string, unknown> {
  const what = `${noun.name}.${verb.verb} input`
  if (verb.kind === 'create') return revalidate(createValidator(noun), previous, replaced, what)
  if (verb.kind === 'update') return revalidate(updateValidator(noun), previous, replaced, what)
  return validateInput(noun, verb, replaced)
}

function guardState(noun: NounSchema, verb: VerbSpec, current: EntityRecord | undefined, input: Record<string, unknown>) {
  if (verb.kind === 'custom' && verb.stateField) {
    checkTransition(noun, verb.stateField, current?.[verb.stateField], verb.state!, verb.verb, verb.from)
  } else if (verb.kind === 'create') {
    // A new entity may only start in the states its machine lists for "unset".
    for (const field of Object.keys(noun.machines)) if (input[field] != null) checkTransition(noun, field, undefined, input[field], 'create')
  } else if (verb.kind === 'update' && current) {
    for (const field of Object.keys(noun.machines)) {
      if (field in input && input[field] !== current[field]) checkTransition(noun, field, current[field], input[field], 'update')
    }
  }
}

/** A hook's own throw refuses the call (422 `rejected`); errors and faults from below pass as they are. */
function runHook<T>(hook: () => T): T {
  try {
    return hook()
  } catch (error) {
    if (error instanceof AppError || error instanceof Fault) throw error
    throw new AppError('rejected', error instanceof Error ? error.message : String(error))
  }
}

function withDefaults(noun: NounSchema, input: Record<string, unknown>): Record<string, unknown> {
  const out = { ...input }
  for (const field of Object.values(noun.fields)) {
    // Only object defaults (lists, JSON) need a copy of their own; structuredClone costs a serialization.
    if (field.default !== undefined && out[field.name] == null) out[field.name] = typeof field.default === 'object' && field.default !== null ? structuredClone(field.default) : field.default
  }
  return out
}

/** The fields this call sets: input, plus the state and timestamp a state verb implies. */
function buildPatch(noun: NounSchema, verb: VerbSpec, input: Record<string, unknown>, now: string): Record<string, unknown> {
  if (verb.kind === 'create') return withDefaults(noun, input)
  if (verb.kind !== 'custom') return input
  return { ...input, ...statePatch(verb, input, now) }
}

/** The state a state verb sets and the `<past>At` timestamp it implies. */
function statePatch(verb: VerbSpec, given: Record<string, unknown>, now: string): Record<string, unknown> {
  const patch: Record<string, unknown> = {}
  if (verb.stateField) patch[verb.stateField] = verb.state
  if (verb.timestampField && given[verb.timestampField] == null) patch[verb.timestampField] = now
  return patch
}

function newEntityShell(ctx: EngineContext, noun: NounSchema, now: string): EntityRecord {
  return {
    $id: ctx.newId(noun.idPrefix),
    $type: noun.name,
    $version: 1,
    $createdAt: now,
    $updatedAt: now,
    $createdBy: ctx.actor.id,
  }
}

function computeNext(
  noun: NounSchema,
  verb: VerbSpec,
  base: EntityRecord,
  exists: boolean,
  patch: Record<string, unknown>,
  now: string,
): EntityRecord {
  const next = exists ? applyPatch({ ...base, $version: base.$version + 1, $updatedAt: now }, patch) : applyPatch(base, patch)
  if (verb.kind === 'delete') next.$deletedAt = now
  if (verb.kind === 'restore') delete next.$deletedAt
  const missing = Object.values(noun.fields).filter((f) => f.required && next[f.name] == null)
  if (missing.length > 0)
    throw new AppError('validation_failed', `${noun.name} is missing required fields`, missing.map((f) => ({ path: f.name, message: 'is required' })))
  return next
}

function checkRelations(ctx: EngineContext, noun: NounSchema, before: EntityRecord | undefined, next: EntityRecord) {
  const errors = []
  for (const field of changedFields(noun, before, next)) {
    const spec = noun.fields[field]
    if (spec?.kind !== 'relation' || next[field] == null) continue
    const target = ctx.nouns.byName(spec.target)
    const ids = (spec.list ? next[field] : [next[field]]) as string[]
    for (const id of ids) {
      if (!target || !ctx.store.exists(target, id)) errors.push({ path: field, message: `no ${spec.target} with id ${id}` })
    }
  }
  if (errors.length > 0) throw new AppError('validation_failed', `${noun.name} refers to entities that do not exist`, errors)
}

/** Amounts have no more decimals than their currency: 49.99 USD, 5000 JPY, 1.234 KWD (money constraint). */
function checkAmounts(noun: NounSchema, before: EntityRecord | undefined, next: EntityRecord) {
  const currencyChanged = before !== undefined && before.currency !== next.currency
  const errors = []
  for (const field of Object.values(noun.fields)) {
    if (!field.money || typeof next[field.name] !== 'number') continue
    if (before && !currencyChanged && before[field.name] === next[field.name]) continue
    const currency = next.currency ?? DEFAULT_CURRENCY
    if (!fitsCurrency(next[field.name] as number, currency)) errors.push({ path: field.name, message: tooPrecise(currency) })
  }
  if (errors.length > 0) throw new AppError('validation_failed', `${noun.name} has amounts its currency cannot hold`, errors)
}

function checkUniques(ctx: EngineContext, noun: NounSchema, next: EntityRecord, before: EntityRecord | undefined) {
  if (next.$deletedAt) return
  for (const field of Object.values(noun.fields)) {
    if (field.index !== 'unique' || next[field.name] == null) continue
    if (before && before[field.name] === next[field.name]) continue
    const holder = ctx.store.findIdBy(noun, field.name, next[field.name])
    if (holder && holder !== next.$id)
      throw new AppError('conflict', `another ${noun.name} already has this ${field.name}`, [{ path: field.name, message: `already used by ${holder}` }])
  }
}
