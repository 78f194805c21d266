/**
 * The one-time indexing of records migration 0017 could not reach: those of a tenant's own nouns,
 * and built-in nouns' rows whose tenant-defined text fields hold values (both read through the
 * tenant's schema document). Migration 0018 leaves a marker; the tenant object calls this once at
 * start, inside a transaction, and the marker goes with it.
 */
import { searchFields } from '../domain/search'
import type { TenantRegistry } from '../domain/schema/registry'
import type { EntityStore } from './entity-store'
import { quoted } from './custom-storage'
import { reindex } from './search-index'

/** Indexes what was pending; answers how many records it read (0 when nothing was pending). */
export function backfillSearchIndex(store: EntityStore, registry: TenantRegistry): number {
  const pending = store.sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_backfill_pending'`).toArray().length > 0
  if (!pending || store.sql.exec('SELECT 1 FROM search_backfill_pending').toArray().length === 0) return 0
  let read = 0
  for (const noun of registry.all()) {
    const searched = new Set([searchFields(noun).title, ...searchFields(noun).body])
    const ownTextFields = registry.customFields(noun.name).some((f) => searched.has(f.name))
    if (!noun.tenantDefined && !ownTextFields) continue
    for (const { id } of store.sql.exec<{ id: string }>(`SELECT "id" FROM ${quoted(noun.table)} WHERE "deleted_at" IS NULL`).toArray()) {
      const entity = store.getAny(noun, id)
      if (entity) reindex(store.sql, noun, entity)
      read++
    }
  }
  store.sql.exec('DELETE FROM search_backfill_pending')
  return read
}
