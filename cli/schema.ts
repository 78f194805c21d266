/**
 * The tenant's nouns as the records commands see them. Revline's own nouns come from the SDK's
 * MANIFEST without a request; anything else (a noun the tenant defined, a custom field on a built-in
 * noun) is looked up in `GET /nouns`, once per invocation.
 */
import { MANIFEST, type NounList, type NounView, type RevlineClient } from '../sdk'
import { UsageError } from './context'
import { declaredVerbs, storedFields } from './dsl'

export interface VerbInfo {
  scope: 'instance' | 'collection'
  /** Input fields in the DSL. */
  input: Record<string, string>
}

export interface NounInfo {
  name: string
  collection: string
  builtIn: boolean
  /** Stored fields in the DSL, declaration order. Only built-in fields until `complete` (for a built-in noun). */
  fields: Record<string, string>
  verbs: Record<string, VerbInfo>
  crud: { create: boolean; update: boolean; delete: boolean }
  /** Whether `fields` holds the tenant's custom fields too (it came from `/nouns`). */
  complete: boolean
}

const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '')

type Spec = { plural: string; crud: NounInfo['crud']; fields: Record<string, string>; verbs: Record<string, VerbInfo> }
const builtIns = MANIFEST as unknown as Record<string, Spec>

function fromManifest(name: string): NounInfo {
  const spec = builtIns[name]!
  return { name, collection: spec.plural, builtIn: true, fields: { ...spec.fields }, verbs: { ...spec.verbs }, crud: { ...spec.crud }, complete: false }
}

/** A noun from `/nouns`: a built-in one keeps the manifest's verb scopes and inputs, which the DSL view does not carry. */
export function fromView(view: NounView): NounInfo {
  const def = view.definition
  if (view.builtIn && Object.hasOwn(builtIns, view.name)) return { ...fromManifest(view.name), fields: storedFields(def), complete: true }
  const verbs: Record<string, VerbInfo> = {}
  for (const verb of declaredVerbs(def)) verbs[verb] = { scope: 'instance', input: {} }
  return {
    name: view.name,
    collection: view.collection,
    builtIn: view.builtIn,
    fields: storedFields(def),
    verbs,
    crud: { create: def.create !== null, update: def.update !== null, delete: def.delete !== null },
    complete: true,
  }
}

export class TenantNouns {
  #list: Promise<NounList> | undefined
  constructor(private readonly client: RevlineClient) {}

  /** `GET /nouns`, asked once. */
  list(): Promise<NounList> {
    return (this.#list ??= this.client.nouns.list())
  }

  /** `contacts`, `Contact`, `lead-scores`, `projects`, `Project` → the noun; unknown names are a usage error listing the collections. */
  async resolve(ref: string): Promise<NounInfo> {
    const wanted = norm(ref)
    for (const [name, spec] of Object.entries(builtIns)) if (norm(name) === wanted || norm(spec.plural) === wanted) return fromManifest(name)
    const { data } = await this.list()
    const view = data.find((n) => norm(n.name) === wanted || norm(n.collection) === wanted)
    if (!view) throw new UsageError(`unknown collection '${ref}'`, `collections: ${data.map((n) => n.collection).join(', ')} (revline nouns lists them)`)
    return fromView(view)
  }

  /** The noun with the tenant's custom fields, when the command names fields (`unknown`) the manifest does not know. */
  async complete(info: NounInfo, unknown: readonly string[] = []): Promise<NounInfo> {
    if (info.complete || unknown.length === 0) return info
    const view = (await this.list()).data.find((n) => n.name === info.name)
    return view ? fromView(view) : info
  }
}
