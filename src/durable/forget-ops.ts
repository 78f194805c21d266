/**
 * The right to be forgotten (GDPR art. 17): `POST /contacts/{id}/forget`. In one transaction, the
 * contact and every record that copied the person's data (their leads, billing customers, the
 * activities, messages, tracked events and notifications about them, the words of their deals,
 * proposals and contracts) lose their personal fields
 * (src/domain/personal-data.ts): the live row is rewritten with nulls, re-indexed for search, and
 * its stream gets a `<noun>.forgotten` event; then each record's key is destroyed, so the personal
 * values its earlier events sealed can never be read again. The log is not rewritten: the chain
 * still verifies. Business facts (deals, values, stages, counters) are untouched.
 */
import type { EntityRecord } from '../domain/engine/types'
import { AppError } from '../domain/errors'
import type { NounSchema } from '../domain/noun/noun'
import { personalFields, withoutPersonalData } from '../domain/personal-data'
import { delta } from '../domain/analytics/contributions'
import { applyDelta } from './analytics'
import type { DispatchContext } from './context'
import { personRecords } from './person-records'
import { appendRecordEvent } from './record-event'
import { subjectKeysOf } from './subject-keys'
import { writeOutbox } from './outbox'
import { subscriptionsFor } from '../domain/webhooks'

/** Rewrites one record without its personal data, with its `<noun>.forgotten` event; then destroys its key. */
function erase(ctx: DispatchContext, noun: NounSchema, id: string, data: Record<string, unknown>, cause: string | null): { event: string } | undefined {
  const before = ctx.store.getAny(noun, id)
  if (!before) return undefined
  const at = ctx.now()
  const after: EntityRecord = { ...withoutPersonalData(before, noun), $version: before.$version + 1, $updatedAt: at }
  // A message still waiting to be sent to the person will never be: there is no one to send it to.
  if (noun.name === 'Message' && after.status === 'Queued') after.status = 'Failed'
  ctx.store.update(noun, after, before)
  const event = appendRecordEvent(ctx, noun, { verb: 'forget', past: 'forgotten', at, before, after, data, cause })
  applyDelta(ctx.store.sql, delta(before, after))
  // Systems that copied the person (webhook subscribers) hear of it, so they can forget too.
  for (const subscription of subscriptionsFor(ctx.tenant.settings().webhooks, event.type)) {
    writeOutbox(ctx.store.sql, { type: 'webhook', subscription: subscription.id, event: event.id }, event.id)
    ctx.onEnqueue?.()
  }
  subjectKeysOf(ctx.store.sql).forget(id, at)
  return { event: event.id }
}

/**
 * Answers kept for Idempotency-Key replays (a day's worth) may quote the person's records: they go
 * too. One pass over the table, whatever the number of records.
 */
function dropRepliesQuoting(sql: SqlStorage, ids: readonly string[]) {
  const quoted = (response: string) => ids.some((id) => response.includes(id))
  const keys = sql.exec<{ key: string; response: string }>('SELECT key, response FROM idempotency_keys').toArray().filter((row) => quoted(row.response)).map((row) => row.key)
  for (const key of keys) sql.exec('DELETE FROM idempotency_keys WHERE key = ?', key)
}

export interface Forgotten {
  contact: EntityRecord
  /** The records that lost the person's data, by noun. */
  records: Record<string, string[]>
  event: string
}

export function forgetContact(ctx: DispatchContext, id: string): Forgotten {
  const noun = ctx.nouns.byName('Contact')!
  const contact = ctx.store.getAny(noun, id)
  if (!contact) throw new AppError('not_found', `Contact ${id} not found`)
  const users = ctx.nouns.byName('User')!
  const user = ctx.store.getBy(users, 'contact', id)
  if (user) throw new AppError('conflict', `contact ${id} is the record of team member ${user.$id}: deactivate the user instead; team members are not forgotten through their contact`)
  // The same records the subject access export shows (src/domain/person-links.ts), those with
  // personal fields; team members (users) are never forgotten through a customer's email.
  const found = [...personRecords(ctx.store, id)]
    .map(([name, ids]) => ({ noun: ctx.nouns.byName(name)!, ids: ids.filter((other) => other !== id) }))
    .filter(({ noun: related, ids }) => ids.length > 0 && related.name !== 'User' && personalFields(related).length > 0)
  const records = Object.fromEntries(found.map((f) => [f.noun.name, f.ids]))
  const counts = Object.fromEntries(found.map((f) => [f.noun.name, f.ids.length]))
  const { event } = erase(ctx, noun, id, { records: counts }, null)!
  for (const { noun: related, ids } of found) for (const relatedId of ids) erase(ctx, related, relatedId, { contact: id }, event)
  dropRepliesQuoting(ctx.store.sql, [id, ...found.flatMap((f) => f.ids)])
  return { contact: ctx.store.getAny(noun, id)!, records, event }
}
