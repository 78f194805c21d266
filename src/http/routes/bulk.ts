/**
 * `POST /{collection}/import` (text/csv or application/x-ndjson) and `GET /{collection}/export`.
 * Both stream: the import reads the body chunk by chunk and sends rows to the tenant object in
 * batches; the export pulls pages by keyset and writes them out as they come. Neither ever holds a
 * whole file or a whole collection in memory.
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import Papa from 'papaparse'
import type { EntityRecord } from '../../domain/engine/types'
import { AppError } from '../../domain/errors'
import { assertCleanText, parseJsonObject, textProblem } from '../../domain/json-text'
import { checkVerbRoute } from '../../domain/noun/noun'
import type { ImportReport, ImportRow } from '../../durable/bulk'
import { sha256Hex } from '../crypto'
import type { AppEnv } from '../types'
import { collectionOf } from './collections'
import { actionFor } from '../../domain/access'

export const MAX_IMPORT_BYTES = 64 * 1024 * 1024
/** Rows per RPC: big enough to amortise the hop, small enough to keep each call well under CPU limits. */
export const IMPORT_BATCH = 1_000
export const EXPORT_PAGE = 1_000
/** The report lists at most this many rejected rows (it always counts them all). */
export const MAX_REPORTED_ERRORS = 1_000

export const bulk = new Hono<AppEnv>()

type ChainHead = { seq: number; hash: string }
/** Where the log's hash chain stood when an export began, `{seq}:{hash}`: heads taken at different times can be compared (and checked against `GET /events/verify`). */
export const CHAIN_HEAD_HEADER = 'Revline-Chain-Head'
export const chainHeadValue = (head: ChainHead) => `${head.seq}:${head.hash}`

const importLimit = bodyLimit({
  maxSize: MAX_IMPORT_BYTES,
  onError: () => {
    throw new AppError('payload_too_large', `imports are limited to ${MAX_IMPORT_BYTES / 1024 / 1024} MB`)
  },
})

bulk.post('/:collection/import', importLimit, async (c) => {
  const { plural, builtIn } = collectionOf(c)
  // Who may import is settled before the file is looked at: rows are creates of this noun.
  if (builtIn) {
    await c.var.tenant.authorize(actionFor(builtIn, 'create'))
    checkVerbRoute(builtIn, 'create', 'crud')
  }
  const type = (c.req.header('content-type') ?? '').toLowerCase()
  const format = type.startsWith('text/csv') ? 'csv' : /^application\/(x-)?(ndjson|jsonl|json-seq)/.test(type) ? 'ndjson' : undefined
  if (!format) throw new AppError('unsupported_media_type', 'send text/csv or application/x-ndjson')
  if (!c.req.raw.body) throw new AppError('bad_request', 'the import is empty')

  const report: ImportReport = { created: 0, updated: 0, rejected: 0, errors: [] }
  // With an Idempotency-Key every batch gets its own key (and its rows' hash): a retried import
  // replays the batches that were applied and writes only the rest; another file is a 422.
  const key = c.var.tenant.idempotencyKey
  let batchIndex = 0
  const send = async (rows: ImportRow[]) => {
    if (rows.length === 0) return
    const idempotency = key ? { key: `${key}#batch-${batchIndex++}`, requestHash: await sha256Hex(JSON.stringify(rows)) } : null
    let part: ImportReport
    try {
      part = await c.var.tenant.run<ImportReport>({ kind: 'import', noun: plural, rows }, { idempotency })
    } catch (error) {
      throw interrupted(error, report, key)
    }
    report.created += part.created
    report.updated += part.updated
    report.rejected += part.rejected
    for (const e of part.errors) if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push(e)
  }
  const started = Date.now()
  const reject: Reject = (line, field, message) => {
    report.rejected++
    if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push({ line, field, message })
  }
  const rows = format === 'csv' ? csvRows(c.req.raw.body, reject) : ndjsonRows(c.req.raw.body, reject)
  let batch: ImportRow[] = []
  for await (const row of rows) {
    batch.push(row)
    if (batch.length >= IMPORT_BATCH) {
      await send(batch)
      batch = []
    }
  }
  await send(batch)
  // Rows refused here (not JSON, not UTF-8) were reported before the batches the object refused rows of.
  report.errors.sort((a, b) => a.line - b.line)
  const rowsSeen = report.created + report.updated + report.rejected
  return c.json({ ...report, rows: rowsSeen, durationMs: Date.now() - started }, report.rejected > 0 && report.created + report.updated === 0 ? 422 : 200)
})

