/**
 * The people side of a tenant object (issue 16): single-use sign-in links, user sessions, and the
 * users behind keys and sessions. Tokens are 256 random bits; only their SHA-256 is stored, so a
 * copy of the database opens no session. Hashing is synchronous (@noble/hashes) because links are
 * minted inside a verb's transaction (the invitation is part of creating the user).
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { and, asc, eq, isNull, lte, sql } from 'drizzle-orm'
import { AppError } from '../domain/errors'
import type { Actor, Role, UserRole } from '../domain/engine/types'
import { newId } from '../domain/ids'
import type { Db } from './db'
import { apiKeys, sessions, signInLinks } from './schema'

/** An email sign-in link lives 15 minutes; an invitation 7 days (people do not read mail at once). */
export const LINK_TTL_MS = { 'sign-in': 15 * 60_000, invitation: 7 * 24 * 60 * 60_000 } as const
/** A session lives 14 days from sign-in; signing out, revoking or deactivation end it sooner. */
export const SESSION_TTL_MS = 14 * 24 * 60 * 60_000

export type LinkPurpose = keyof typeof LINK_TTL_MS

/** A URL-safe random token: 32 bytes, base64url (43 characters). */
export function newToken(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}

/** SHA-256 hex of a token: the same value the edge's `sha256Hex` gives. */
export const hashToken = (token: string): string => bytesToHex(sha256(utf8ToBytes(token)))

/** What a user's role lets a key or session do: owners act as admins. */
export const accessOf = (role: UserRole): Extract<Role, 'admin' | 'member'> => (role === 'member' ? 'member' : 'admin')

/** The lesser of two access levels: a key never has more rights than its user. */
export const lesser = (a: 'admin' | 'member', b: 'admin' | 'member') => (a === 'admin' && b === 'admin' ? 'admin' : 'member')

export interface UserRow {
  id: string
  email: string
  name: string
  role: UserRole
  status: 'Invited' | 'Active' | 'Deactivated'
}

export function findUser(db: Db, where: { id: string } | { email: string }): UserRow | undefined {
  const condition = 'id' in where ? sql`id = ${where.id}` : sql`email = ${where.email.trim().toLowerCase()}`
  return db.get<UserRow | undefined>(sql`SELECT id, email, name, role, status FROM users WHERE ${condition} AND deleted_at IS NULL`) ?? undefined
}

/** Where a link token is spent: the confirm page on the tenant's base URL. */
export const signInUrl = (baseUrl: string, token: string) => `${baseUrl}/auth/link?token=${token}`

/** What a stored message holds instead of a link when a real provider sends it (the link is minted at hand-over). */
export const LINK_PLACEHOLDER = '[single-use sign-in link: only in the email itself]'

/** Stores a new link for the user (inside the caller's transaction) and returns its token. */
export function issueLink(db: Db, userId: string, purpose: LinkPurpose, now: Date): string {
  const token = newToken()
  db.delete(signInLinks).where(lte(signInLinks.expiresAt, now.toISOString())).run()
  db.insert(signInLinks)
    .values({ tokenHash: hashToken(token), userId, purpose, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + LINK_TTL_MS[purpose]).toISOString() })
    .run()
  return token
}

/** Spends a link (inside the caller's transaction): its user, or 401 for an unknown, used or expired one. */
export function spendLink(db: Db, tokenHash: string, now: string): { userId: string; purpose: LinkPurpose } {
  const link = db.select().from(signInLinks).where(eq(signInLinks.tokenHash, tokenHash)).get()
  if (!link) throw new AppError('unauthorized', 'this sign-in link is not valid; ask for a new one')
  if (link.usedAt) throw new AppError('unauthorized', 'this sign-in link has been used already; ask for a new one')
  if (link.expiresAt <= now) throw new AppError('unauthorized', 'this sign-in link has expired; ask for a new one')
  db.update(signInLinks).set({ usedAt: now }).where(eq(signInLinks.tokenHash, tokenHash)).run()
  return { userId: link.userId, purpose: link.purpose }
}

export interface SessionView {
  id: string
  method: string
  userAgent: string | null
  createdAt: string
  lastSeenAt: string
  expiresAt: string
  /** True for the session the request came with. */
  current: boolean
}

