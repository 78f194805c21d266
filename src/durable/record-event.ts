/**
 * The event of a record changed outside the verb engine (rows a schema change rewrites or drops, a
 * person forgotten): the record's stream goes on at its next version, by the call's actor and
 * request, its personal fields sealed as every event's are.
 */
import type { EntityRecord, EventRecord } from '../domain/engine/types'
import { newId } from '../domain/ids'
import type { NounSchema } from '../domain/noun/noun'
import { personalFields } from '../domain/personal-data'
import type { DispatchContext } from './context'
import { appendEvent } from './event-log'

export interface RecordChange {
  verb: string
  /** The event type's verb part: `contact.${past}`. */
  past: string
  at: string
  before: EntityRecord
  after: EntityRecord | null
  data: Record<string, unknown>
  cause?: string | null
}

export function appendRecordEvent(ctx: DispatchContext, noun: NounSchema, change: RecordChange): EventRecord {
  return appendEvent(
    ctx.store.sql,
    {
      id: newId('evt'),
      type: `${noun.name.toLowerCase()}.${change.past}`,
      entityType: noun.name,
      entityId: change.before.$id,
      verb: change.verb,
      version: change.before.$version + 1,
      actor: ctx.actor.id,
      actorRole: ctx.actor.role,
      via: ctx.actor.via ?? null,
      requestId: ctx.requestId,
      at: change.at,
      data: change.data,
      before: change.before,
      after: change.after,
      cause: change.cause ?? null,
    },
    personalFields(noun),
  )
}
