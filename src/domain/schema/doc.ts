/**
 * A tenant's own schema, as data: per noun, the body a seed passes to `Noun(name, {...})` in the
 * Noun DSL. For a built-in noun (Contact, Lead, Deal…) the body holds the tenant's custom fields on
 * top of the built-in ones; for any other name it defines a noun of the tenant's own.
 *
 *   { "nouns": { "Contact": { "shoeSize": "number#" },
 *                "Project": { "name": "string!", "client": "-> Organization.projects", "activate": "Active" } } }
 */
import { z } from 'zod'

/** One noun's body: field → DSL string, verb → target state, a CRUD verb → null to switch it off. */
export type NounBody = Readonly<Record<string, string | null>>

export interface SchemaDoc {
  nouns: Readonly<Record<string, NounBody>>
}

export const EMPTY_SCHEMA: SchemaDoc = Object.freeze({ nouns: Object.freeze({}) })

/** What a tenant can rely on, enforced with a 4xx naming the limit. */
export const SCHEMA_LIMITS = {
  /** Nouns of the tenant's own. */
  customNouns: 50,
  /** Custom fields on one noun (built-in or the tenant's own); they share one JSON column. */
  customFields: 200,
  /** Indexed custom fields (`#`, `##`, relations) per noun: each index is written on every write. */
  indexedFields: 20,
  /** Length of a noun or field name. */
  nameLength: 40,
} as const

/** The shape of a body before the grammar reads it: names to strings (or null for a CRUD verb). */
export const NounBodyShape = z.record(z.string().max(SCHEMA_LIMITS.nameLength + 20), z.union([z.string().max(2_000), z.null()])).refine((body) => Object.keys(body).length <= SCHEMA_LIMITS.customFields + 50, {
  message: `at most ${SCHEMA_LIMITS.customFields} fields`,
})

export const SchemaDocShape = z.strictObject({ nouns: z.record(z.string().max(SCHEMA_LIMITS.nameLength + 20), NounBodyShape) })

/** Reads a stored document; anything unreadable is the empty schema (a tenant that never set one). */
export function readSchemaDoc(raw: unknown): SchemaDoc {
  const parsed = SchemaDocShape.safeParse(raw ?? EMPTY_SCHEMA)
  return parsed.success ? parsed.data : EMPTY_SCHEMA
}
