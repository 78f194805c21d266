/**
 * Passkeys of a tenant's users (issue 16): the stored side of WebAuthn. The cryptography (building
 * options, verifying attestations and assertions) runs at the edge with @simplewebauthn/server,
 * because the object's operations are synchronous transactions; this module keeps what must be
 * single and consistent: challenges (single use, 5 minutes), credentials, their counters, and the
 * events of registering and removing one.
 */
import { and, asc, count, eq, lte } from 'drizzle-orm'
import { AppError } from '../domain/errors'
import { newId } from '../domain/ids'
import { appendAudit } from './audit'
import { findUser, newToken } from './accounts'
import type { DispatchContext } from './context'
import type { Db } from './db'
import { startUserSession, requireUser, type SignedIn } from './people-ops'
import type { RateLimiter } from './rate-limit'
import { passkeys, webauthnChallenges } from './schema'

/** A challenge must be answered within 5 minutes. */
export const CHALLENGE_TTL_MS = 5 * 60_000
/** Sign-in options asked per client each minute (each stores a challenge), and live sign-in challenges at most. */
export const PASSKEY_LIMITS = { optionsPerClient: 20, liveChallenges: 5000, perUser: 25 } as const

export type ChallengePurpose = 'registration' | 'authentication'

export interface PasskeyView {
  id: string
  name: string
  transports: string[]
  backedUp: boolean
  createdAt: string
  lastUsedAt: string | null
}

/** What the edge needs to verify an assertion against a stored credential. */
export interface StoredCredential {
  id: string
  credentialId: string
  userId: string
  publicKey: string
  counter: number
  transports: string[]
}

/** What the edge learned from a verified registration. */
export interface NewCredential {
  credentialId: string
  publicKey: string
  counter: number
  transports: string[]
  backedUp: boolean
}

const view = (row: typeof passkeys.$inferSelect): PasskeyView => ({
  id: row.id,
  name: row.name,
  transports: row.transports,
  backedUp: row.backedUp,
  createdAt: row.createdAt,
  lastUsedAt: row.lastUsedAt,
})

/** Stores a new challenge (forgetting expired ones) and returns it: 32 random bytes, base64url. */
function issueChallenge(db: Db, purpose: ChallengePurpose, userId: string | null, now: Date): string {
  const challenge = newToken()
  db.delete(webauthnChallenges).where(lte(webauthnChallenges.expiresAt, now.toISOString())).run()
  db.insert(webauthnChallenges)
    .values({ challenge, purpose, userId, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS).toISOString() })
    .run()
  return challenge
}

/**
 * Spends a challenge: it is deleted whatever happens next, so an answer to it (even a valid one)
 * works once. Says what is wrong with an unknown, used or expired one, or one issued for another
 * purpose or user; nothing for a good one.
 */
function spendChallenge(db: Db, challenge: string, purpose: ChallengePurpose, userId: string | null, now: Date): string | undefined {
  const row = db.delete(webauthnChallenges).where(eq(webauthnChallenges.challenge, challenge)).returning().get()
  if (!row || row.purpose !== purpose || row.userId !== userId) return 'it answers no open passkey request (unknown, or used already); start again'
  if (row.expiresAt <= now.toISOString()) return 'the passkey request has expired (5 minutes); start again'
  return undefined
}

/**
 * `POST /me/passkeys/options`: a registration challenge for the signed-in user, with what the
 * options name (the user, the team) and the passkeys they have (the browser will not make a second
 * one on the same authenticator).
 */
export function registrationChallenge(ctx: DispatchContext): {
  challenge: string
  user: { id: string; email: string; name: string }
  team: string
  exclude: { credentialId: string; transports: string[] }[]
} {
  const userId = requireUser(ctx.actor)
  const user = findUser(ctx.store.db, { id: userId })
  if (!user) throw new AppError('unauthorized', 'sign in again')
  const challenge = ctx.transaction(() => issueChallenge(ctx.store.db, 'registration', userId, new Date(ctx.now())))
  const exclude = ctx.store.db.select({ credentialId: passkeys.credentialId, transports: passkeys.transports }).from(passkeys).where(eq(passkeys.userId, userId)).all()
  return { challenge, user: { id: user.id, email: user.email, name: user.name }, team: ctx.tenant.info()?.name ?? '', exclude }
}

/** Spends the signed-in user's registration challenge, before the edge verifies the answer to it. */
export function spendRegistrationChallenge(ctx: DispatchContext, challenge: string): { spent: true } {
  const userId = requireUser(ctx.actor)
  const problem = ctx.transaction(() => spendChallenge(ctx.store.db, challenge, 'registration', userId, new Date(ctx.now())))
  // The caller is signed in and may register: what is wrong is the answer it sent, so 422, not 401.
  if (problem) throw new AppError('validation_failed', 'the passkey was not registered', [{ path: 'response', message: problem }])
  return { spent: true }
}