/**
 * A batch that failed on our side (nothing of it written) ends the import: the problem names the
 * line, counts what earlier batches did, and says how to finish. It stays a 500, as the file was
 * not at fault, but it is a resumable one: earlier batches replay under the same Idempotency-Key.
 */
function interrupted(error: unknown, report: ImportReport, key: string | undefined): unknown {
  if (!(error instanceof AppError) || error.code !== 'internal_error' || typeof error.extensions?.line !== 'number') return error
  const { line, batch } = error.extensions as { line: number; batch: { firstLine: number; lastLine: number } }
  const { created, updated, rejected } = report
  const retry = key
    ? 'Send the same file again with the same Idempotency-Key: the batches already imported replay and only the rest is written.'
    : `Send the rows from line ${batch.firstLine} on to import the rest (with an Idempotency-Key, a retry of the whole file replays what was imported).`
  return new AppError(
    'internal_error',
    `The import stopped at line ${line}, which could not be stored (a fault on our side, not in the file). Nothing of lines ${batch.firstLine}–${batch.lastLine} was written; the rows before them were imported (created ${created}, updated ${updated}, rejected ${rejected}). ${retry}`,
    undefined,
    { line, batch, imported: { created, updated, rejected, rows: created + updated + rejected, errors: report.errors.map((e) => ({ ...e })) }, resumable: key !== undefined },
  )
}

type Reject = (line: number, field: string | null, message: string) => void

/** The body cut at each newline, as bytes: each line is decoded on its own, so a bad byte costs one row, not the import. */
async function* byteLines(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  let parts: Uint8Array[] = []
  for await (const chunk of body) {
    let start = 0
    let nl: number
    while ((nl = chunk.indexOf(10, start)) >= 0) {
      yield join([...parts, chunk.subarray(start, nl)])
      parts = []
      start = nl + 1
    }
    if (start < chunk.length) parts.push(chunk.slice(start))
  }
  if (parts.length) yield join(parts)
}

function join(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })
/** The text of valid UTF-8 bytes, or undefined. */
function textOf(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes)
  } catch {
    return undefined
  }
}

async function* ndjsonRows(body: ReadableStream<Uint8Array>, reject: Reject): AsyncGenerator<ImportRow> {
  let line = 0
  for await (const bytes of byteLines(body)) {
    line++
    const text = textOf(bytes.at(-1) === 13 ? bytes.subarray(0, -1) : bytes)
    if (text === undefined) {
      reject(line, null, 'is not valid UTF-8')
      continue
    }
    if (!text.trim()) continue
    let data: Record<string, unknown>
    try {
      data = parseJsonObject(text, { what: `line ${line}` })
    } catch (error) {
      if (!(error instanceof AppError)) throw error
      const first = error.errors?.[0]
      reject(line, first && first.path !== '(body)' ? first.path : null, first?.message ?? error.detail)
      continue
    }
    yield { line, data }
  }
}

/**
 * CSV records may span lines inside quotes, so the stream is cut only at a newline outside quotes
 * (RFC 4180 escapes quotes by doubling them, so the quote count's parity says where we are) and
 * each piece goes to papaparse. A piece that is not UTF-8 is decoded record by record, so the bad
 * record is the only one rejected. `line` in the report is the record's number, the header being 1.
 */
