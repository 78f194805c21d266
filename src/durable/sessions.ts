/**
 * Dashboard sessions inside the tenant object. The browser holds a random token; only its SHA-256
 * is stored, with the key that signed in. A session lives until it expires, its user logs out, or
 * its key is revoked; each request looks it up (one indexed read), so ending it takes effect at once.
 */
import { eq, lte } from 'drizzle-orm'
import type { Actor } from '../domain/engine/types'
import type { Db } from './db'
import { apiKeys, dashboardSessions } from './schema'

/** Records a new session for `keyId` (inside the caller's transaction) and forgets expired ones. */
export function startSession(db: Db, session: { tokenHash: string; keyId: string; expiresAt: string }, now: string) {
  db.delete(dashboardSessions).where(lte(dashboardSessions.expiresAt, now)).run()
  db.insert(dashboardSessions).values({ ...session, createdAt: now }).run()
}

/** Logout: the session is gone, whatever cookie still names it. */
export function endSession(db: Db, tokenHash: string) {
  db.delete(dashboardSessions).where(eq(dashboardSessions.tokenHash, tokenHash)).run()
}

/** Revoking a key ends every session it opened. */
export function endSessionsOf(db: Db, keyId: string) {
  db.delete(dashboardSessions).where(eq(dashboardSessions.keyId, keyId)).run()
}

/** The key behind a live session (not expired, key not revoked), with when the key was last used. */
export function sessionActor(db: Db, tokenHash: string, now: string): (Actor & { touchedAt: number }) | undefined {
  const row = db
    .select({ id: apiKeys.id, role: apiKeys.role, revokedAt: apiKeys.revokedAt, lastUsedAt: apiKeys.lastUsedAt, expiresAt: dashboardSessions.expiresAt })
    .from(dashboardSessions)
    .innerJoin(apiKeys, eq(apiKeys.id, dashboardSessions.keyId))
    .where(eq(dashboardSessions.tokenHash, tokenHash))
    .get()
  if (!row || row.revokedAt || row.expiresAt <= now) return undefined
  return { id: row.id, role: row.role, touchedAt: row.lastUsedAt ? Date.parse(row.lastUsedAt) : 0 }
}