/** Stores a verified passkey for the signed-in user; `passkey.registered` names them as actor. */
export function registerPasskey(ctx: DispatchContext, input: { id: string; name: string; credential: NewCredential }): PasskeyView {
  const userId = requireUser(ctx.actor)
  const { db } = ctx.store
  return ctx.transaction(() => {
    if (db.select({ id: passkeys.id }).from(passkeys).where(eq(passkeys.credentialId, input.credential.credentialId)).get())
      throw new AppError('conflict', 'this passkey is registered already')
    const held = db.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, userId)).get()?.n ?? 0
    if (held >= PASSKEY_LIMITS.perUser) throw new AppError('conflict', `a user may have at most ${PASSKEY_LIMITS.perUser} passkeys; remove one first`)
    const row = { id: input.id, userId, name: input.name, createdAt: ctx.now(), lastUsedAt: null, ...input.credential }
    db.insert(passkeys).values(row).run()
    appendAudit(ctx.store.sql, ctx.actor, ctx.requestId, { type: 'passkey.registered', entityType: 'Passkey', entityId: input.id, verb: 'register', data: { user: userId, name: input.name, backedUp: row.backedUp } })
    return view(row)
  })
}

/** `GET /me/passkeys`: the signed-in user's passkeys, oldest first. */
export function myPasskeys(ctx: DispatchContext): { data: PasskeyView[] } {
  const userId = requireUser(ctx.actor)
  return { data: ctx.store.db.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(asc(passkeys.createdAt), asc(passkeys.id)).all().map(view) }
}

/** `DELETE /me/passkeys/{id}`: removes one of the user's own passkeys; another user's is not found. */
export function removeMyPasskey(ctx: DispatchContext, id: string): { id: string; removed: true } {
  const userId = requireUser(ctx.actor)
  const { db } = ctx.store
  ctx.transaction(() => {
    const row = db.delete(passkeys).where(and(eq(passkeys.id, id), eq(passkeys.userId, userId))).returning({ name: passkeys.name }).get()
    if (!row) throw new AppError('not_found', `passkey ${id} not found`)
    appendAudit(ctx.store.sql, ctx.actor, ctx.requestId, { type: 'passkey.removed', entityType: 'Passkey', entityId: id, verb: 'remove', data: { user: userId, name: row.name } })
  })
  return { id, removed: true }
}

/**
 * `POST /auth/passkey/options` (public): a sign-in challenge. Each stores a row, so a client may
 * ask 20 a minute and the tenant holds at most 5,000 live ones (they expire in 5 minutes).
 */
export function authenticationChallenge(ctx: DispatchContext, limiter: RateLimiter, clientHash: string): { challenge: string } | { retryAfter: number } {
  const wait = limiter.hit(`passkey:client:${clientHash}`, PASSKEY_LIMITS.optionsPerClient)
  if (wait > 0) return { retryAfter: wait }
  const now = new Date(ctx.now())
  return ctx.transaction(() => {
    const { db } = ctx.store
    db.delete(webauthnChallenges).where(lte(webauthnChallenges.expiresAt, now.toISOString())).run()
    const live = db.select({ n: count() }).from(webauthnChallenges).get()?.n ?? 0
    if (live >= PASSKEY_LIMITS.liveChallenges) return { retryAfter: 60 }
    return { challenge: issueChallenge(db, 'authentication', null, now) }
  })
}

/**
 * Step one of a passkey sign-in: spends the sign-in challenge the assertion answers, then finds the
 * credential it was made with. 401 for either missing: a passkey of another tenant is unknown here.
 */
export function credentialForSignIn(ctx: DispatchContext, request: { challenge: string; credentialId: string }): StoredCredential {
  const { db } = ctx.store
  const problem = ctx.transaction(() => spendChallenge(db, request.challenge, 'authentication', null, new Date(ctx.now())))
  if (problem) throw new AppError('unauthorized', `this passkey sign-in is not valid: ${problem}`)
  const row = db.select().from(passkeys).where(eq(passkeys.credentialId, request.credentialId)).get()
  if (!row) throw new AppError('unauthorized', 'this passkey is not registered with this team')
  return { id: row.id, credentialId: row.credentialId, userId: row.userId, publicKey: row.publicKey, counter: row.counter, transports: row.transports }
}

/**
 * Step two, once the edge has verified the assertion: moves the counter on from the value it was
 * verified against (a concurrent use of the same assertion, or a cloned authenticator, finds it
 * moved and is refused) and opens a session for the passkey's user; a deactivated user gets 401.
 */
export function signInWithPasskey(ctx: DispatchContext, request: { passkeyId: string; counter: { from: number; to: number }; sessionHash: string; userAgent?: string | null }): SignedIn {
  const { db } = ctx.store
  return ctx.transaction(() => {
    const row = db
      .update(passkeys)
      .set({ counter: request.counter.to, lastUsedAt: ctx.now() })
      .where(and(eq(passkeys.id, request.passkeyId), eq(passkeys.counter, request.counter.from)))
      .returning({ userId: passkeys.userId })
      .get()
    if (!row) throw new AppError('unauthorized', 'this passkey was used again meanwhile; sign in again')
    return startUserSession(ctx, row.userId, 'passkey', request)
  })
}
