/**
 * The drizzle schema of a tenant object: drizzle-kit generates `migrations/` from these exports
 * (`npm run db:generate`). Noun tables are derived; add one line per noun.
 */
import { Contact, Organization } from '../../domain/nouns'
import { entityTable } from './entity-table'

export * from './system-tables'

export const contacts = entityTable(Contact.schema)
export const organizations = entityTable(Organization.schema)
