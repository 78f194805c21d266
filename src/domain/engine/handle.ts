/**
 * `$`: the synchronous handle after hooks use to reach every noun of the same tenant.
 *   $.Customer.create({ name })  → the new entity, at once
 *   $.Lead.update(id, { deal })  /  $.Deal.win(id)  /  $.Deal.win({ id })
 * Every call runs the full verb pipeline (hooks included) and its event carries `cause`.
 */
import type { NOUNS } from '../nouns'
import { AppError, Fault } from '../errors'
import type { NounSchema } from '../noun/noun'
import { parseFilter } from '../query/filter'
import { parseSort } from '../query/list-query'
import type { TenantSettings } from '../settings'
import { runVerb, type Chain } from './run-verb'
import type { EngineContext, EntityRecord, OutboxJob } from './types'

type VerbTarget = string | ({ id: string } & Record<string, unknown>)

type HandleFor<H> = H extends { $entity: infer E; $create: infer C; $update: infer U; $verbs: infer V }
  ? {
      create(input: C): E
      update(id: string, input: U): E
      delete(id: string): void
      get(id: string): E | undefined
      /** Live entities matching a filter (the API's filter language), e.g. `find({ domain: 'acme.dev' })`. */
      find(filter: Record<string, unknown>, options?: { sort?: string; limit?: number }): E[]
    } & { [K in Exclude<V & string, 'create' | 'update' | 'delete'>]: (target: VerbTarget | Record<string, unknown>, input?: Record<string, unknown>) => E }
  : never

type Nouns = typeof NOUNS
export type TenantHandle = { [K in keyof Nouns]: HandleFor<Nouns[K]> } & {
  /** The tenant's settings (default plan, tiers, automations…). */
  readonly settings: TenantSettings
  /** Queue a background job, sent after this transaction commits (never for a rolled-back call). */
  enqueue(job: OutboxJob): void
}

export function createHandle(ctx: EngineContext, chain: Chain): TenantHandle {
  const handles = new Map<string, Record<string, unknown>>()
  return new Proxy({} as TenantHandle, {
    get(_target, name) {
      if (typeof name !== 'string') return undefined
      if (name === 'settings') return ctx.settings()
      if (name === 'enqueue') return (job: OutboxJob) => below(() => ctx.enqueue(job, chain.cause))
      let handle = handles.get(name)
      if (!handle) {
        const noun = ctx.nouns.byName(name)
        if (!noun) throw new AppError('rejected', `hook used unknown noun '${name}'`)
        handles.set(name, (handle = nounHandle(ctx, noun, chain)))
      }
      return handle
    },
  })
}

/** Whatever fails below `$` that is not a domain error is a fault, so the hook calling it cannot pass it off as a refusal. */
function below<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    throw error instanceof AppError || error instanceof Fault ? error : new Fault(error)
  }
}

function nounHandle(ctx: EngineContext, noun: NounSchema, chain: Chain): Record<string, unknown> {
  const call = (verb: string, id: string | undefined, input: unknown): EntityRecord => below(() => runVerb(ctx, { noun, verb, id, input }, chain).entity)
  const handle: Record<string, unknown> = {
    create: (input: unknown) => call('create', undefined, input),
    update: (id: string, input: unknown) => call('update', id, input),
    delete: (id: string) => void call('delete', id, undefined),
    get: (id: string) => below(() => ctx.store.get(noun, id)),
    find: (filter: Record<string, unknown>, options: { sort?: string; limit?: number } = {}) =>
      below(() => ctx.store.find(noun, parseFilter(noun, filter, ctx.nouns), { sort: parseSort(noun, options.sort, []), limit: options.limit ?? 100 })),
  }
  for (const verb of Object.values(noun.verbs)) {
    if (verb.kind !== 'custom') continue
    handle[verb.verb] =
      verb.scope === 'collection'
        ? (input: unknown) => call(verb.verb, undefined, input)
        : (target: VerbTarget, input?: Record<string, unknown>) => {
            if (typeof target === 'string') return call(verb.verb, target, input)
            const { id, ...rest } = target
            return call(verb.verb, id, { ...rest, ...input })
          }
  }
  return handle
}