async function* csvRows(body: ReadableStream<Uint8Array>, reject: Reject): AsyncGenerator<ImportRow> {
  let header: string[] | undefined
  let record = 1
  const parse = function* (text: string): Generator<ImportRow> {
    const parsed = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' })
    for (const cells of parsed.data) {
      if (!header) {
        header = cells.map((h) => h.trim())
        header.forEach((name, i) => assertCleanText(name, `column ${i + 1}`))
        continue
      }
      record++
      const dirty = cells.findIndex((cell) => textProblem(cell) !== undefined)
      if (dirty >= 0) {
        reject(record, header[dirty] || null, textProblem(cells[dirty]!)!)
        continue
      }
      // fromEntries makes own properties, so a column named __proto__ is a column (and refused as one).
      yield { line: record, data: Object.fromEntries(header.flatMap((name, i) => (name ? [[name, cells[i] ?? '']] : []))) }
    }
  }
  const fromBytes = function* (bytes: Uint8Array): Generator<ImportRow> {
    const text = textOf(bytes)
    if (text !== undefined) return yield* parse(text)
    for (const piece of recordPieces(bytes)) {
      const pieceText = textOf(piece)
      if (pieceText !== undefined) {
        yield* parse(pieceText)
        continue
      }
      if (!header) throw new AppError('bad_request', 'the CSV header is not valid UTF-8', [{ path: '(header)', message: 'is not valid UTF-8' }])
      reject(++record, null, 'is not valid UTF-8')
    }
  }
  let parts: Uint8Array[] = []
  let inQuotes = false
  for await (const chunk of body) {
    let cut = -1
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!
      if (byte === 34) inQuotes = !inQuotes
      else if (byte === 10 && !inQuotes) cut = i + 1
    }
    if (cut < 0) {
      parts.push(chunk)
      continue
    }
    yield* fromBytes(join([...parts, chunk.subarray(0, cut)]))
    parts = cut < chunk.length ? [chunk.slice(cut)] : []
  }
  if (parts.length > 0) yield* fromBytes(join(parts))
}

/** Complete CSV records (newline outside quotes) of a piece that starts at a record boundary. */
function* recordPieces(bytes: Uint8Array): Generator<Uint8Array> {
  let inQuotes = false
  let start = 0
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 34) inQuotes = !inQuotes
    else if (bytes[i] === 10 && !inQuotes) {
      yield bytes.subarray(start, i + 1)
      start = i + 1
    }
  }
  if (start < bytes.length) yield bytes.subarray(start)
}

bulk.get('/:collection/export', async (c) => {
  const { plural } = collectionOf(c)
  const format = c.req.query('format') ?? 'ndjson'
  if (format !== 'ndjson' && format !== 'csv') throw new AppError('invalid_query', 'format is ndjson or csv', [{ path: 'format', message: 'must be ndjson or csv' }])
  // Check access before the stream starts: a 401/403 must not arrive as a 200 with an empty body.
  const first = await c.var.tenant.run<{ data: EntityRecord[]; next: string | null; columns: string[]; chainHead: ChainHead }>({ kind: 'export', noun: plural, limit: EXPORT_PAGE })
  const columns = first.columns
  const encoder = new TextEncoder()
  const encode = (page: EntityRecord[], withHeader: boolean) =>
    format === 'ndjson'
      ? page.map((e) => `${JSON.stringify(e)}\n`).join('')
      : `${Papa.unparse({ fields: columns, data: page.map((e) => columns.map((k) => cell(e[k]))) }, { header: withHeader, newline: '\n' })}\n`
  let next: string | null = first.next
  let pending: EntityRecord[] | null = first.data
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (pending) {
        controller.enqueue(encoder.encode(encode(pending, true)))
        pending = null
        if (!next) controller.close()
        return
      }
      if (!next) return controller.close()
      const page: { data: EntityRecord[]; next: string | null } = await c.var.tenant.run({ kind: 'export', noun: plural, cursor: next, limit: EXPORT_PAGE })
      next = page.next
      if (page.data.length > 0) controller.enqueue(encoder.encode(encode(page.data, false)))
      if (!next) controller.close()
    },
  })
  const filename = `${plural}.${format === 'csv' ? 'csv' : 'ndjson'}`
  return new Response(stream, {
    headers: {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
      'content-disposition': `attachment; filename="${filename}"`,
      [CHAIN_HEAD_HEADER]: chainHeadValue(first.chainHead),
    },
  })
})

/** CSV cells: lists and objects as JSON, everything else as text. */
const cell = (value: unknown) => (value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value))
