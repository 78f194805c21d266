/**
 * The people side of a tenant (issue 16): who am I, my sessions and keys, and keys for users.
 * Users themselves are a noun: `client.User.create({ email, name, role })` invites one,
 * `client.User.deactivate(id)` switches them off (their sessions and keys end at once).
 */
import type { Transport } from './http'
import type { Entity, WriteOptions } from './types'

export interface UserKey {
  id: string
  name: string
  role: 'admin' | 'member'
  /** The user the key belongs to; null for a service key. */
  user: string | null
  createdAt: string
  lastUsedAt?: string | null
  revokedAt?: string | null
}

export interface Session {
  id: string
  method: 'email' | 'passkey'
  userAgent: string | null
  createdAt: string
  lastSeenAt: string
  expiresAt: string
  current: boolean
}

export interface Me {
  /** The user this key belongs to; null for a service key. */
  user: Entity<'User'> | null
  role: 'admin' | 'member'
  via: string | null
  key: string | null
  session: string | null
}

export interface NewKey {
  name: string
  /** At most the user's own role; default the most they may have. */
  role?: 'admin' | 'member'
}

export interface MeClient {
  get(options?: { signal?: AbortSignal }): Promise<Me>
  sessions(options?: { signal?: AbortSignal }): Promise<{ data: Session[] }>
  revokeSession(id: string): Promise<{ id: string; revoked: true }>
  keys(options?: { signal?: AbortSignal }): Promise<{ data: UserKey[] }>
  /** The answer holds the secret `key`, this once. */
  createKey(key: NewKey, options?: WriteOptions): Promise<UserKey & { key: string }>
  revokeKey(id: string): Promise<UserKey>
}

export interface UsersClient {
  /** A key for a user (admin keys): it acts as the user, never with more rights. */
  createKey(userId: string, key: NewKey, options?: WriteOptions): Promise<UserKey & { key: string }>
}

const signalOf = (options: { signal?: AbortSignal }) => (options.signal ? { signal: options.signal } : {})
const writeOf = (options: WriteOptions) => ({ ...signalOf(options), ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}) })

export function meClient(transport: () => Transport): MeClient {
  return {
    get: (options = {}) => transport().request({ method: 'GET', path: '/me', ...signalOf(options) }),
    sessions: (options = {}) => transport().request({ method: 'GET', path: '/me/sessions', ...signalOf(options) }),
    revokeSession: (id) => transport().request({ method: 'DELETE', path: `/me/sessions/${encodeURIComponent(id)}` }),
    keys: (options = {}) => transport().request({ method: 'GET', path: '/me/keys', ...signalOf(options) }),
    createKey: (key, options = {}) => transport().request({ method: 'POST', path: '/me/keys', json: key, ...writeOf(options) }),
    revokeKey: (id) => transport().request({ method: 'DELETE', path: `/me/keys/${encodeURIComponent(id)}` }),
  }
}

export function usersClient(transport: () => Transport): UsersClient {
  return {
    createKey: (userId, key, options = {}) => transport().request({ method: 'POST', path: `/users/${encodeURIComponent(userId)}/keys`, json: key, ...writeOf(options) }),
  }
}
