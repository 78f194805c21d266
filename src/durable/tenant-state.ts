/** The tenant row and API keys: who this object is and who may call it. */
import { eq } from 'drizzle-orm'
import type { Actor } from '../domain/engine/types'
import { AppError } from '../domain/errors'
import { readSettings, type TenantSettings } from '../domain/settings'
import type { SchemaDoc } from '../domain/schema/doc'
import type { Db } from './db'
import { apiKeys, tenant } from './schema'
import { sessionActor } from './sessions'

export type TenantRow = typeof tenant.$inferSelect

/** Unknown key hashes remembered (so a repeated bad key costs no query); the oldest go first past this. */
export const MAX_UNKNOWN_KEYS = 1_000

export class TenantState {
  private row: TenantRow | undefined
  /** Key hash → actor (and when we last recorded its use), so authentication costs no query after the first. */
  private readonly keys = new Map<string, Actor & { touchedAt: number }>()
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

  addKey(key: { id: string; name: string; role: 'admin' | 'member'; hash: string; createdAt: string; createdBy: string }) {
    this.db.insert(apiKeys).values(key).run()
    this.unknownKeys.delete(key.hash)
  }

  /** The actor behind a key hash or a dashboard session, or 401; a suspended tenant answers 403 to every key. */
  authenticate(credentials: { keyHash?: string; sessionHash?: string }): Actor {
    const info = this.info()
    if (!info) throw new AppError('not_found', 'tenant not found')
    const { keyHash, sessionHash } = credentials
    if (sessionHash !== undefined) {
      const actor = sessionActor(this.db, sessionHash, new Date().toISOString())
      if (!actor) throw new AppError('unauthorized', 'the session has ended; sign in again')
      return this.admit(info, actor)
    }
    const actor = keyHash === undefined ? undefined : (this.keys.get(keyHash) ?? (this.unknownKeys.has(keyHash) ? undefined : this.lookUpKey(keyHash)))
    if (!actor) throw new AppError('unauthorized', 'the API key is not valid for this tenant')
    return this.admit(info, actor)
  }

  /** An authenticated key: refused while the tenant is suspended; its last use recorded. */
  private admit(info: TenantRow, actor: Actor & { touchedAt: number }): Actor {
    if (info.status !== 'active') throw new AppError('forbidden', 'this tenant is suspended')
    // last-used time is kept to the minute: one small write a minute per key, not one per request.
    const now = Date.now()
    if (now - actor.touchedAt > 60_000) {
      actor.touchedAt = now
      this.db.update(apiKeys).set({ lastUsedAt: new Date(now).toISOString() }).where(eq(apiKeys.id, actor.id)).run()
    }
    return { id: actor.id, role: actor.role }
  }

  private lookUpKey(keyHash: string): (Actor & { touchedAt: number }) | undefined {
    const key = this.db.select().from(apiKeys).where(eq(apiKeys.hash, keyHash)).get()
    if (key && !key.revokedAt) {
      const actor = { id: key.id, role: key.role, touchedAt: key.lastUsedAt ? Date.parse(key.lastUsedAt) : 0 }
      this.keys.set(keyHash, actor)
      return actor
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
