/**
 * What the edge asks a tenant object to do: one serialisable operation per request, so each
 * request is a single DO RPC. Outcomes carry failures as data so their codes cross RPC intact.
 */
import type { Failure } from '../domain/errors'
import type { ListQuery } from '../domain/query/list-query'
import type { EventQuery } from './event-log'

export type Operation =
  | { kind: 'list'; noun: string; query: ListQuery }
  | { kind: 'get'; noun: string; id: string; include: string[]; asOf?: string }
  | { kind: 'history'; noun: string; id: string }
  | { kind: 'verb'; noun: string; verb: string; id?: string; input?: unknown; expectedVersion?: number }
  | { kind: 'events'; query: EventQuery }

export interface Credentials {
  /** SHA-256 (hex) of the presented API key; the key itself never leaves the edge. */
  keyHash: string
  requestId: string
}

export type Outcome<T = unknown> = { ok: true; value: T } | { ok: false; failure: Failure }
