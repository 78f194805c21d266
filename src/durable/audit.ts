/**
 * Events for changes that are not entity verbs (settings, keys, sources, tenant status): they go to
 * the same append-only log, with the actor and request id, versioned per stream.
 */
import type { Actor } from '../domain/engine/types'
import { newId } from '../domain/ids'
import { appendEvent } from './event-log'

export interface AuditInput {
  type: string
  entityType: string
  entityId: string
  verb: string
  data: Record<string, unknown> | null
}

export function appendAudit(sql: SqlStorage, actor: Actor, requestId: string, input: AuditInput) {
  const last = sql.exec<{ v: number | null }>('SELECT max(version) AS v FROM events WHERE entity_id = ?', input.entityId).one().v ?? 0
  return appendEvent(sql, {
    id: newId('evt'),
    ...input,
    version: last + 1,
    actor: actor.id,
    actorRole: actor.role,
    via: actor.via ?? null,
    requestId,
    at: new Date().toISOString(),
    before: null,
    after: null,
    cause: null,
  })
}
