/**
 * Per-record keys for the log's personal fields (crypto-shredding). Each record that holds personal
 * data gets a random 256-bit key on its first such write; its events keep those fields sealed with
 * it (src/durable/sealing.ts). Forgetting a record replaces its key with a tombstone (an empty key):
 * the sealed bytes stay in the log, still hashed into the chain, and nothing can read them again.
 * A tombstone, unlike a deleted row, also tells readers that the record's events written before
 * sealing existed must have their personal fields hidden.
 */
import { randomBytes } from '@noble/ciphers/utils.js'
import { AppError } from '../domain/errors'

export type SubjectKey = Uint8Array | 'forgotten' | undefined

export class SubjectKeys {
  /** Live keys only: a key never changes once made, so a cached key is never stale. */
  private readonly cache = new Map<string, Uint8Array>()

  constructor(private readonly sql: SqlStorage) {}

  lookup(subject: string): SubjectKey {
    const cached = this.cache.get(subject)
    if (cached) return cached
    const row = this.sql.exec<{ key: ArrayBuffer }>('SELECT key FROM subject_keys WHERE subject = ?', subject).toArray()[0]
    if (!row) return undefined
    if (row.key.byteLength === 0) return 'forgotten'
    const key = new Uint8Array(row.key)
    this.remember(subject, key)
    return key
  }

  /**
   * The record's key, made now if it has none. Personal data is not written to a forgotten record.
   * `created`: the event creates the record (its first version), so it can have no stored key yet
   * and none is looked up (one made earlier in this transaction is in the cache).
   */
  keyFor(subject: string, createdAt: string, created = false): Uint8Array {
    const key = created ? this.cache.get(subject) : this.lookup(subject)
    if (key === 'forgotten') throw new AppError('conflict', `${subject} was forgotten (its personal data erased on request): personal fields cannot be written to it again; create a new record if the person comes back`)
    if (key) return key
    const made = randomBytes(32)
    this.sql.exec('INSERT INTO subject_keys (subject, key, created_at) VALUES (?, ?, ?)', subject, made.slice().buffer, createdAt)
    // Cached at once, so the record's next events in this transaction find it without a query: every
    // write runs in a transaction whose rollback (a nested one's too) clears the cache (TenantDO.transaction).
    this.remember(subject, made)
    return made
  }

  private remember(subject: string, key: Uint8Array): void {
    if (this.cache.size > 50_000) this.cache.clear()
    this.cache.set(subject, key)
  }

  /** Destroys the record's key for good (inside the forget's transaction). */
  forget(subject: string, at: string): void {
    this.sql.exec('INSERT INTO subject_keys (subject, key, created_at) VALUES (?, ?, ?) ON CONFLICT (subject) DO UPDATE SET key = excluded.key, created_at = excluded.created_at', subject, new ArrayBuffer(0), at)
    this.cache.delete(subject)
  }

  /** A transaction rolled back: keys read inside it may not exist. */
  clear(): void {
    this.cache.clear()
  }
}

const perStorage = new WeakMap<SqlStorage, SubjectKeys>()

/** The tenant object's keys (one instance per storage, so its cache is shared by writers and readers). */
export function subjectKeysOf(sql: SqlStorage): SubjectKeys {
  let keys = perStorage.get(sql)
  if (!keys) perStorage.set(sql, (keys = new SubjectKeys(sql)))
  return keys
}
