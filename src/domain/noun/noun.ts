/**
 * `Noun(name, definition, options?)`: one declaration from which storage, validators, types,
 * routes and verb conjugations are derived.
 *
 *   export const Lead = Noun('Lead', { name: 'string!', status: 'New | Lost', lose: 'Lost' })
 *   Lead.losing((lead, input) => { ... })   // before hook
 *   Lead.lost((lead, $) => { ... })         // after hook
 */
import { conjugate, type Conjugation } from './conjugate'
import { GrammarError, isVerbDeclaration, parseField, type FieldConstraint, type ReverseField, type StoredField } from './grammar'
import { pluralize } from './plural'
import { own, ownRecord } from '../own'
import { AppError } from '../errors'
import type { CreateInput, CustomVerbs, Definition, Entity, UpdateInput, VerbGerund, VerbPast, Verbs } from './types'
import type { AfterHook, BeforeHook, VerbBody } from '../engine/hooks'

export type VerbKind = 'create' | 'update' | 'delete' | 'restore' | 'custom'

export interface VerbSpec extends Conjugation {
  kind: VerbKind
  /** 'collection' verbs run without an id (create, capture); the rest act on one entity. */
  scope: 'instance' | 'collection'
  /** Target state for state verbs (`convert: 'Converted'`). */
  state?: string
  /** The enum field that holds the state (found by the value, or named in options). */
  stateField?: string
  /** `convertedAt` for convert when the noun has it: the timestamp the verb implies. */
  timestampField?: string
  /** Extra input a custom verb accepts (lose takes lostReason). Parsed with the field grammar. */
  input: Record<string, StoredField>
  /** States this verb may start from, when they differ from the field's machine (activate vs reactivate). */
  from?: readonly string[]
  /** Domain code for verbs that do more than set a state (merge, enrich, capture); see `implement`. */
  body?: VerbBody
  /** Inputs of which a call gives exactly one (assign: `owner` or `user`); the first is named when none is given. */
  exactlyOne?: readonly string[]
}

export interface VerbOptions {
  scope?: 'instance' | 'collection'
  /** The field holding the state, when the state value alone does not say (or it is a plain string field). */
  field?: string
  input?: Record<string, string>
  /** Allowed from-states ('' = unset), checked instead of the field's machine. */
  from?: readonly string[]
  /** Inputs of which a call must give exactly one (`['owner', 'user']`), each declared in `input` as optional. */
  exactlyOne?: readonly string[]
}

/** Meta columns a composite index may name besides the noun's fields. */
const INDEXABLE_META = ['$id', '$createdAt', '$updatedAt'] as const
type IndexableMeta = (typeof INDEXABLE_META)[number]

export interface NounOptions<D extends Definition> {
  /** Collection path segment and table name; defaults to the lowercase plural. */
  plural?: string
  /** Allowed moves per enum field: `{ status: { New: ['Contacted', 'Lost'], ... } }`. '' is "unset". */
  machines?: Record<string, Record<string, readonly string[]>>
  verbs?: { [V in CustomVerbs<D>]?: VerbOptions }
  /** Writes (every verb) need the admin role, as for pipeline stages. */
  adminOnly?: boolean
  /**
   * Composite indexes for hot list queries, leading column first: `[['source', 'score', '$id']]`
   * lets `?source=referral&sort=-score` read its page in index order (ties by id) instead of
   * sorting every match. Fields, `$id` and `$createdAt` / `$updatedAt` may be named.
   */
  indexes?: readonly (readonly ((keyof D & string) | IndexableMeta)[])[]
  /** List-filter names that stand for a relation path: `{ stage: 'deal.stage' }`. */
  aliases?: Record<string, string>
  /** Bounds and vocabularies beyond the DSL string: `{ score: { min: 0, max: 100 } }`. */
  constraints?: { [F in keyof D & string]?: FieldConstraint }
  /**
   * Who may write it: 'system' nouns are written only by hooks and jobs (lead scores are the
   * scoring's record), never directly over the API, MCP or import.
   */
  writes?: Writers
}

export type Writers = 'any' | 'system'

