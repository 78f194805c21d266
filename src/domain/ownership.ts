/**
 * Ownership (issue 16): the seeds' `owner: '-> Contact'` fields point at contacts, and each user is
 * linked to one. `assign` sets the owner either way: `{ owner: contactId }` as the seeds write it,
 * or `{ user: userId }`, which sets the owner to that user's contact. `reason` says why (automatic
 * assignment writes the rule that chose the owner: `round-robin`, `rules[2]`); it stays in the
 * event's data, not on the record.
 */
import type { VerbOptions } from './noun/noun'

/** The `assign` verb's options, the same on Contact, Lead, Deal and Activity. */
export const ASSIGN_VERB = {
  input: { owner: '-> Contact', user: '-> User', reason: 'string' },
  exactlyOne: ['owner', 'user'],
} as const satisfies VerbOptions

/** What `assign` does, in words (the OpenAPI document says it beside the verb). */
export const ASSIGN_NOTE =
  'Sets `owner`. Give `user` (a User id: the owner becomes that user’s contact; a deactivated user is 422 naming `user`) or `owner` (a Contact id, as the seeds write it), exactly one of them. `reason` (optional) is kept in the event’s data, not on the record; automatic lead assignment writes the rule that chose the owner (`round-robin`, `rules[0]`).'
