/**
 * `$`: the synchronous handle after hooks use to reach every noun of the same tenant.
 *   $.Customer.create({ name })  → the new entity, at once
 *   $.Lead.update(id, { deal })  /  $.Deal.win(id)  /  $.Deal.win({ id })
 * Every call runs the full verb pipeline (hooks included) and its event carries `cause`.
 */
import { AppError, Fault } from '../errors'
import type { NounSchema } from '../noun/noun'
import { parseFilter } from '../query/filter'
import { parseSort } from '../query/list-query'
import type { TenantSettings } from '../settings'
import type { AccountsPort, EngineContext } from './context'
import type { TenantHandle, VerbTarget } from './tenant-handle'
import type { EntityRecord, OutboxJob } from './types'

declare module './tenant-handle' {
  interface TenantHandle {
    /** The tenant's settings (default plan, tiers, automations…). */
    readonly settings: TenantSettings
    /** Sign-in links, email delivery and access for users (see AccountsPort). */
    readonly accounts: AccountsPort
  }
}

/** Where a call sits in a hook chain: the causing event and how deep we are. */
export interface Chain {
  cause: string | null
  depth: number
}

/**
 * Runs one verb call for `$`: the verb pipeline (runVerb in ./run-verb), handed in by its caller so
 * that the pipeline, which builds `$` for its hooks, and `$`, which runs verbs, don't import each other.
 */
export type RunVerb = (ctx: EngineContext, call: { noun: NounSchema; verb: string; id?: string; input?: unknown; trusted?: boolean }, chain: Chain) => { entity: EntityRecord }

export function createHandle(ctx: EngineContext, chain: Chain, runVerb: RunVerb): TenantHandle {
  const handles = new Map<string, Record<string, unknown>>()
  return new Proxy({} as TenantHandle, {
    get(_target, name) {
      if (typeof name !== 'string') return undefined
      if (name === 'settings') return ctx.settings()
      if (name === 'accounts') {
        if (!ctx.accounts) throw new Fault(new Error('no accounts port: users need a tenant object'))
        return ctx.accounts
      }
      if (name === 'enqueue') return (job: OutboxJob) => below(() => ctx.enqueue(job, chain.cause))
      let handle = handles.get(name)
      if (!handle) {
        const noun = ctx.nouns.byName(name)
        if (!noun) throw new AppError('rejected', `hook used unknown noun '${name}'`)
        handles.set(name, (handle = nounHandle(ctx, noun, chain, runVerb)))
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

function nounHandle(ctx: EngineContext, noun: NounSchema, chain: Chain, runVerb: RunVerb): Record<string, unknown> {
  const call = (verb: string, id: string | undefined, input: unknown, trusted?: boolean): EntityRecord =>
    below(() => runVerb(ctx, { noun, verb, id, input, ...(trusted ? { trusted } : {}) }, chain).entity)
  const handle: Record<string, unknown> = {
    create: (input: unknown, options?: { trusted?: boolean }) => call('create', undefined, input, options?.trusted),
    update: (id: string, input: unknown) => call('update', id, input),
    delete: (id: string) => void call('delete', id, undefined),
    get: (id: string) => below(() => ctx.store.get(noun, id)),
    exists: (id: string) => below(() => ctx.store.exists(noun, id)),
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