export interface NounSchema {
  name: string
  /** Lowercase plural: the route segment. */
  plural: string
  /** SQLite table name (the plural with `_` for `-`). */
  table: string
  idPrefix: string
  adminOnly: boolean
  /** Only hooks and jobs write it (see NounOptions.writes). */
  systemWritten: boolean
  /** Defined by a tenant at run time (src/domain/schema), not built in: every field is `custom`. */
  tenantDefined?: true
  /** The declaration as written in the Noun DSL (field → DSL string, verb → state): what `GET /nouns` shows. */
  definition: Readonly<Record<string, string | null>>
  fields: Record<string, StoredField>
  reverse: Record<string, ReverseField>
  verbs: Record<string, VerbSpec>
  machines: Record<string, Record<string, readonly string[]>>
  /** Composite indexes (field names, leading first), beside the one-field `#` indexes. */
  indexes: readonly (readonly string[])[]
  /** List-filter aliases (see NounOptions.aliases). */
  aliases: Readonly<Record<string, string>>
  hooks: {
    before: Map<string, BeforeHook[]>
    after: Map<string, AfterHook[]>
  }
}

type HookMethods<N extends string, D extends Definition> = {
  [G in VerbGerund<D>]: (hook: BeforeHook<Entity<N, D>>) => void
} & {
  [P in VerbPast<D>]: (hook: AfterHook<Entity<N, D>>) => void
}

export type NounHandleOf<N extends string, D extends Definition, W extends Writers = 'any'> = HookMethods<N, D> & {
  /** Type carrier: who may write it ('system': hooks and jobs only). */
  readonly $writes: W
  readonly schema: NounSchema
  /** Type carriers only (never read at runtime): `typeof Lead.$entity`. */
  readonly $entity: Entity<N, D>
  readonly $create: CreateInput<D>
  readonly $update: UpdateInput<D>
  readonly $verbs: Verbs<D>
}

const FIELD_NAME = /^[a-z][A-Za-z0-9]*$/
/** Names the meta columns or the handle already use. */
const RESERVED = new Set(['schema', 'id', 'version', 'createdAt', 'updatedAt', 'createdBy', 'deletedAt'])
const CRUD: readonly VerbKind[] = ['create', 'update', 'delete']

export function Noun<const N extends string, const D extends Definition, const W extends Writers = 'any'>(
  name: N,
  definition: D,
  options: NounOptions<D> & { writes?: W } = {},
): NounHandleOf<N, D, W> {
  const schema = defineNoun(name, definition, options)
  const handle: Record<string, unknown> = { schema }
  for (const verb of Object.values(schema.verbs)) {
    handle[verb.gerund] = (hook: BeforeHook) => pushHook(schema.hooks.before, verb.verb, hook)
    handle[verb.past] = (hook: AfterHook) => pushHook(schema.hooks.after, verb.verb, hook)
  }
  return handle as NounHandleOf<N, D, W>
}

/**
 * The schema a definition declares, without the hook registration of `Noun`: what a tenant's own
 * nouns are built from at run time (src/domain/schema), with the same grammar and the same checks.
 */
