/**
 * Operations of the people of a tenant (issue 16): email sign-in (request a link, spend it for a
 * session), who am I, my sessions, and keys that belong to users. Users themselves are a noun
 * (src/domain/nouns/user.ts): invitations, roles and deactivation run through the verb engine.
 */
import { AppError } from '../domain/errors'
import { runVerb } from '../domain/engine/run-verb'
import type { Actor, EntityRecord } from '../domain/engine/types'
import { appendAudit } from './audit'
import { accessOf, findUser, listSessions, openSession, revokeSession, spendLink, type SessionView } from './accounts'
import { engineContext, type DispatchContext } from './context'
import type { RateLimiter } from './rate-limit'

/** Email sign-in requests: per client (IP hash) and per address, each minute. */
export const SIGN_IN_LIMITS = { perClient: 10, perAddress: 3 } as const

const user = (ctx: DispatchContext) => ctx.nouns.byName('User')!

/**
 * `POST /auth/email`: a sign-in link for a known user who is not deactivated, sent as a Message;
 * nothing for anyone else. The caller learns the same either way (no account enumeration); only a
 * flood is told 429, and the address limit counts every address alike, known or not.
 */
export function requestSignInLink(ctx: DispatchContext, limiter: RateLimiter, request: { email: string; clientHash: string }): { retryAfter?: number } {
  const email = request.email.trim().toLowerCase()
  const wait = limiter.hit(`sign-in:client:${request.clientHash}`, SIGN_IN_LIMITS.perClient) || limiter.hit(`sign-in:address:${email}`, SIGN_IN_LIMITS.perAddress)
  if (wait > 0) return { retryAfter: wait }
  const found = findUser(ctx.store.db, { email })
  if (!found || found.status === 'Deactivated') return {}
  ctx.transaction(() => {
    const engine = engineContext(ctx)
    const accounts = engine.accounts!
    const link = accounts.signInLink(found.id, 'sign-in')
    const entity = ctx.store.get(user(ctx), found.id)!
    const message = runVerb(engine, {
      noun: ctx.nouns.byName('Message')!,
      verb: 'create',
      input: {
        to: found.email,
        subject: `Sign in to ${accounts.tenantName} on Revline`,
        body: `Hello ${found.name},\n\nSign in to ${accounts.tenantName}: ${link}\n\nThe link works once, within 15 minutes. If you did not ask to sign in, ignore this email.\n`,
        kind: 'sign-in',
        contact: typeof entity.contact === 'string' ? entity.contact : undefined,
        ...accounts.delivery(),
      },
    }).entity
    if (message.status === 'Queued') engine.enqueue({ type: 'email', message: message.$id }, null)
  })
  return {}
}

export interface SignedIn {
  user: EntityRecord
  session: { id: string; expiresAt: string }
}

/**
 * Spends a sign-in link and opens a session, in one transaction: the first sign-in activates an
 * invited user (`user.activated`), every sign-in records `lastSignInAt`, both as the user.
 */
export function signInWithLink(ctx: DispatchContext, request: { linkHash: string; sessionHash: string; userAgent?: string | null }): SignedIn {
  return ctx.transaction(() => {
    const now = ctx.now()
    const { userId } = spendLink(ctx.store.db, request.linkHash, now)
    return startUserSession(ctx, userId, 'email', request)
  })
}

/** Opens a session for a user who may sign in (inside the caller's transaction): email links and passkeys both end here. */
export function startUserSession(ctx: DispatchContext, userId: string, method: 'email' | 'passkey', request: { sessionHash: string; userAgent?: string | null }): SignedIn {
  const found = findUser(ctx.store.db, { id: userId })
  if (!found || found.status === 'Deactivated') throw new AppError('unauthorized', 'this account is deactivated; ask an admin of your team')
  const session = openSession(ctx.store.db, { tokenHash: request.sessionHash, userId, method, userAgent: request.userAgent }, new Date(ctx.now()))
  const asUser: Actor = { id: userId, role: accessOf(found.role), userRole: found.role, via: session.id }
  const engine = engineContext({ ...ctx, actor: asUser })
  if (found.status === 'Invited') runVerb(engine, { noun: user(ctx), verb: 'activate', id: userId })
  const entity = runVerb(engine, { noun: user(ctx), verb: 'update', id: userId, input: { lastSignInAt: ctx.now() } }).entity
  return { user: entity, session }
}

