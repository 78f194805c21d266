/** The tenant row and API keys: who this object is and who may call it. */
import { eq } from 'drizzle-orm'
import type { Actor } from '../domain/engine/types'
import { AppError } from '../domain/errors'
import { readSettings, type TenantSettings } from '../domain/settings'
import type { SchemaDoc } from '../domain/schema/doc'
import type { Db } from './db'
import { apiKeys, tenant } from './schema'
import { keyUserActor, sessionUserActor } from './accounts'

export type TenantRow = typeof tenant.$inferSelect

/** A live key as authentication remembers it; `userId` when it belongs to a user (null for a service key). */
interface CachedKey {
  id: string
  role: 'admin' | 'member'
  userId: string | null
  touchedAt: number
}

/** Unknown key hashes remembered (so a repeated bad key costs no query); the oldest go first past this. */
export const MAX_UNKNOWN_KEYS = 1_000

export class TenantState {
  private row: TenantRow | undefined
  /** Key hash → the key (and when we last recorded its use), so authentication costs no key query after the first. */
  private readonly keys = new Map<string, CachedKey>()
  /**
   * Hashes that matched no live key, oldest first. Bounded: anyone can send endless random keys,
   * and each would otherwise stay in memory for the object's life.
   */
  private readonly unknownKeys = new Set<string>()

  constructor(private readonly db: Db) {}

  private parsedSettings: TenantSettings | undefined

  info(): TenantRow | undefined {
    return (this.row ??= this.db.select().from(tenant).where(eq(tenant.id, 1)).get())
  }

  /** Settings with defaults filled in, parsed once and kept until the next write. */
  settings(): TenantSettings {
    return (this.parsedSettings ??= readSettings(this.info()?.settings))
  }

  /** Replaces the settings (inside the caller's transaction); returns the new version. */
  writeSettings(next: TenantSettings): TenantSettings {
    const saved = { ...next, version: this.settings().version + 1 }
    this.db.update(tenant).set({ settings: saved }).where(eq(tenant.id, 1)).run()
    this.row = { ...this.info()!, settings: saved }
    this.parsedSettings = saved
    return saved
  }

  /** Replaces the tenant's schema document (inside the caller's transaction); returns the new version. */
  writeSchema(doc: SchemaDoc): number {
    const schemaVersion = this.info()!.schemaVersion + 1
    this.db.update(tenant).set({ schema: doc, schemaVersion }).where(eq(tenant.id, 1)).run()
    this.row = { ...this.info()!, schema: doc, schemaVersion }
    return schemaVersion
  }

  /** Forget cached rows after a rolled-back transaction may have changed them. */
  invalidate() {
    this.row = undefined
    this.parsedSettings = undefined
  }

  create(slug: string, name: string, now: string): TenantRow {
    const row: TenantRow = { id: 1, slug, name, status: 'active', createdAt: now, settings: {}, schema: { nouns: {} }, schemaVersion: 0 }
    this.db.insert(tenant).values(row).run()
    this.row = row
    return row
  }

  addKey(key: { id: string; name: string; role: 'admin' | 'member'; hash: string; createdAt: string; createdBy: string; userId?: string | null }) {
    this.db.insert(apiKeys).values(key).run()
    this.unknownKeys.delete(key.hash)
  }

  /**
   * The actor behind a key hash or a session, or 401; a suspended tenant answers 403 to every key.
   * A user's key or session acts as the user (the event names the user, `via` the key or session),
   * and only while the user is not deactivated: that is read at every request, so it ends at once.
   */
  authenticate(credentials: { keyHash?: string; sessionHash?: string }): Actor {
    const info = this.info()
    if (!info) throw new AppError('not_found', 'tenant not found')
    const { keyHash, sessionHash } = credentials
    if (sessionHash !== undefined) {
      const actor = sessionUserActor(this.db, sessionHash, new Date())
      if (!actor) throw new AppError('unauthorized', 'the session has ended; sign in again')
      return this.admitted(info, actor)
    }
    const key = keyHash === undefined ? undefined : (this.keys.get(keyHash) ?? (this.unknownKeys.has(keyHash) ? undefined : this.lookUpKey(keyHash)))
    if (!key) throw new AppError('unauthorized', 'the API key is not valid for this tenant')
    const actor: Actor | undefined = key.userId ? keyUserActor(this.db, { id: key.id, role: key.role, userId: key.userId }) : { id: key.id, role: key.role }
    if (!actor) throw new AppError('unauthorized', 'the user this API key belongs to is deactivated')
    this.touch(key)
    return this.admitted(info, actor)
  }

  /** Whether these credentials still admit anyone (a live feed connection is checked again after revocations). */
  admits(credentials: { keyHash?: string; sessionHash?: string }): boolean {
    try {
      this.authenticate(credentials)
      return true
    } catch {
      return false
    }
  }

  private admitted(info: TenantRow, actor: Actor): Actor {
    if (info.status !== 'active') throw new AppError('forbidden', 'this tenant is suspended')
    return actor
  }

  /** A key's last-used time is kept to the minute: one small write a minute per key, not one per request. */
  private touch(key: CachedKey) {
    const now = Date.now()
    if (now - key.touchedAt > 60_000) {
      key.touchedAt = now
      this.db.update(apiKeys).set({ lastUsedAt: new Date(now).toISOString() }).where(eq(apiKeys.id, key.id)).run()
    }
  }

  private lookUpKey(keyHash: string): CachedKey | undefined {
    const key = this.db.select().from(apiKeys).where(eq(apiKeys.hash, keyHash)).get()
    if (key && !key.revokedAt) {
      const cached = { id: key.id, role: key.role, userId: key.userId, touchedAt: key.lastUsedAt ? Date.parse(key.lastUsedAt) : 0 }
      this.keys.set(keyHash, cached)
      return cached
    }
    this.unknownKeys.add(keyHash)
    if (this.unknownKeys.size > MAX_UNKNOWN_KEYS) this.unknownKeys.delete(this.unknownKeys.values().next().value!)
    return undefined
  }

  /** How many unknown key hashes are remembered (never more than MAX_UNKNOWN_KEYS). */
  get unknownKeysCached(): number {
    return this.unknownKeys.size
  }

  /** Drops a revoked key from the cache so the very next request with it is refused. */
  forgetKey(id: string) {
    for (const [hash, actor] of this.keys) if (actor.id === id) this.keys.delete(hash)
  }

  setStatus(status: TenantRow['status']) {
    this.db.update(tenant).set({ status }).where(eq(tenant.id, 1)).run()
    this.row = { ...this.info()!, status }
  }
}
