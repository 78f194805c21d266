/**
 * The type of `$`, the synchronous handle after hooks use to reach every noun of the same tenant.
 * It is declared open here, below the noun grammar, so hook signatures can name it without this
 * file importing the nouns that declare those hooks: src/domain/nouns/index.ts adds one member per
 * noun (`$.Lead`, `$.Deal`, …) and ./handle.ts adds `settings` (see their `declare module`).
 */
import type { OutboxJob } from './types'

export type VerbTarget = string | ({ id: string } & Record<string, unknown>)

/** `$.Lead`: the CRUD and custom verbs of one noun, typed from its declaration (`typeof Lead`). */
export type HandleFor<H> = H extends { $entity: infer E; $create: infer C; $update: infer U; $verbs: infer V }
  ? {
      /** `{ trusted: true }`: input a hook built in validation's shape, not validated again (see VerbCall.trusted). */
      create(input: C, options?: { trusted?: true }): E
      update(id: string, input: U): E
      delete(id: string): void
      get(id: string): E | undefined
      /** Whether a live record has this id (a cheap check, no read of the record). */
      exists(id: string): boolean
      /** Live entities matching a filter (the API's filter language), e.g. `find({ domain: 'acme.dev' })`. */
      find(filter: Record<string, unknown>, options?: { sort?: string; limit?: number }): E[]
    } & { [K in Exclude<V & string, 'create' | 'update' | 'delete'>]: (target: VerbTarget | Record<string, unknown>, input?: Record<string, unknown>) => E }
  : never

export interface TenantHandle {
  /** Queue a background job, sent after this transaction commits (never for a rolled-back call). */
  enqueue(job: OutboxJob): void
}
