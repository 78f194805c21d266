/**
 * A restore's first phase: the backup's lines written into the new tenant's storage, verbatim.
 * The copied tables' rows are inserted as they were; each event is inserted with its link only once
 * the link is checked against the chain so far (a backup that was altered is refused, not restored);
 * the log stops at the restore point (`untilSeq`, or the last event at or before `untilTime`).
 * Progress is plain data (LogProgress), saved with every batch, so the phase resumes where it stopped.
 */
import { hexToBytes } from '@noble/hashes/utils.js'
import { GENESIS, hashHex, type StoredEvent } from '../domain/event-chain'
import { forgetChainHead, linkHash } from './chain-head'
import { appendLink } from './event-log'
import { AppError } from '../domain/errors'
import { TABLE_POLICY, type BackupHeader, type BackupLine, type Row } from './backup-format'

export interface RestorePoint {
  untilSeq?: number
  /** ISO instant: the log ends with the last event at or before it. */
  untilTime?: string
}

export interface LogProgress {
  /** Lines of the backup written (and committed) so far. */
  lines: number
  header?: BackupHeader
  /** The last event restored, the chain's hash after it, and how many. */
  lastSeq: number
  head: string
  events: number
  /** The log is written up to the restore point. */
  complete: boolean
  /** The last event's request and instant: an event beyond the point with both is the same write, cut in two. */
  last?: { requestId: SqlStorageValue; at: SqlStorageValue }
  /** The point falls inside a write (the next event shares the last one's request and instant). */
  midWrite?: boolean
}

export const startProgress = (): LogProgress => ({ lines: 0, lastSeq: 0, head: hashHex(GENESIS), events: 0, complete: false })

const backupField = [{ path: 'restoreFrom.backup', message: 'is not a backup this restore can use' }]
const refuse = (detail: string, path = 'restoreFrom.backup') => new AppError('validation_failed', detail, path === 'restoreFrom.backup' ? backupField : [{ path, message: detail }])

const equal = (a: ArrayBuffer | undefined, b: Uint8Array) => !!a && a.byteLength === b.length && new Uint8Array(a).every((x, i) => x === b[i])

/** What a line may need besides the tables: the source tenant's row is kept aside (the new tenant gets its own). */
export interface LogTarget {
  sql: SqlStorage
  /** The source tenant as it was, its row as the backup holds it. */
  keepTenantRow(row: Row): void
  /** The newest migration this code has: a backup written at a newer one is refused. */
  latestMigration: { tag: string; when: number }
  source: { tenant: string; backup: string }
  point: RestorePoint
}

export class LogWriter {
  /** The event whose link is the next line. */
  private pending: Row | undefined
  private readonly columns = new Map<string, Set<string>>()
  private readonly inserts = new Map<string, string>()

  constructor(
    private readonly target: LogTarget,
    readonly progress: LogProgress,
  ) {}

  /** Writes line `n` (inside the caller's transaction). Lines after the restore point are ignored. */
  write(line: BackupLine, n: number): void {
    if (this.progress.complete) return
    if (line.kind === 'header') return this.readHeader(line.header)
    if (!this.progress.header) throw refuse('the backup has no header')
    if (line.kind === 'end') return this.end(line.lines, n)
    const { table, row } = line
    const policy = Object.hasOwn(TABLE_POLICY, table) ? TABLE_POLICY[table] : undefined
    if (table === 'events') return this.event(row)
    if (table === 'event_chain') return this.link(row)
    if (policy !== 'copy') throw refuse(`line ${n} holds rows of ${table}, which a restore does not take`)
    if (this.pending) throw refuse(`line ${n}: the event ${this.pending.seq} has no link in the chain`)
    if (table === 'tenant') return this.target.keepTenantRow(row)
    this.insert(table, row, table === 'event_upcasts' ? 'INSERT OR REPLACE' : 'INSERT')
  }

  /** After the last line: the log must have reached its end or the restore point. */
  finish(): void {
    if (this.progress.complete) return
    if (!this.progress.header) throw refuse('the backup is empty')
    throw refuse('the backup ends before its last line (it is truncated)')
  }

  private readHeader(header: BackupHeader) {
    const { source, point, latestMigration } = this.target
    if (header.tenant !== source.tenant || header.id !== source.backup) throw refuse(`the object holds backup ${header.id} of ${header.tenant}, not ${source.backup} of ${source.tenant}`)
    if (header.migration.when > latestMigration.when)
      throw refuse(`the backup was written at migration ${header.migration.tag}, newer than this version's ${latestMigration.tag}: restore it with that version or a later one`)
    if (point.untilSeq !== undefined && point.untilSeq > header.seq)
      throw refuse(`the backup ends at seq ${header.seq}; untilSeq ${point.untilSeq} is beyond it`, 'restoreFrom.untilSeq')
    this.progress.header = header
  }

