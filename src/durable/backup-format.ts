/**
 * What a tenant backup is (issue 18): one gzip-compressed NDJSON object in R2 at
 * `tenants/{slug}/{id}.ndjson.gz`. Line 1 is the header; then the rows of the tables the log does
 * not hold, then the log itself (each event's raw columns, followed by its link in the hash chain),
 * then a trailer that says the file is whole. Every row is `{"t": table, "r": {column: value}}`,
 * columns as SQLite stores them (blobs as `{"$hex": "…"}`), so a restore writes the same bytes back.
 *
 *   {"backup":"revline","format":1,"tenant":"acme","id":"bkp_…","createdAt":"…","seq":812,"head":"9f…","events":812,"migration":{"tag":"0019_event-chain","when":1796278787382}}
 *   {"t":"api_keys","r":{"id":"key_…","name":"initial admin key","role":"admin","hash":"…",…}}
 *   {"t":"events","r":{"seq":1,"id":"evt_…","type":"stage.created",…,"sealed":null}}
 *   {"t":"event_chain","r":{"seq":1,"prev_hash":{"$hex":"00…"},"hash":{"$hex":"5d…"}}}
 *   {"end":true,"lines":1627}
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { AppError } from '../domain/errors'

export const BACKUP_FORMAT = 1

export interface BackupHeader {
  backup: 'revline'
  format: number
  tenant: string
  id: string
  createdAt: string
  /** The last event the backup holds (0 for an empty log), and the chain's hash at it. */
  seq: number
  head: string
  events: number
  /** The newest migration the tenant had applied: a restore needs at least as new a schema. */
  migration: { tag: string; when: number }
}

/**
 * Every table of a tenant object, and what a backup does with it. `copy`: written row by row and
 * restored as is (the log holds none of it). `log`: the event log and its chain, written verbatim.
 * `folded`: rebuilt by a restore from the log (entity tables, a tenant's own nouns' `c_` tables,
 * counters, the search index). `left out`: per-session or per-delivery state a new tenant starts
 * without. A table missing here fails test/backups.test.ts: each new table needs a decision.
 */
export const TABLE_POLICY: Readonly<Record<string, 'copy' | 'log' | 'folded' | 'left out'>> = {
  /** Name, status, settings, the schema document: read by the restore (the new tenant gets its own slug and name). */
  tenant: 'copy',
  /** Which old events are read through which upcaster: without it, restored old events would read in their old shape. */
  event_upcasts: 'copy',
  /** Key hashes only: the source's keys keep working on the restored tenant (revocations included). */
  api_keys: 'copy',
  /** Users' public keys (no secret). */
  passkeys: 'copy',
  /** Signed webhook sources and their verification secrets. */
  sources: 'copy',
  /** The per-person keys sealed fields are read with: without them a restore could not unseal the log. */
  subject_keys: 'copy',
  events: 'log',
  event_chain: 'log',
  aggregates: 'folded',
  search_docs: 'folded',
  search_fts: 'folded',
  sessions: 'left out',
  sign_in_links: 'left out',
  webauthn_challenges: 'left out',
  idempotency_keys: 'left out',
  outbox: 'left out',
  webhook_receipts: 'left out',
  webhook_deliveries: 'left out',
  job_runs: 'left out',
  job_effects: 'left out',
  dead_letters: 'left out',
  search_backfill_pending: 'left out',
}

/** The `copy` tables, in the order a backup writes them (the tenant row first: a restore reads it before the rest). */
export const COPIED_TABLES = Object.entries(TABLE_POLICY)
  .filter(([, policy]) => policy === 'copy')
  .map(([table]) => table)

export type Row = Record<string, SqlStorageValue>
type JsonValue = string | number | null | { $hex: string }

/** A row as one NDJSON line (no newline). */
export function encodeRow(table: string, row: Row): string {
  const r: Record<string, JsonValue> = {}
  for (const [column, value] of Object.entries(row)) r[column] = value instanceof ArrayBuffer ? { $hex: bytesToHex(new Uint8Array(value)) } : (value as string | number | null)
  return JSON.stringify({ t: table, r })
}

export type BackupLine = { kind: 'header'; header: BackupHeader } | { kind: 'row'; table: string; row: Row } | { kind: 'end'; lines: number }

const damaged = (line: number, why: string) => new AppError('validation_failed', `the backup is damaged at line ${line}: ${why}`, [{ path: 'restoreFrom.backup', message: 'is not a readable Revline backup' }])

/** Reads line `n` (1-based) of a backup; anything that is not a header, a row or the trailer is a 422. */
export function decodeLine(text: string, n: number): BackupLine {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw damaged(n, 'not JSON')
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw damaged(n, 'not an object')
  const line = value as Record<string, unknown>
  if (n === 1) return { kind: 'header', header: readHeader(line) }
  if (line.end === true && typeof line.lines === 'number') return { kind: 'end', lines: line.lines }
  if (typeof line.t !== 'string' || !line.r || typeof line.r !== 'object' || Array.isArray(line.r)) throw damaged(n, 'not a row')
  const row: Row = {}
  for (const [column, v] of Object.entries(line.r as Record<string, unknown>)) {
    if (v === null || typeof v === 'string' || typeof v === 'number') row[column] = v
    else if (v && typeof v === 'object' && typeof (v as { $hex?: unknown }).$hex === 'string' && /^(?:[0-9a-f]{2})*$/.test((v as { $hex: string }).$hex))
      row[column] = hexToBytes((v as { $hex: string }).$hex).slice().buffer
    else throw damaged(n, `column ${column} of ${line.t} holds a value SQLite does not store`)
  }
  return { kind: 'row', table: line.t, row }
}

function readHeader(line: Record<string, unknown>): BackupHeader {
  const h = line as Partial<BackupHeader>
  const ok =
    h.backup === 'revline' &&
    typeof h.format === 'number' &&
    typeof h.tenant === 'string' &&
    typeof h.id === 'string' &&
    typeof h.createdAt === 'string' &&
    typeof h.seq === 'number' &&
    typeof h.head === 'string' &&
    typeof h.events === 'number' &&
    typeof h.migration?.tag === 'string' &&
    typeof h.migration?.when === 'number'
  if (!ok) throw damaged(1, 'the first line is not a Revline backup header')
  if (h.format !== BACKUP_FORMAT) throw damaged(1, `format ${h.format} is not one this version reads (${BACKUP_FORMAT})`)
  return h as BackupHeader
}
