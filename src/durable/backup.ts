/**
 * Writing a tenant's backup (format: src/durable/backup-format.ts) from inside its object: the
 * tables read in pages, each page turned into NDJSON lines, gzip-compressed as it goes
 * (CompressionStream) and uploaded to R2 in parts. Neither the log nor the file is ever held whole:
 * at most a page of rows and one part of compressed bytes.
 *
 * R2 refuses a `put` of a stream whose length it is not told (in Workers and in the local runtime
 * alike), and gzip's length is known only at the end: so a multipart upload, every part but the last
 * exactly PART_BYTES (R2 wants at least 5 MiB, all of one size); a backup smaller than one part is a
 * plain `put` of its bytes.
 */
import migrations from '../../migrations/migrations.js'
import { BACKUP_FORMAT, COPIED_TABLES, encodeRow, type BackupHeader, type Row } from './backup-format'
import { backupKey, backupMetadata, type BackupSummary } from './backup-store'
import { chainHeadOf } from './event-chain'
import { linkPrevHash } from './event-log'

/** Rows read per page (one synchronous query, then the lines are handed to the compressor). */
const PAGE = 1_000
/** The size of every part but the last. */
export const PART_BYTES = 5 * 1024 * 1024

/** The newest migration this object has applied, by its journal tag. */
export function migrationLevel(sql: SqlStorage): { tag: string; when: number } {
  const row = sql.exec<{ created_at: number | string }>('SELECT created_at FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 1').toArray()[0]
  const when = Number(row?.created_at ?? 0)
  return { tag: migrations.journal.entries.find((e) => e.when === when)?.tag ?? 'none', when }
}

/** The newest migration this code brings: a backup written at a newer level cannot be restored by it. */
export const LATEST_MIGRATION = migrations.journal.entries.at(-1)!

/**
 * Backs the tenant up to `tenants/{slug}/{id}.ndjson.gz`. What it holds is fixed at the start, in
 * one synchronous read: the log up to its head then (events appended while it uploads are the next
 * backup's), and the header's facts.
 */
export async function writeBackup(sql: SqlStorage, bucket: R2Bucket, slug: string, id: string, createdAt: string): Promise<BackupSummary> {
  const head = chainHeadOf(sql)
  const events = sql.exec<{ n: number }>('SELECT count(*) AS n FROM events WHERE seq <= ?', head.seq).one().n
  const header: BackupHeader = { backup: 'revline', format: BACKUP_FORMAT, tenant: slug, id, createdAt, seq: head.seq, head: head.hash, events, migration: migrationLevel(sql) }
  const upload = new PartUpload(bucket, backupKey(slug, id), { customMetadata: backupMetadata(header), httpMetadata: { contentType: 'application/gzip' } })
  const gzip = new CompressionStream('gzip')
  const writer = gzip.writable.getWriter()
  const reader = gzip.readable.getReader()
  const pump = (async () => {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) await upload.add(chunk.value)
  })()
  // An upload that fails stops the writes waiting on it.
  pump.catch((error) => writer.abort(error).catch(() => {}))
  try {
    const encoder = new TextEncoder()
    for (const text of backupText(sql, header)) await writer.write(encoder.encode(text))
    await writer.close()
    await pump
    const bytes = await upload.finish()
    return { id, createdAt, seq: head.seq, head: head.hash, events, bytes, kind: id.startsWith('nightly-') ? 'nightly' : 'manual' }
  } catch (error) {
    await upload.abort()
    throw error
  }
}

/** The file, a page of lines at a time (each chunk ends with a newline). */
function* backupText(sql: SqlStorage, header: BackupHeader): Generator<string> {
  let lines = 1
  yield `${JSON.stringify(header)}\n`
  const chunk = (rows: string[]) => {
    lines += rows.length
    return rows.length ? `${rows.join('\n')}\n` : ''
  }
  for (const table of COPIED_TABLES) {
    let after = 0
    for (;;) {
      // By rowid, so even a large table (one subject key per person) is read a page at a time.
      const page = sql.exec<Row & { __rowid: number }>(`SELECT rowid AS __rowid, * FROM "${table}" WHERE rowid > ? ORDER BY rowid LIMIT ${PAGE}`, after).toArray()
      if (page.length === 0) break
      after = page.at(-1)!.__rowid
      yield chunk(page.map(({ __rowid: _, ...row }) => encodeRow(table, row)))
    }
  }
  // The log: each event followed by its link in the chain.
  let after = 0
  for (;;) {
    const page = sql.exec<Row & { seq: number }>(`SELECT * FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ${PAGE}`, after, header.seq).toArray()
    if (page.length === 0) break
    const last = page.at(-1)!.seq
    const links = new Map(sql.exec<Row & { seq: number }>(`SELECT c.seq, ${linkPrevHash('c')} AS prev_hash, c.hash FROM event_chain c WHERE c.seq > ? AND c.seq <= ?`, after, last).toArray().map((l) => [l.seq, l]))
    const rows: string[] = []
    for (const event of page) {
      rows.push(encodeRow('events', event))
      const link = links.get(event.seq)
      if (link) rows.push(encodeRow('event_chain', link))
    }
    after = last
    yield chunk(rows)
  }
  lines += 1
  yield `${JSON.stringify({ end: true, lines })}\n`
}

/** Compressed bytes → R2: buffered into parts of exactly PART_BYTES; one `put` if it never fills one. */
class PartUpload {
  private buffer = new Uint8Array(PART_BYTES)
  private filled = 0
  private uploaded = 0
  private upload: R2MultipartUpload | undefined
  private readonly parts: R2UploadedPart[] = []

  constructor(
    private readonly bucket: R2Bucket,
    private readonly key: string,
    private readonly options: R2MultipartOptions,
  ) {}

  async add(bytes: Uint8Array): Promise<void> {
    for (let offset = 0; offset < bytes.length; ) {
      const n = Math.min(bytes.length - offset, PART_BYTES - this.filled)
      this.buffer.set(bytes.subarray(offset, offset + n), this.filled)
      this.filled += n
      offset += n
      if (this.filled === PART_BYTES) await this.sendPart()
    }
  }

  /** Completes the object; answers its size in bytes. */
  async finish(): Promise<number> {
    if (!this.upload) {
      await this.bucket.put(this.key, this.buffer.subarray(0, this.filled), this.options)
      return this.filled
    }
    if (this.filled > 0) await this.sendPart()
    await this.upload.complete(this.parts)
    return this.uploaded
  }

  async abort(): Promise<void> {
    await this.upload?.abort().catch(() => {})
  }

  private async sendPart() {
    this.upload ??= await this.bucket.createMultipartUpload(this.key, this.options)
    const part = this.buffer.subarray(0, this.filled)
    this.buffer = new Uint8Array(PART_BYTES)
    this.uploaded += part.length
    this.filled = 0
    this.parts.push(await this.upload.uploadPart(this.parts.length + 1, part))
  }
}