/** Opens a session for the user (inside the caller's transaction); forgets expired ones. */
export function openSession(db: Db, session: { tokenHash: string; userId: string; method: 'email' | 'passkey'; userAgent?: string | null }, now: Date): { id: string; expiresAt: string } {
  const at = now.toISOString()
  db.delete(sessions).where(lte(sessions.expiresAt, at)).run()
  const id = newId('ses')
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS).toISOString()
  db.insert(sessions)
    .values({ id, tokenHash: session.tokenHash, userId: session.userId, method: session.method, userAgent: session.userAgent?.slice(0, 200) ?? null, createdAt: at, lastSeenAt: at, expiresAt })
    .run()
  return { id, expiresAt }
}

/** The actor behind a live session of an active user, or undefined; its last-seen time kept to the minute. */
export function sessionUserActor(db: Db, tokenHash: string, now: Date): Actor | undefined {
  const row = db.select().from(sessions).where(eq(sessions.tokenHash, tokenHash)).get()
  if (!row || row.expiresAt <= now.toISOString()) return undefined
  const user = findUser(db, { id: row.userId })
  if (!user || user.status !== 'Active') return undefined
  if (now.getTime() - Date.parse(row.lastSeenAt) > 60_000) db.update(sessions).set({ lastSeenAt: now.toISOString() }).where(eq(sessions.id, row.id)).run()
  return { id: user.id, role: accessOf(user.role), userRole: user.role, via: row.id }
}

/** The actor a key of a user acts as: the user, with the lesser of the key's and the user's access; undefined once the user is deactivated. */
export function keyUserActor(db: Db, key: { id: string; role: 'admin' | 'member'; userId: string }): Actor | undefined {
  const user = findUser(db, { id: key.userId })
  if (!user || user.status === 'Deactivated') return undefined
  return { id: user.id, role: lesser(key.role, accessOf(user.role)), userRole: user.role, via: key.id }
}

export function listSessions(db: Db, userId: string, current?: string): SessionView[] {
  return db
    .select()
    .from(sessions)
    .where(eq(sessions.userId, userId))
    .orderBy(asc(sessions.createdAt))
    .all()
    .filter((s) => s.expiresAt > new Date().toISOString())
    .map(({ tokenHash: _hash, userId: _user, ...rest }) => ({ ...rest, current: rest.id === current }))
}

/** Ends one of the user's sessions; 404 for an id that is not theirs. */
export function revokeSession(db: Db, userId: string, id: string) {
  const row = db.select({ id: sessions.id }).from(sessions).where(and(eq(sessions.id, id), eq(sessions.userId, userId))).get()
  if (!row) throw new AppError('not_found', `session ${id} not found`)
  db.delete(sessions).where(eq(sessions.id, id)).run()
}

export function endSessionByToken(db: Db, tokenHash: string) {
  db.delete(sessions).where(eq(sessions.tokenHash, tokenHash)).run()
}

/** Deactivation: every session of the user ends and every key of theirs is revoked; returns the revoked key ids. */
export function endAccess(db: Db, userId: string, now: string): string[] {
  db.delete(sessions).where(eq(sessions.userId, userId)).run()
  const keys = db.select({ id: apiKeys.id }).from(apiKeys).where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt))).all()
  if (keys.length > 0) db.update(apiKeys).set({ revokedAt: now }).where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt))).run()
  db.delete(signInLinks).where(eq(signInLinks.userId, userId)).run()
  return keys.map((k) => k.id)
}

/**
 * An invitation or sign-in message as handed to the email provider: its placeholder replaced by a
 * freshly minted link for the user it is addressed to (none for a deactivated user, whose message
 * then says so). A retried hand-over mints another link; unused ones expire.
 */
export function withSignInLink<M extends Record<string, unknown>>(db: Db, message: M, baseUrl: string): M {
  if (typeof message.body !== 'string' || !message.body.includes(LINK_PLACEHOLDER) || typeof message.to !== 'string') return message
  const user = findUser(db, { email: message.to })
  const purpose: LinkPurpose = message.kind === 'invitation' ? 'invitation' : 'sign-in'
  const link = user && user.status !== 'Deactivated' ? signInUrl(baseUrl, issueLink(db, user.id, purpose, new Date())) : '(this account is no longer active)'
  return { ...message, body: message.body.replaceAll(LINK_PLACEHOLDER, link) }
}
