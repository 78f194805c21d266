/**
 * Users (issue 16): emails stored lowercase, each user linked to a Contact (what `owner` fields
 * point at), an invitation email on creation, owner rules (only an owner makes or unmakes owners;
 * the last active owner can be neither demoted nor deactivated), and deactivation ending every
 * session and key of the user in the same transaction.
 */
import { AppError } from '../errors'
import type { HookContext } from '../engine/hooks'
import type { TenantHandle } from '../engine/tenant-handle'
import type { EntityRecord } from '../engine/types'
import { User } from '../nouns'

const lowercaseEmail = (_user: unknown, input: Record<string, unknown>) =>
  typeof input.email === 'string' && input.email !== input.email.trim().toLowerCase() ? { ...input, email: input.email.trim().toLowerCase() } : undefined
User.creating(lowercaseEmail)
User.updating(lowercaseEmail)

/** A user acting (not a service key, the operator or the system) who is not an owner. */
const actsAsNonOwner = (context: HookContext) => context.actor.userRole !== undefined && context.actor.userRole !== 'owner'

function requireOwner(context: HookContext, what: string) {
  if (actsAsNonOwner(context)) throw new AppError('forbidden', `only an owner may ${what}`)
}

function requireAnotherOwner($: TenantHandle, user: EntityRecord, what: string) {
  const others = $.User.find({ role: 'owner', status: 'Active' }, { limit: 2 }).filter((u) => u.$id !== user.$id)
  if (others.length === 0) throw new AppError('conflict', `${String(user.email)} is the last owner: make another user owner before you ${what}`, [{ path: 'role', message: 'the last owner cannot be demoted or deactivated' }])
}

User.creating((_draft, input, context) => {
  if (input.role === 'owner') requireOwner(context, 'make a user owner')
  if (input.status !== undefined && input.status !== 'Invited') throw new AppError('validation_failed', 'a new user is Invited; they become Active when they first sign in', [{ path: 'status', message: 'is set by sign-in, not on creation' }])
  // The user's Contact: the one on file with this email, or a new one.
  if (input.contact === undefined && typeof input.email === 'string') {
    const email = input.email.trim().toLowerCase()
    const contact = context.$.Contact.find({ email }, { limit: 1 })[0] ?? context.$.Contact.create({ name: typeof input.name === 'string' ? input.name : email, email, source: 'team' })
    return { ...input, contact: contact.$id }
  }
})

User.updating((user, input, context) => {
  if (input.status !== undefined && input.status !== user.status) throw new AppError('validation_failed', 'status changes by verb: deactivate or reactivate', [{ path: 'status', message: 'use POST /users/{id}/deactivate or /reactivate' }])
  // The email is where sign-in links go: changing it for someone who signs in would let whoever sets
  // it sign in as them. A typo can be fixed before the first sign-in; later, invite the new address.
  if (typeof input.email === 'string' && input.email.trim().toLowerCase() !== user.email && user.status !== 'Invited')
    throw new AppError('validation_failed', 'the email of a user who has signed in cannot change', [{ path: 'email', message: 'can change only before the first sign-in; invite the new address instead' }])
  if (input.role === undefined || input.role === user.role) return
  if (user.role === 'owner' || input.role === 'owner') requireOwner(context, 'make or unmake an owner')
  if (user.role === 'owner') requireAnotherOwner(context.$, user, 'demote them')
})

User.deactivating((user, _input, context) => {
  if (user.role === 'owner') {
    requireOwner(context, 'deactivate an owner')
    requireAnotherOwner(context.$, user, 'deactivate them')
  }
})

User.deactivated((user, $) => $.accounts.endAccess(user.$id))

/** The invitation: a Message to the new user with a single-use sign-in link on the tenant's base URL. */
User.created((user, $, event) => {
  const link = $.accounts.signInLink(user.$id, 'invitation')
  const message = $.Message.create({
    to: String(user.email),
    subject: `You are invited to ${$.accounts.tenantName} on Revline`,
    body: `Hello ${String(user.name)},\n\nYou have been invited to ${$.accounts.tenantName} on Revline as ${String(user.role)}.\n\nSign in: ${link}\n\nThe link works once, within 7 days. Later, ask for a new sign-in link on the sign-in page.\n`,
    kind: 'invitation',
    cause: event.id,
    contact: typeof user.contact === 'string' ? user.contact : undefined,
    ...$.accounts.delivery(),
  })
  if (message.status === 'Queued') $.enqueue({ type: 'email', message: message.$id })
})
