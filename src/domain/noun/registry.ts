import type { NounSchema } from './noun'

/**
 * A set of nouns by name. The concrete list (src/domain/nouns) is handed to whatever needs it (the
 * verb engine through its context, the query parser as an argument), never imported by them.
 */
export interface NounRegistry {
  byName(name: string): NounSchema | undefined
  all(): readonly NounSchema[]
}

/** A registry that also finds nouns by collection (`/contacts`), as routes and imports do. */
export interface CollectionRegistry extends NounRegistry {
  byPlural(plural: string): NounSchema | undefined
}
