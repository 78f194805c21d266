/**
 * `POST /contacts/{id}/merge { from }`: the survivor keeps its values and fills its blanks from the
 * duplicate; every relation that points at the duplicate is re-pointed to the survivor; the
 * duplicate is retired (soft-deleted, with `mergedInto` kept in the log).
 */
import type { VerbBody } from '../engine/hooks'
import { AppError } from '../errors'
import { nouns } from '../nouns'

/** Fields a merge never copies: identity of the duplicate itself. */
const NOT_COPIED = new Set(['mergedInto'])
/** Re-pointing is bounded per relation so one call stays far below the platform's CPU limit. */
const MAX_REPOINT = 5_000

export const mergeContacts: VerbBody = ({ entity, input, $ }) => {
  const survivor = entity!
  const fromId = String(input.from)
  if (fromId === survivor.$id) throw new AppError('validation_failed', 'a contact cannot be merged into itself', [{ path: 'from', message: 'must be another contact' }])
  const duplicate = $.Contact.get(fromId) as Record<string, unknown> | undefined
  if (!duplicate) throw new AppError('validation_failed', 'the duplicate does not exist', [{ path: 'from', message: `no Contact with id ${fromId}` }])

  const fill: Record<string, unknown> = {}
  for (const field of Object.keys(nouns.byName('Contact')!.fields)) {
    if (NOT_COPIED.has(field) || survivor[field] != null || duplicate[field] == null) continue
    fill[field] = duplicate[field] === fromId ? null : duplicate[field]
  }

  const handle = $ as unknown as Record<string, { find: typeof $.Contact.find; update: (id: string, input: Record<string, unknown>) => unknown }>
  for (const noun of nouns.all()) {
    for (const field of Object.values(noun.fields)) {
      if (field.kind !== 'relation' || field.target !== 'Contact' || field.list || NOT_COPIED.has(field.name)) continue
      const pointing = handle[noun.name]!.find({ [field.name]: fromId }, { limit: MAX_REPOINT + 1 })
      if (pointing.length > MAX_REPOINT) throw new AppError('rejected', `more than ${MAX_REPOINT} ${noun.plural} point at the duplicate; merge them in batches`)
      for (const row of pointing) if (row.$id !== fromId) handle[noun.name]!.update(row.$id, { [field.name]: survivor.$id })
    }
  }

  $.Contact.update(fromId, { mergedInto: survivor.$id })
  $.Contact.delete(fromId)
  return { patch: fill }
}
