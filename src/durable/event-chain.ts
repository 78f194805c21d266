/**
 * Linking and verifying the log's hash chain in the tenant object. Both walk the log in pages of
 * seq order, so a log of any length is hashed in bounded memory.
 */
import { GENESIS, HASHED_COLUMNS, hashHex, type StoredEvent } from '../domain/event-chain'
import { forgetChainHead, linkHash } from './chain-head'
import { appendLink, linkPrevHash, newestLink } from './event-log'

const PAGE = 500
const STORED = HASHED_COLUMNS.map((c) => `e."${c}"`).join(', ')

type ChainRow = StoredEvent & Record<string, SqlStorageValue> & { link_seq: number | null; prev_hash: ArrayBuffer | null; hash: ArrayBuffer | null }

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i])

function page(sql: SqlStorage, after: number): ChainRow[] {
  return sql
    .exec<ChainRow>(
      `SELECT ${STORED}, c.seq AS link_seq, ${linkPrevHash('c')} AS prev_hash, c.hash FROM events e LEFT JOIN event_chain c ON c.seq = e.seq WHERE e.seq > ? ORDER BY e.seq LIMIT ${PAGE}`,
      after,
    )
    .toArray()
}

/**
 * Links events written before the chain existed (a log older than migration 0019): those after the
 * newest link. Runs at start, in the object's own transaction; answers how many it linked.
 */
export function linkUnchained(sql: SqlStorage): number {
  forgetChainHead(sql)
  const head = newestLink(sql)
  let after = head?.seq ?? 0
  let prev: Uint8Array = head?.hash ?? GENESIS
  let linked = 0
  for (let rows = page(sql, after); rows.length; rows = page(sql, after)) {
    for (const row of rows) {
      const hash = linkHash(prev, row)
      appendLink(sql, row.seq, hash)
      prev = hash
      after = row.seq
      linked++
    }
  }
  return linked
}

export type Verification =
  | { ok: true; count: number; head: string }
  /** `seq` is the first event that does not verify; `count` how many verified before it. */
  | { ok: false; count: number; seq: number; reason: string; head: string }

/** Walks the whole log and recomputes every link. */
export function verifyChain(sql: SqlStorage): Verification {
  let prev: Uint8Array = GENESIS
  let count = 0
  let after = 0
  const fail = (seq: number, reason: string): Verification => ({ ok: false, count, seq, reason, head: hashHex(prev) })
  for (let rows = page(sql, after); rows.length; rows = page(sql, after)) {
    for (const row of rows) {
      if (row.link_seq === null || !row.hash || !row.prev_hash) return fail(row.seq, 'the event has no link in the chain')
      if (!equal(new Uint8Array(row.prev_hash), prev)) return fail(row.seq, 'the link does not follow the previous event (an event was removed or reordered)')
      const hash = linkHash(prev, row)
      if (!equal(new Uint8Array(row.hash), hash)) return fail(row.seq, 'the stored event does not match its hash (it was altered)')
      prev = hash
      after = row.seq
      count++
    }
  }
  // A link whose event is gone (the newest events removed) leaves the chain longer than the log.
  const orphan = sql.exec<{ seq: number }>('SELECT seq FROM event_chain WHERE seq > ? ORDER BY seq LIMIT 1', after).toArray()[0]
  if (orphan) return fail(orphan.seq, 'the chain has a link for an event that is no longer in the log')
  return { ok: true, count, head: hashHex(prev) }
}

/** The head an auditor compares: the newest hash and the seq it covers. */
export function chainHeadOf(sql: SqlStorage): { seq: number; hash: string } {
  const link = newestLink(sql)
  return { seq: link?.seq ?? 0, hash: hashHex(link?.hash ?? GENESIS) }
}
