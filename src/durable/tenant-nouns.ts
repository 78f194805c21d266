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
