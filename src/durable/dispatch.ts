/** Runs one operation for an authenticated actor: reads directly, verbs inside one transaction. */
import { actionForVerb, authorize } from '../domain/access'
import { runVerb } from '../domain/engine/run-verb'
import type { Actor } from '../domain/engine/types'
import { AppError } from '../domain/errors'
import { newId } from '../domain/ids'
import type { NounSchema } from '../domain/noun/noun'
import { nouns } from '../domain/nouns'
import type { EntityStore } from './entity-store'
import { listEvents } from './event-log'
import type { Operation } from './operations'
import { expand, getAsOf, history, list } from './reads'

export interface DispatchContext {
  store: EntityStore
  actor: Actor
  requestId: string
  transaction: <T>(fn: () => T) => T
}

function nounOf(name: string): NounSchema {
  const noun = nouns.byName(name)
  if (!noun) throw new AppError('not_found', `no collection for ${name}`)
  return noun
}

export function dispatch(ctx: DispatchContext, op: Operation): unknown {
  const { store, actor } = ctx
  switch (op.kind) {
    case 'list':
      authorize(actor, 'read')
      return list(store, nounOf(op.noun), op.query)
    case 'get': {
      authorize(actor, 'read')
      const noun = nounOf(op.noun)
      const entity = op.asOf ? getAsOf(store, noun, op.id, op.asOf) : store.get(noun, op.id)
      if (!entity) throw new AppError('not_found', `${noun.name} ${op.id} not found`)
      return op.include.length > 0 ? expand(store, noun, entity, op.include) : entity
    }
    case 'history':
      authorize(actor, 'read')
      return { data: history(store, nounOf(op.noun), op.id) }
    case 'events':
      authorize(actor, 'read')
      return listEvents(store.db, op.query)
    case 'verb': {
      authorize(actor, actionForVerb(op.verb))
      const noun = nounOf(op.noun)
      const engine = { store, nouns, actor, requestId: ctx.requestId, now: () => new Date().toISOString(), newId }
      return ctx.transaction(() => runVerb(engine, { noun, verb: op.verb, id: op.id, input: op.input, expectedVersion: op.expectedVersion }).entity)
    }
  }
}
