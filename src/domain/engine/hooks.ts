/**
 * Hook signatures. Before hooks see the entity (for create: the draft) and the input; they may
 * throw to reject the call (422 `rejected`) or return a replacement input. After hooks run inside
 * the same transaction with `$`, a synchronous handle to every noun of the tenant; whatever they
 * do is part of the call, and a throw rolls the whole call back.
 */
import type { TenantHandle } from './handle'
import type { EntityRecord, EventRecord } from './types'

export interface HookContext {
  verb: string
  actor: { id: string; role: string }
  now: string
}

export type BeforeHook<E = EntityRecord> = (
  entity: E,
  input: Record<string, unknown>,
  context: HookContext,
) => Record<string, unknown> | void

export type AfterHook<E = EntityRecord> = ($entity: E, $: TenantHandle, event: EventRecord) => void