  private event(row: Row) {
    if (this.pending) throw refuse(`the event ${this.pending.seq} has no link in the chain`)
    const seq = row.seq
    if (typeof seq !== 'number' || seq <= this.progress.lastSeq) throw refuse(`the log is out of order after seq ${this.progress.lastSeq}`)
    const { untilSeq, untilTime } = this.target.point
    if ((untilSeq !== undefined && seq > untilSeq) || (untilTime !== undefined && typeof row.at === 'string' && row.at > untilTime)) {
      const last = this.progress.last
      if (last && row.request_id === last.requestId && row.at === last.at) this.progress.midWrite = true
      return this.reachedPoint()
    }
    this.pending = row
  }

  /** The pending event's link: it must follow the chain so far and hash the event's stored bytes. */
  private link(row: Row) {
    const event = this.pending
    if (!event || row.seq !== event.seq) throw refuse(`a link in the chain (seq ${String(row.seq)}) has no event before it`)
    const prev = hexToBytes(this.progress.head)
    const hash = linkHash(prev, event as unknown as StoredEvent)
    if (!equal(row.prev_hash as ArrayBuffer | undefined, prev) || !equal(row.hash as ArrayBuffer | undefined, hash))
      throw refuse(`the event at seq ${String(event.seq)} does not verify against the chain: the backup was altered`)
    this.insert('events', event, 'INSERT')
    // Checked against the chain so far, so it is stored as every link is (its prev_hash implied).
    appendLink(this.target.sql, event.seq as number, hash)
    forgetChainHead(this.target.sql)
    this.pending = undefined
    this.progress.lastSeq = event.seq as number
    this.progress.last = { requestId: event.request_id ?? null, at: event.at ?? null }
    this.progress.head = hashHex(hash)
    this.progress.events++
  }

  private reachedPoint() {
    if (this.progress.events === 0) {
      const { untilTime } = this.target.point
      throw refuse(`the backup's log has no event at or before ${untilTime}`, 'restoreFrom.untilTime')
    }
    this.progress.complete = true
  }

  private end(lines: number, n: number) {
    const header = this.progress.header!
    if (this.pending) throw refuse(`the event ${this.pending.seq} has no link in the chain`)
    if (lines !== n) throw refuse(`the backup's trailer counts ${lines} lines, the file has ${n}`)
    if (this.target.point.untilSeq === undefined && this.target.point.untilTime === undefined && (this.progress.lastSeq !== header.seq || this.progress.head !== header.head || this.progress.events !== header.events))
      throw refuse(`the backup's log ends at seq ${this.progress.lastSeq}, its header says ${header.seq}`)
    if (this.progress.events === 0 && this.target.point.untilTime !== undefined) return this.reachedPoint()
    this.progress.complete = true
  }

  /** INSERT of a row whose columns must all exist in this version's table (a backup's columns come from its own). */
  private insert(table: string, row: Row, verb: 'INSERT' | 'INSERT OR REPLACE') {
    const names = Object.keys(row)
    const known = this.columnsOf(table)
    for (const name of names) if (!known.has(name)) throw refuse(`the backup's ${table} rows have a column ${name}, which this version's table lacks`)
    const key = `${verb} ${table} ${names.join(',')}`
    let statement = this.inserts.get(key)
    if (!statement) this.inserts.set(key, (statement = `${verb} INTO "${table}" (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`))
    this.target.sql.exec(statement, ...names.map((n) => row[n]!))
  }

  private columnsOf(table: string): Set<string> {
    let columns = this.columns.get(table)
    if (!columns) this.columns.set(table, (columns = new Set(this.target.sql.exec(`SELECT * FROM "${table}" LIMIT 0`).columnNames)))
    return columns
  }
}

/**
 * A gzip NDJSON object's lines after the first `skip`, decompressed and decoded as they arrive, each
 * with its 1-based number. The skipped lines (those an earlier step wrote) are only counted, never
 * cut out. A stream that is not gzip, or breaks off, is a 422 naming the backup.
 */
export async function* backupLines(body: ReadableStream<Uint8Array>, skip = 0): AsyncGenerator<[string, number]> {
  const reader = body.pipeThrough(new DecompressionStream('gzip')).pipeThrough(new TextDecoderStream()).getReader()
  let rest = ''
  let n = 0
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<string>
      try {
        chunk = await reader.read()
      } catch {
        throw refuse('the backup is not a readable gzip file')
      }
      if (chunk.done) break
      rest += chunk.value
      let start = 0
      for (let end = rest.indexOf('\n'); end >= 0; end = rest.indexOf('\n', start)) {
        if (++n > skip) yield [rest.slice(start, end), n]
        start = end + 1
      }
      rest = rest.slice(start)
    }
    if (rest && ++n > skip) yield [rest, n]
  } finally {
    reader.cancel().catch(() => {})
  }
}
