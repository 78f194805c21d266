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
import { eq, inArray, or, type SQL } from 'drizzle-orm'
import type { EntityRecord } from '../domain/engine/types'
import { AppError } from '../domain/errors'
import { newId } from '../domain/ids'
import type { NounSchema } from '../domain/noun/noun'
import { withoutPersonalData } from '../domain/personal-data'
import { delta } from '../domain/analytics/contributions'
import { applyDelta } from './analytics'
import type { DispatchContext } from './context'
import { column } from './query/compile'
import { subjectKeysOf } from './subject-keys'
import { writeOutbox } from './outbox'
import { subscriptionsFor } from '../domain/webhooks'

interface Found {
  noun: NounSchema
  ids: string[]
}

/** Ids of a noun's rows (deleted ones too) matching any condition. */
function idsWhere(ctx: DispatchContext, nounName: string, conditions: (field: (name: string) => ReturnType<typeof column>) => (SQL | undefined)[]): Found | undefined {
  const noun = ctx.nouns.byName(nounName)
  if (!noun) return undefined
  const table = ctx.store.table(noun)
  const present = conditions((name) => column(table, name)).filter((c): c is SQL => c !== undefined)
  if (present.length === 0) return { noun, ids: [] }
  const rows = ctx.store.db.select({ id: column(table, '$id') }).from(table).where(or(...present)).all() as { id: string }[]
  return { noun, ids: rows.map((r) => r.id) }
}

/** The deals the person's leads were converted into. */
function idsOfLeadDeals(ctx: DispatchContext, leads: string[]): string[] {
  const noun = ctx.nouns.byName('Lead')!
  return leads.map((id) => ctx.store.getAny(noun, id)?.deal).filter((deal): deal is string => typeof deal === 'string')
}

/** Every record holding the person's data, besides the contact itself. */
function recordsOf(ctx: DispatchContext, contact: EntityRecord): Found[] {
  const id = contact.$id
  const email = typeof contact.email === 'string' ? contact.email : undefined
  const leads = idsWhere(ctx, 'Lead', (f) => [eq(f('contact'), id)])!
  const ofLeads = (f: (name: string) => ReturnType<typeof column>) => (leads.ids.length ? inArray(f('lead'), leads.ids) : undefined)
  const deals = idsWhere(ctx, 'Deal', (f) => [eq(f('contact'), id), leads.ids.length ? inArray(f('$id'), idsOfLeadDeals(ctx, leads.ids)) : undefined])!
  const ofDeals = (f: (name: string) => ReturnType<typeof column>) => (deals.ids.length ? inArray(f('deal'), deals.ids) : undefined)
  return [
    leads,
    deals,
    idsWhere(ctx, 'Proposal', (f) => [ofDeals(f)]),
    idsWhere(ctx, 'Customer', (f) => [eq(f('contact'), id), email ? eq(f('email'), email) : undefined]),
    idsWhere(ctx, 'Activity', (f) => [eq(f('contact'), id), ofLeads(f)]),
    idsWhere(ctx, 'Message', (f) => [eq(f('contact'), id), ofLeads(f), email ? eq(f('to'), email) : undefined]),
    idsWhere(ctx, 'TrackedEvent', (f) => [eq(f('contact'), id), ofLeads(f)]),
    idsWhere(ctx, 'Notification', (f) => [ofLeads(f)]),
    idsWhere(ctx, 'Contract', (f) => [ofDeals(f)]),
  ].filter((found): found is Found => found !== undefined && found.ids.length > 0)
}

/** Rewrites one record without its personal data, with its `<noun>.forgotten` event; then destroys its key. */
function erase(ctx: DispatchContext, noun: NounSchema, id: string, data: Record<string, unknown>, cause: string | null): { event: string } | undefined {
  const before = ctx.store.getAny(noun, id)
  if (!before) return undefined
  const at = ctx.now()
  const after: EntityRecord = { ...withoutPersonalData(before, noun), $version: before.$version + 1, $updatedAt: at }
  // A message still waiting to be sent to the person will never be: there is no one to send it to.
  if (noun.name === 'Message' && after.status === 'Queued') after.status = 'Failed'
  ctx.store.update(noun, after, before)
  const event = ctx.store.appendEvent({
    id: newId('evt'),
    type: `${noun.name.toLowerCase()}.forgotten`,
    entityType: noun.name,
    entityId: id,
    verb: 'forget',
    version: after.$version,
    actor: ctx.actor.id,
    actorRole: ctx.actor.role,
    via: ctx.actor.via ?? null,
    requestId: ctx.requestId,
    at,
    data,
    before,
    after,
    cause,
  })
  applyDelta(ctx.store.sql, delta(before, after))
  // Systems that copied the person (webhook subscribers) hear of it, so they can forget too.
  for (const subscription of subscriptionsFor(ctx.tenant.settings().webhooks, event.type)) {
    writeOutbox(ctx.store.sql, { type: 'webhook', subscription: subscription.id, event: event.id }, event.id)
    ctx.onEnqueue?.()
  }
  subjectKeysOf(ctx.store.sql).forget(id, at)
  return { event: event.id }
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
  const found = recordsOf(ctx, contact)
  const records = Object.fromEntries(found.map((f) => [f.noun.name, f.ids]))
  const counts = Object.fromEntries(found.map((f) => [f.noun.name, f.ids.length]))
  const { event } = erase(ctx, noun, id, { records: counts }, null)!
  for (const { noun: related, ids } of found) for (const relatedId of ids) erase(ctx, related, relatedId, { contact: id }, event)
  // Answers kept for Idempotency-Key replays may quote the person: they go too.
  const touched = [id, ...found.flatMap((f) => f.ids)]
  for (const recordId of touched) ctx.store.sql.exec('DELETE FROM idempotency_keys WHERE instr(response, ?) > 0', recordId)
  return { contact: ctx.store.getAny(noun, id)!, records, event }
}
