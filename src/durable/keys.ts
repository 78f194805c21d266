/** API keys of a tenant: issue (hash only), list (no secrets), revoke at once. */
import { and, asc, eq, isNull, sql } from 'drizzle-orm'
import { AppError } from '../domain/errors'
import type { Db } from './db'
import { apiKeys } from './schema'

export interface KeyView {
  id: string
  name: string
  role: 'admin' | 'member'
  createdAt: string
  createdBy: string
  lastUsedAt: string | null
  revokedAt: string | null
  /** The user the key belongs to; null for a service key. */
  user: string | null
}

const view = (row: typeof apiKeys.$inferSelect): KeyView => {
  const { hash: _hash, userId, ...rest } = row
  return { ...rest, user: userId }
}

/** Every key, or the keys of one user. */
export function listKeys(db: Db, userId?: string): KeyView[] {
  return db
    .select()
    .from(apiKeys)
    .where(userId ? eq(apiKeys.userId, userId) : undefined)
    .orderBy(asc(apiKeys.createdAt))
    .all()
    .map(view)
}

/**
 * Revokes a key. The last active admin key cannot go while no admin or owner can sign in (the tenant
 * would be locked out); once one has signed in, they can issue keys again.
 */
export function revokeKey(db: Db, id: string, now: string): KeyView {
  const key = db.select().from(apiKeys).where(eq(apiKeys.id, id)).get()
  if (!key || key.revokedAt) throw new AppError('not_found', `key ${id} not found`)
  if (key.role === 'admin') {
    const admins = db.select({ id: apiKeys.id }).from(apiKeys).where(and(eq(apiKeys.role, 'admin'), isNull(apiKeys.revokedAt))).all()
    const people = db.get<{ n: number }>(sql`SELECT count(*) AS n FROM users WHERE role IN ('owner', 'admin') AND status = 'Active' AND deleted_at IS NULL`)?.n ?? 0
    if (admins.length <= 1 && people === 0) throw new AppError('conflict', 'this is the last admin key and no admin has signed in; issue another admin key before revoking it')
  }
  db.update(apiKeys).set({ revokedAt: now }).where(eq(apiKeys.id, id)).run()
  return view({ ...key, revokedAt: now })
}