export function defineNoun(name: string, definition: Definition, options: NounOptions<Definition> & { writes?: Writers } = {}): NounSchema {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(name)) throw new GrammarError(`Noun name '${name}' must be PascalCase`)
  const fields = ownRecord<StoredField>()
  const reverse = ownRecord<ReverseField>()
  const verbs = ownRecord<VerbSpec>()
  const disabled = new Set<string>()
  const verbOptions = (options.verbs ?? {}) as Record<string, VerbOptions | undefined>

  for (const [key, value] of Object.entries(definition)) {
    if (!FIELD_NAME.test(key) || RESERVED.has(key)) throw new GrammarError(`${name}.${key}: field names are camelCase and not reserved`)
    if (value === null) {
      if (!(CRUD as readonly string[]).includes(key)) throw new GrammarError(`${name}.${key}: only create/update/delete can be null`)
      disabled.add(key)
    } else if (isVerbDeclaration(value)) {
      verbs[key] = customVerb(key, value.trim(), verbOptions[key])
    } else {
      const spec = parseField(key, value)
      if (spec.kind === 'reverse') reverse[key] = spec
      else fields[key] = spec
    }
  }
  for (const kind of CRUD) {
    if (disabled.has(kind)) continue
    verbs[kind] = { ...conjugate(kind), kind, scope: kind === 'create' ? 'collection' : 'instance', input: ownRecord() }
  }
  // What can be soft-deleted can be restored (admin), so a delete is never a dead end.
  if (verbs.delete && verbs.restore) throw new GrammarError(`${name}: 'restore' is the undelete verb; name the custom verb differently`)
  if (verbs.delete) verbs.restore = { ...conjugate('restore'), kind: 'restore', scope: 'instance', input: ownRecord() }
  for (const verb of Object.values(verbs)) if (verb.kind === 'custom') bindVerbToFields(name, verb, fields, verbOptions[verb.verb])

  for (const [field, constraint] of Object.entries((options.constraints ?? {}) as Record<string, FieldConstraint>)) applyConstraint(name, own(fields, field), field, constraint)

  const machines = ownRecord<Record<string, readonly string[]>>()
  for (const [field, machine] of Object.entries(options.machines ?? {})) machines[field] = ownRecord(machine)
  for (const [field, machine] of Object.entries(machines)) {
    const spec = fields[field]
    if (spec?.kind !== 'enum') throw new GrammarError(`${name}: machine on '${field}', which is not an enum field`)
    for (const [from, tos] of Object.entries(machine))
      for (const state of [from, ...tos])
        if (state !== '' && !spec.values.includes(state)) throw new GrammarError(`${name}.${field}: machine names unknown state '${state}'`)
  }

  const indexes = options.indexes ?? []
  for (const columns of indexes) {
    if (columns.length < 2) throw new GrammarError(`${name}: a composite index names at least two fields`)
    for (const field of columns) {
      if ((INDEXABLE_META as readonly string[]).includes(field)) continue
      const spec = fields[field]
      if (!spec || spec.list) throw new GrammarError(`${name}: index on '${field}', which is not a stored single-value field`)
    }
  }

  const schema: NounSchema = {
    name,
    plural: options.plural ?? pluralize(name),
    table: (options.plural ?? pluralize(name)).replace(/-/g, '_'),
    idPrefix: name.toLowerCase(),
    adminOnly: options.adminOnly ?? false,
    systemWritten: options.writes === 'system',
    fields,
    reverse,
    verbs,
    machines,
    indexes,
    aliases: ownRecord(options.aliases ?? {}),
    hooks: { before: new Map(), after: new Map() },
    definition: Object.freeze({ ...definition }),
  }
  return schema
}

/** Bounds go on number and int fields, vocabularies on string fields; anything else is a declaration error. */
function applyConstraint(noun: string, field: StoredField | undefined, name: string, constraint: FieldConstraint) {
  if (!field) throw new GrammarError(`${noun}: constraint on '${name}', which is not a stored field`)
  const numeric = field.kind === 'scalar' && (field.type === 'number' || field.type === 'int')
  if ((constraint.min !== undefined || constraint.max !== undefined || constraint.money) && !numeric) throw new GrammarError(`${noun}.${name}: min/max/money need a number or int field`)
  if (constraint.min !== undefined && constraint.max !== undefined && constraint.min > constraint.max) throw new GrammarError(`${noun}.${name}: min is above max`)
  if (constraint.oneOf && !(field.kind === 'scalar' && field.type === 'string')) throw new GrammarError(`${noun}.${name}: oneOf needs a string field`)
  if (constraint.oneOf && typeof field.default === 'string' && !constraint.oneOf.includes(field.default)) throw new GrammarError(`${noun}.${name}: the default is not one of its values`)
  Object.assign(field, constraint)
}

