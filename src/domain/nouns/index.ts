/** Every noun of Revline. Adding a noun here adds its table, routes, validators and types. */
import type { NounRegistry } from '../engine/types'
import type { NounSchema } from '../noun/noun'
import { Contact } from './contact'
import { Organization } from './organization'

export { Contact, Organization }

export const NOUNS = { Contact, Organization }

export type NounName = keyof typeof NOUNS

const byName = new Map<string, NounSchema>(Object.values(NOUNS).map((n) => [n.schema.name, n.schema]))
const byPlural = new Map<string, NounSchema>(Object.values(NOUNS).map((n) => [n.schema.plural, n.schema]))

export const nouns: NounRegistry & { byPlural(plural: string): NounSchema | undefined } = {
  byName: (name) => byName.get(name),
  byPlural: (plural) => byPlural.get(plural),
  all: () => [...byName.values()],
}
