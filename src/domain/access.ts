/**
 * Roles (seed 003's permission table): members view, create, update, run verbs (move stages,
 * log activities); admins may also soft-delete and restore, and manage stages, settings,
 * automations, sources and keys. Public callers reach only capture and signed ingestion.
 */
import { AppError } from './errors'
import type { Actor } from './engine/types'
import type { NounSchema } from './noun/noun'

export type Action = 'read' | 'write' | 'delete' | 'admin'

const ALLOWED: Record<Actor['role'], readonly Action[]> = {
  admin: ['read', 'write', 'delete', 'admin'],
  member: ['read', 'write'],
  system: ['read', 'write', 'delete', 'admin'],
  public: [],
}

/** The roles an API key can have. */
export const KEY_ROLES = ['admin', 'member'] as const

export function authorize(actor: Actor, action: Action): void {
  if (!ALLOWED[actor.role].includes(action)) throw new AppError('forbidden', `the ${actor.role} role may not ${action === 'admin' ? 'manage this tenant' : action}`)
}

/** True when every API key may do `action`, so the edge need not ask who the key is before parsing. */
export const grantedToEveryKey = (action: Action): boolean => KEY_ROLES.every((role) => ALLOWED[role].includes(action))

/** The action a verb needs: soft delete and restore are admin-only, everything else is a write. */
export const actionForVerb = (verb: string): Action => (verb === 'delete' || verb === 'restore' ? 'delete' : 'write')

/** The action a call of `verb` on `noun` needs: writes to admin-only nouns (stages) need an admin. */
export const actionFor = (noun: NounSchema, verb: string): Action => (noun.adminOnly ? 'admin' : actionForVerb(verb))

/**
 * May this caller run `verb` on `noun` directly (REST, MCP, import)? Nouns the system writes (lead
 * scores) are refused to everyone: hooks and jobs write them, inside the verbs that score.
 */
export function authorizeVerb(actor: Actor, noun: NounSchema, verb: string): void {
  authorize(actor, actionFor(noun, verb))
  if (noun.systemWritten) throw new AppError('method_not_allowed', `${noun.name} records are written by Revline itself (${noun.plural} are read-only over the API)`)
}