/** `GET /me`: the user behind the key or session (a service key has none), and what they may do. */
export function whoAmI(ctx: DispatchContext): { user: EntityRecord | null; role: string; via: string | null; key: string | null; session: string | null } {
  const { actor } = ctx
  const entity = actor.userRole ? (ctx.store.get(user(ctx), actor.id) ?? null) : null
  const via = actor.userRole ? (actor.via ?? null) : actor.id
  return { user: entity, role: actor.role, via, key: via?.startsWith('key_') ? via : null, session: via?.startsWith('ses_') ? via : null }
}

/** The signed-in user's id, or 403 for a caller that is not a user (a service key). */
export function requireUser(actor: Actor): string {
  if (!actor.userRole) throw new AppError('forbidden', 'this is for users: sign in, or use a key that belongs to a user')
  return actor.id
}

/** The calling user's contact (what `?owner=me` stands for); undefined for a caller that is no user. */
export function myContact(ctx: DispatchContext): string | undefined {
  if (!ctx.actor.userRole) return undefined
  const contact = ctx.store.get(user(ctx), ctx.actor.id)?.contact
  return typeof contact === 'string' ? contact : undefined
}

export function mySessions(ctx: DispatchContext): { data: SessionView[] } {
  const userId = requireUser(ctx.actor)
  return { data: listSessions(ctx.store.db, userId, ctx.actor.via) }
}

export function revokeMySession(ctx: DispatchContext, id: string): { id: string; revoked: true } {
  const userId = requireUser(ctx.actor)
  ctx.transaction(() => {
    revokeSession(ctx.store.db, userId, id)
    appendAudit(ctx.store.sql, ctx.actor, ctx.requestId, { type: 'session.revoked', entityType: 'Session', entityId: id, verb: 'revoke', data: null })
  })
  return { id, revoked: true }
}

/**
 * Whose a new key is and the role it gets: `'me'` (any user, for themselves), a user id (admins),
 * or none (a service key, admins). A key never has more rights than its user: asking for more is 422.
 */
export function keyOwner(ctx: DispatchContext, forUser: string | undefined, role: 'admin' | 'member' | undefined): { userId: string | null; role: 'admin' | 'member' } {
  const { actor } = ctx
  if (forUser === undefined) {
    if (actor.role !== 'admin' && actor.role !== 'system') throw new AppError('forbidden', `the ${actor.role} role may not manage this tenant`)
    return { userId: null, role: role ?? 'member' }
  }
  const userId = forUser === 'me' ? requireUser(actor) : forUser
  if (forUser !== 'me' && actor.role !== 'admin' && actor.role !== 'system') throw new AppError('forbidden', `the ${actor.role} role may not manage this tenant`)
  const found = findUser(ctx.store.db, { id: userId })
  if (!found) throw new AppError('not_found', `User ${userId} not found`)
  if (found.status === 'Deactivated') throw new AppError('conflict', `${found.email} is deactivated: reactivate them before issuing keys`)
  const ceiling = forUser === 'me' ? actor.role : accessOf(found.role)
  const granted = role ?? (ceiling === 'admin' ? 'admin' : 'member')
  if (granted === 'admin' && ceiling !== 'admin' && ceiling !== 'system')
    throw new AppError('validation_failed', 'the key would have more rights than its user', [{ path: 'role', message: `may be at most member for ${found.email}` }])
  return { userId, role: granted }
}
