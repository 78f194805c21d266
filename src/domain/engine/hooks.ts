/**
 * Hook signatures. Before hooks see the entity (for create: the draft) and the input; they may
 * throw to reject the call (422 `rejected`) or return a replacement input. After hooks run inside
 * the same transaction with `$`, a synchronous handle to every noun of the tenant; whatever they
 * do is part of the call, and a throw rolls the whole call back.
 */
import type { TenantHandle } from './tenant-handle'
import type { EntityRecord, EventRecord } from './types'

export interface HookContext {
  verb: string
  actor: { id: string; role: string; userRole?: 'owner' | 'admin' | 'member'; via?: string }
  now: string
  /** The tenant's nouns and settings, for checks that need them (a deal's stage must exist). */
  $: TenantHandle
}

export interface VerbBodyArgs {
  /** The entity an instance verb acts on; undefined for collection verbs. */
  entity: EntityRecord | undefined
  input: Record<string, unknown>
  $: TenantHandle
  now: string
}

/**
 * What a verb body decides: the entity the verb's event is about (collection verbs find or create
 * it through `$`) and the fields to set on it. Its own `$` calls are caused by the verb's event.
 */
export type VerbBody = (args: VerbBodyArgs) => { target?: EntityRecord; patch: Record<string, unknown> }

export type BeforeHook<E = EntityRecord> = (
  entity: E,
  input: Record<string, unknown>,
  context: HookContext,
) => Record<string, unknown> | void

export type AfterHook<E = EntityRecord> = ($entity: E, $: TenantHandle, event: EventRecord) => void
