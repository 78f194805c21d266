/**
 * The log's hash chain: each event's hash is SHA-256 over the previous event's hash and the event's
 * stored bytes, so changing, removing or reordering any stored event changes every hash after it.
 * Hashing the stored text (not a re-encoding of the parsed event) makes the bytes canonical by
 * construction: the same row always hashes the same, whatever the reader's JSON library does.
 */
import { bytesToHex } from '@noble/hashes/utils.js'

/** The previous hash of the first event. */
export const GENESIS = new Uint8Array(32)

/** An event's columns as stored (JSON columns as their text). */
export interface StoredEvent {
  seq: number
  id: string
  type: string
  entity_type: string
  entity_id: string
  verb: string
  version: number
  actor: string
  actor_role: string
  via: string | null
  request_id: string
  at: string
  data: string | null
  before: string | null
  after: string | null
  cause: string | null
  sealed: string | null
}

/** The columns in hashing order; the SELECT that feeds the hash (src/durable/chain-head.ts) reads exactly these. */
export const HASHED_COLUMNS = [
  'seq', 'id', 'type', 'entity_type', 'entity_id', 'verb', 'version', 'actor', 'actor_role',
  'via', 'request_id', 'at', 'data', 'before', 'after', 'cause', 'sealed',
] as const satisfies readonly (keyof StoredEvent)[]

/**
 * The canonical text: a JSON array of the stored columns in HASHED_COLUMNS order. An event's hash is
 * SHA-256(previous hash ‖ this text in UTF-8), computed in the object by linkHash (src/durable/chain-head.ts).
 */
export function canonicalText(event: StoredEvent): string {
  return JSON.stringify(HASHED_COLUMNS.map((column) => event[column]))
}

export const hashHex = (hash: Uint8Array): string => bytesToHex(hash)
