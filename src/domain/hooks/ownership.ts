/**
 * `assign` on Contact, Lead, Deal and Activity (src/domain/ownership.ts): `{ owner }` sets the
 * contact given; `{ user }` sets that user's contact, for a user who may still work (an invited or
 * active one, never a deactivated one). The event's data keeps what was given (`user`, `reason`)
 * beside the owner it set.
 */
import type { VerbBody } from '../engine/hooks'
import { AppError } from '../errors'
import { implement } from '../noun/noun'
import { Activity, Contact, Deal, Lead } from '../nouns'

const refuse = (message: string) => new AppError('validation_failed', `cannot assign to this user: ${message}`, [{ path: 'user', message }])

export const assignOwner: VerbBody = ({ input, $ }) => {
  // The input validator let through exactly one of the two.
  if (typeof input.owner === 'string') return { patch: { owner: input.owner } }
  const id = String(input.user)
  const user = $.User.get(id)
  if (!user) throw refuse(`no User with id ${id}`)
  if (user.status === 'Deactivated') throw refuse(`${user.email} is deactivated: reactivate them or choose another user`)
  if (typeof user.contact !== 'string') throw refuse(`${user.email} has no contact record to own it`)
  return { patch: { owner: user.contact } }
}

for (const noun of [Contact, Lead, Deal, Activity]) implement(noun, 'assign', assignOwner)