function customVerb(verb: string, state: string, options: VerbOptions | undefined): VerbSpec {
  const input = ownRecord<StoredField>()
  for (const [key, source] of Object.entries(options?.input ?? {})) {
    const spec = parseField(key, source)
    if (spec.kind === 'reverse') throw new GrammarError(`verb ${verb}: input '${key}' cannot be a reverse list`)
    input[key] = spec
  }
  const exactlyOne = options?.exactlyOne
  if (exactlyOne && (exactlyOne.length < 2 || exactlyOne.some((key) => !Object.hasOwn(input, key) || input[key]!.required)))
    throw new GrammarError(`verb ${verb}: exactlyOne names at least two optional inputs of the verb`)
  return { ...conjugate(verb), kind: 'custom', scope: options?.scope ?? 'instance', state, input, ...(options?.from ? { from: options.from } : {}), ...(exactlyOne ? { exactlyOne } : {}) }
}

/** A state verb changes the enum field that lists its state, and stamps `<past>At` when the noun has it. */
function bindVerbToFields(noun: string, verb: VerbSpec, fields: Record<string, StoredField>, options: VerbOptions | undefined) {
  const candidates = Object.values(fields).filter((f) => f.kind === 'enum' && f.values.includes(verb.state!))
  const named = options?.field
  if (named) {
    const field = fields[named]
    const holds = field?.kind === 'enum' ? field.values.includes(verb.state!) : field?.kind === 'scalar' && field.type === 'string'
    if (!holds) throw new GrammarError(`${noun}.${verb.verb}: field '${named}' cannot hold state '${verb.state}'`)
    verb.stateField = named
  } else if (candidates.length === 1) {
    verb.stateField = candidates[0]!.name
  } else if (candidates.length > 1) {
    throw new GrammarError(`${noun}.${verb.verb}: state '${verb.state}' is in several enums (${candidates.map((f) => f.name).join(', ')}); keep it in one, or name the field in the noun's options`)
  }
  const stamp = `${verb.past}At`
  const stampField = fields[stamp]
  if (stampField?.kind === 'scalar' && (stampField.type === 'datetime' || stampField.type === 'date')) verb.timestampField = stamp
}

/**
 * The verbs callers may run directly (REST routes, OpenAPI, the SDK): none for nouns only the
 * system writes, every declared verb otherwise. Hooks and jobs run `noun.verbs` through `$`.
 */
export function apiVerbs(noun: NounSchema): Readonly<Record<string, VerbSpec>> {
  return noun.systemWritten ? NO_VERBS : noun.verbs
}
const NO_VERBS: Readonly<Record<string, VerbSpec>> = Object.freeze(Object.create(null))

/** How a REST route names a verb: `POST /{c}/{verb}` (collection), `POST /{c}/{id}/{verb}` (instance), or CRUD by method. */
export type VerbRoute = 'collection' | 'instance' | 'crud'

/**
 * A verb named by a REST route must be one of the noun's API verbs that route runs: CRUD by
 * method, custom verbs by path (a collection verb is no instance verb). 405 for a CRUD verb the
 * noun does not take over the API, 404 for any other.
 */
export function checkVerbRoute(noun: NounSchema, name: string, route: VerbRoute): void {
  const verb = own(apiVerbs(noun), name)
  const fits =
    route === 'crud' ? verb && verb.kind !== 'custom' && verb.kind !== 'restore'
    : route === 'collection' ? verb?.kind === 'custom' && verb.scope === 'collection'
    : (verb?.kind === 'custom' || verb?.kind === 'restore') && verb.scope === 'instance'
  if (fits) return
  if (route === 'crud') throw new AppError('method_not_allowed', `${noun.name} cannot be ${name === 'create' ? 'created' : name === 'update' ? 'updated' : 'deleted'} over the API`)
  throw new AppError('not_found', `${noun.name} has no ${route === 'collection' ? 'collection ' : ''}verb '${name}'`)
}

/**
 * Gives a verb a body: domain code that runs after the before hooks and returns the target entity
 * (for collection verbs) and the patch to apply. `implement(Contact, 'merge', mergeContacts)`.
 */
export function implement(noun: { schema: NounSchema }, verb: string, body: VerbBody): void {
  const spec = own(noun.schema.verbs, verb)
  if (!spec || spec.kind !== 'custom') throw new GrammarError(`${noun.schema.name} has no custom verb '${verb}'`)
  spec.body = body
}

function pushHook<H>(map: Map<string, H[]>, verb: string, hook: H) {
  const list = map.get(verb) ?? []
  list.push(hook)
  map.set(verb, list)
}
