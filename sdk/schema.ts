/**
 * The tenant's schema and manifest: `client.nouns` (`/nouns`, the Noun DSL per noun) and
 * `client.manifest` (`/manifest`, nouns, stages and settings as one document).
 */
import type { Transport } from './http'
import { writeOptions } from './noun'
import type { WriteOptions } from './types'

/** A noun as `GET /nouns` shows it. */
export interface NounView {
  name: string
  /** The path segment (`projects`). */
  collection: string
  idPrefix: string
  builtIn: boolean
  /** Every field and verb in the Noun DSL (`{ name: 'string!', activate: 'Active' }`). */
  definition: Record<string, string | null>
  /** The tenant's own part: what `put` takes (for a noun of its own, the whole definition). */
  custom: Record<string, string | null>
}
export interface NounList {
  /** The schema's version: it grows with every change. */
  version: number
  data: NounView[]
}
/** The body `Noun(name, {...})` takes in a seed: field → DSL, verb → target state, CRUD verb → null to switch it off. */
export type NounBody = Record<string, string | null>
export interface SchemaChange {
  version: number
  /** The noun after the change (null once deleted). */
  noun: NounView | null
  /** Rows rewritten (values dropped, defaults filled). */
  migrated: number
  /** Rows deleted with a noun. */
  dropped: number
}
export interface SchemaWriteOptions extends WriteOptions {
  /** Fields (or the noun itself) whose stored values the change may delete; otherwise a 409 `schema_conflict` names them. */
  drop?: readonly string[]
}

export interface NounsClient {
  list(options?: { signal?: AbortSignal }): Promise<NounList>
  get(name: string, options?: { signal?: AbortSignal }): Promise<NounView>
  /** Custom fields on a built-in noun, or the whole definition of a noun of the tenant's own (admin keys). Replaces what was there. */
  put(name: string, body: NounBody, options?: SchemaWriteOptions): Promise<SchemaChange>
  /** A noun of the tenant's own; its records go only with `drop: [name]` (admin keys). */
  delete(name: string, options?: SchemaWriteOptions): Promise<SchemaChange>
}

/** A tenant's configuration as one document (`revline manifest pull > revline.json`). */
export interface RevlineManifest {
  revline: 1
  nouns: Record<string, NounBody>
  stages: { name: string; order: number; probability?: number; colour?: string; autoNurture?: boolean; slaDays?: number; kind?: string; status?: string }[]
  settings: Record<string, unknown>
  [key: string]: unknown
}
export interface ManifestChange {
  /** `nouns.Project.budget`, `stages.Demo`, `settings.tiers` … */
  path: string
  change: 'add' | 'remove' | 'update'
  before?: unknown
  after?: unknown
}
export interface ManifestResult {
  dryRun: boolean
  changes: ManifestChange[]
  /** The schema version after an applied change. */
  version?: number
}

export interface ManifestClient {
  /** The tenant's nouns, stages and settings (admin keys; webhook secrets are left out). */
  get(options?: { signal?: AbortSignal }): Promise<RevlineManifest>
  /** Applies a manifest all or nothing, or with `dryRun` only lists what would change (admin keys). */
  put(doc: unknown, options?: WriteOptions & { dryRun?: boolean }): Promise<ManifestResult>
}

const signalOf = (options?: { signal?: AbortSignal }) => (options?.signal ? { signal: options.signal } : {})
const nounPath = (name: string) => {
  if (typeof name !== 'string' || name === '') throw new TypeError(`expected a noun name such as 'Project', got ${JSON.stringify(name)}`)
  return `/nouns/${encodeURIComponent(name)}`
}
const dropQuery = (options?: SchemaWriteOptions) => (options?.drop?.length ? { query: { drop: options.drop.join(',') } } : {})

/** `changed(name)` runs after a change, so cached collections of that noun are looked up again. */
export function nounsClient(transport: () => Transport, changed: (name: string) => void): NounsClient {
  return {
    list: (options) => transport().request<NounList>({ method: 'GET', path: '/nouns', ...signalOf(options) }),
    get: (name, options) => transport().request<NounView>({ method: 'GET', path: nounPath(name), ...signalOf(options) }),
    put: (name, body, options) =>
      transport()
        .request<SchemaChange>({ method: 'PUT', path: nounPath(name), json: body, ...dropQuery(options), ...writeOptions(options) })
        .finally(() => changed(name)),
    delete: (name, options) =>
      transport()
        .request<SchemaChange>({ method: 'DELETE', path: nounPath(name), ...dropQuery(options), ...writeOptions(options) })
        .finally(() => changed(name)),
  }
}

export function manifestClient(transport: () => Transport, changed: () => void): ManifestClient {
  return {
    get: (options) => transport().request<RevlineManifest>({ method: 'GET', path: '/manifest', ...signalOf(options) }),
    put: (doc, options = {}) =>
      transport()
        .request<ManifestResult>({ method: 'PUT', path: '/manifest', json: doc, ...(options.dryRun ? { query: { dryRun: 'true' } } : {}), ...writeOptions(options) })
        .finally(() => {
          if (!options.dryRun) changed()
        }),
  }
}
