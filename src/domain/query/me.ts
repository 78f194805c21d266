/**
 * "My" lists (issue 16): `?owner=me` on leads, deals, activities and contacts. The filter parser
 * keeps `me` as it is on relations to Contact (list requests only); the tenant object, which knows
 * who is calling, swaps it for the calling user's contact before the query runs. A caller who is no
 * user (a service key) has no contact: 400 naming the field.
 */
import { AppError } from '../errors'
import type { NounSchema } from '../noun/noun'
import type { NounRegistry } from '../noun/registry'
import { fieldOf, ME, type Condition } from './filter'

export function resolveMe(noun: NounSchema, nouns: NounRegistry, where: Condition, contactOf: () => string | undefined): Condition {
  let contact: string | undefined | null = null
  const walk = (at: NounSchema, condition: Condition, prefix: string): Condition => {
    if ('and' in condition) return { and: condition.and.map((c) => walk(at, c, prefix)) }
    if ('or' in condition) return { or: condition.or.map((c) => walk(at, c, prefix)) }
    if ('search' in condition) return condition
    if ('related' in condition) {
      const target = nouns.byName(condition.related.noun)
      return target ? { field: condition.field, related: { noun: condition.related.noun, where: walk(target, condition.related.where, `${prefix}${condition.field}.`) } } : condition
    }
    const field = fieldOf(at, condition.field)
    if (field?.kind !== 'relation' || field.target !== 'Contact') return condition
    const mine = (value: unknown) => {
      if (value !== ME) return value
      // Read once, and only when `me` is used.
      if (contact === null) contact = contactOf()
      if (contact) return contact
      throw new AppError('invalid_query', '`me` stands for your own contact, and this caller is no user: use a key that belongs to a user, or sign in', [
        { path: `${prefix}${condition.field}`, message: '`me` needs a user: this is a service key' },
      ])
    }
    return { ...condition, value: Array.isArray(condition.value) ? condition.value.map(mine) : mine(condition.value) }
  }
  return walk(noun, where, '')
}
