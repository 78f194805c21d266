/**
 * A create event's `data` is nearly always its `after` again without the `$` fields: stored as is,
 * it doubled the bytes of every create in the log. Such a `data` is stored as the list of its keys
 * instead (`["source","score",…]`), each read back from the event's `after`; a value that is not
 * `after`'s own (a `previousScore: null` the entity does not keep) stays inline as `[key, value]`.
 * A stored `data` is otherwise always an object or null, so a list can only be this form.
 *
 * Reads give exactly what the full form gave, personal values included: a personal value is only
 * listed when it is `after`'s very value, so it is sealed once (in `after`'s section), and listed
 * last in the noun's field order, where the reader of the full form put the sealed values back.
 * A record forgotten since has neither, in both forms. The hash chain covers the stored text.
 *
 * The commonest create lists every field of `after` in `after`'s own order (a record created with
 * nothing derived in between): that list is stored as the empty list `[]` (never the list form
 * otherwise: an empty `data` is stored in full, `{}`), read back as all of `after`'s fields.
 */
import { holdsPersonalValue } from '../domain/personal-data'

type Json = Record<string, unknown>
export type DataEntry = string | [string, unknown]

/** The list form of a create's `data`, or undefined when it would not read back identically (then the full form is stored). */
export function dataAsKeys(data: Json | null, after: Json | null, personal: readonly string[]): DataEntry[] | undefined {
  if (!data || !after) return undefined
  const entries: DataEntry[] = []
  const sealed = new Set<string>()
  for (const key of Object.keys(data)) {
    const value = data[key]
    if (value === undefined) continue
    const fromAfter = Object.hasOwn(after, key) && after[key] === value
    if (holdsPersonalValue(value) && personal.includes(key)) {
      if (!fromAfter) return undefined
      sealed.add(key)
    } else entries.push(fromAfter ? key : [key, value])
  }
  if (entries.length + sealed.size === 0) return undefined
  for (const key of personal) if (sealed.has(key)) entries.push(key)
  return listsAllOf(entries, after, personal) ? [] : entries
}

/**
 * Whether `entries` are exactly the fields of `after` as a reader sees it: its `$`-less fields in
 * order, the personal ones (sealed, put back last in the noun's order) after the others.
 */
function listsAllOf(entries: readonly DataEntry[], after: Json, personal: readonly string[]): boolean {
  const isSealed = (key: string) => personal.includes(key) && holdsPersonalValue(after[key])
  const keys = Object.keys(after).filter((key) => !key.startsWith('$') && after[key] !== undefined)
  const read = [...keys.filter((key) => !isSealed(key)), ...personal.filter((key) => keys.includes(key) && isSealed(key))]
  return read.length === entries.length && read.every((key, i) => entries[i] === key)
}

/** `data` back from its list form and the event's `after` as read (its personal values put back while they exist). */
export function dataFromKeys(entries: readonly DataEntry[], after: Json | null): Json {
  if (entries.length === 0) return Object.fromEntries(Object.entries(after ?? {}).filter(([key]) => !key.startsWith('$')))
  const pairs: [string, unknown][] = []
  for (const entry of entries) {
    if (typeof entry !== 'string') pairs.push(entry)
    else if (after && Object.hasOwn(after, entry)) pairs.push([entry, after[entry]])
  }
  return Object.fromEntries(pairs)
}

/**
 * A create's `after` opens with the six `$` fields its event's own columns hold (`$id` the entity,
 * `$version` the version, `$createdAt` and `$updatedAt` the instant, `$createdBy` the actor): they
 * are stored once, in the columns, and put back first on read. An `after` without `$id` can only be
 * this form (every entity has one). The previous version's, when an update reads its `before` from
 * it, gets its instant and actor from that event (selectEvents' `beforeMeta`).
 */
const META = ['$id', '$type', '$version', '$createdAt', '$updatedAt', '$createdBy'] as const

export interface EventColumns {
  entityId: string
  entityType: string
  version: number
  at: string
  actor: string
}

/** `after` without the `$` fields, or undefined when they are not exactly the event's columns (then it is stored whole). */
export function afterWithoutMeta(after: Json | null, event: EventColumns): Json | undefined {
  if (!after) return undefined
  const keys = Object.keys(after)
  if (keys.length < META.length || META.some((name, i) => keys[i] !== name)) return undefined
  if (after.$id !== event.entityId || after.$type !== event.entityType || after.$version !== event.version) return undefined
  if (after.$createdAt !== event.at || after.$updatedAt !== event.at || after.$createdBy !== event.actor) return undefined
  const rest = keys.slice(META.length)
  if (rest.some((key) => key.startsWith('$'))) return undefined
  return Object.fromEntries(rest.map((key) => [key, after[key]]))
}

/** The entity back from its stored form (as is when it has its `$id`). */
export function afterWithMeta<T extends Json | null>(stored: T, event: EventColumns): T {
  if (!stored || typeof stored !== 'object' || Array.isArray(stored) || Object.hasOwn(stored, '$id')) return stored
  return { $id: event.entityId, $type: event.entityType, $version: event.version, $createdAt: event.at, $updatedAt: event.at, $createdBy: event.actor, ...stored } as T
}
