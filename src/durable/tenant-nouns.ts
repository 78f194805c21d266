/**
 * The nouns of one tenant: Revline's, with the tenant's own schema (src/domain/schema) on top,
 * built from the document stored in the tenant row.
 */
// The domain's public face: the nouns with their hooks registered (importing the nouns alone would not run them).
import { nouns as builtIns } from '../domain'
import { readSchemaDoc } from '../domain/schema/doc'
import { buildRegistry, type TenantRegistry } from '../domain/schema/registry'

/** Revline's own nouns, which every tenant's schema builds on. */
export const BUILT_IN_NOUNS = builtIns.all()

/** Revline's nouns alone: what a tenant without a schema of its own has. */
export const BUILT_IN_REGISTRY: TenantRegistry = buildRegistry(BUILT_IN_NOUNS, { nouns: {} })

export function tenantRegistry(stored: unknown): TenantRegistry {
  const doc = readSchemaDoc(stored)
  if (Object.keys(doc.nouns).length === 0) return BUILT_IN_REGISTRY
  try {
    return buildRegistry(BUILT_IN_NOUNS, doc)
  } catch (error) {
    // A document is checked before it is stored; one that no longer builds (a built-in field added
    // since, that a custom one now shadows) must not lock the tenant out: its own nouns are set aside.
    console.error('the stored schema no longer builds; serving the built-in nouns', error)
    return BUILT_IN_REGISTRY
  }
}

/** The stored schema as the object hands it to the edge (`schema.doc`). */
export interface SchemaSnapshot {
  version: number
  doc: unknown
}

/** Registries the edge built, per tenant, kept while the tenant's schema version stays. */
const edgeRegistries = new Map<string, { version: number; registry: TenantRegistry }>()
const EDGE_REGISTRIES = 200

/**
 * The edge's view of a tenant's nouns (OpenAPI, MCP, dashboard), rebuilt only when the version the
 * object reports moves; the least recently used tenants are forgotten first.
 */
export function edgeRegistry(slug: string, snapshot: SchemaSnapshot): TenantRegistry {
  const held = edgeRegistries.get(slug)
  edgeRegistries.delete(slug)
  const entry = held && held.version === snapshot.version ? held : { version: snapshot.version, registry: tenantRegistry(snapshot.doc) }
  edgeRegistries.set(slug, entry)
  if (edgeRegistries.size > EDGE_REGISTRIES) edgeRegistries.delete(edgeRegistries.keys().next().value!)
  return entry.registry
}
