/**
 * Emails for the people who own records (issue 16): reminders and nurture notices go to the email
 * of the user whose contact owns the record, through the email port (the local sender records the
 * Message as Sent; a provider gets it Queued, with an `email` job in the same transaction's outbox).
 */
import type { EngineContext } from '../../domain/engine/context'
import { runVerb } from '../../domain/engine/run-verb'
import type { EntityRecord } from '../../domain/engine/types'
import type { DispatchContext } from '../context'

/**
 * Where an owner's email goes: an active user's address when the owner contact is a user's (an
 * invited or deactivated user gets none), else — a rep kept as a plain contact — the contact's own,
 * when `contactAlso`.
 */
export function ownerAddress(ctx: DispatchContext, owner: EntityRecord, options: { contactAlso: boolean }): string | undefined {
  const users = ctx.store.find(ctx.nouns.byName('User')!, { field: 'contact', op: '$eq', value: owner.$id }, { limit: 10 })
  if (users.length > 0) return users.find((u) => u.status === 'Active')?.email as string | undefined
  return options.contactAlso && typeof owner.email === 'string' ? owner.email : undefined
}

/** A Message through the email port: Sent by the local sender, else Queued with its `email` job. */
export function sendEmail(engine: EngineContext, ctx: DispatchContext, input: Record<string, unknown>, cause: string | null): EntityRecord {
  const message = runVerb(engine, { noun: ctx.nouns.byName('Message')!, verb: 'create', input: { ...input, ...engine.accounts!.delivery() } }).entity
  if (message.status === 'Queued') engine.enqueue({ type: 'email', message: message.$id }, cause)
  return message
}
