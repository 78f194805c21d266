/**
 * The hash chain's write side in the tenant object: each link's hash by the runtime's native
 * SHA-256, and the newest link kept in memory per object, so an append neither hashes in JS nor
 * reads the chain back. The memory is dropped whenever the chain may have moved without an append
 * knowing: a rolled-back transaction (EntityStore.forgetCachedReads), the start-up linking of older
 * events, a restore writing links from a backup, an object wiped.
 */
import { createHash } from 'node:crypto'
import { canonicalText, type StoredEvent } from '../domain/event-chain'

const encoder = new TextEncoder()

/** An event's link: SHA-256 over the previous hash and its canonical text (src/domain/event-chain.ts), natively (test/event-chain.test.ts checks it against an independent SHA-256). */
export function linkHash(prev: Uint8Array, event: StoredEvent): Uint8Array {
  return new Uint8Array(createHash('sha256').update(prev).update(encoder.encode(canonicalText(event))).digest())
}

export interface ChainHead {
  seq: number
  hash: Uint8Array
  hex: string
}

const heads = new WeakMap<SqlStorage, ChainHead>()

/** The newest link as the last append of this object left it (undefined: read it from the table). */
export const cachedHead = (sql: SqlStorage): ChainHead | undefined => heads.get(sql)

export function rememberHead(sql: SqlStorage, head: ChainHead): void {
  heads.set(sql, head)
}

export function forgetChainHead(sql: SqlStorage): void {
  heads.delete(sql)
}
