/**
 * `POST /{collection}/import` (text/csv or application/x-ndjson) and `GET /{collection}/export`.
 * Both stream: the import reads the body chunk by chunk and sends rows to the tenant object in
 * batches; the export pulls pages by keyset and writes them out as they come. Neither ever holds a
 * whole file or a whole collection in memory.
 */
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import Papa from 'papaparse'
import type { EntityRecord } from '../../domain/engine/types'
import { AppError } from '../../domain/errors'
import { apiVerbs, type NounSchema } from '../../domain/noun/noun'
import { nouns } from '../../domain/nouns'
import type { ImportError, ImportReport, ImportRow } from '../../durable/bulk'
import { sha256Hex } from '../crypto'
import type { AppEnv } from '../types'
import { actionFor } from '../../domain/access'

export const MAX_IMPORT_BYTES = 64 * 1024 * 1024
/** Rows per RPC: big enough to amortise the hop, small enough to keep each call well under CPU limits. */
export const IMPORT_BATCH = 1_000
export const EXPORT_PAGE = 1_000
/** The report lists at most this many rejected rows (it always counts them all). */
export const MAX_REPORTED_ERRORS = 1_000

export const bulk = new Hono<AppEnv>()

function nounOf(c: Context<AppEnv>): NounSchema {
  const plural = c.req.param('collection') ?? ''
  const noun = nouns.byPlural(plural)
  if (!noun) throw new AppError('not_found', `there is no collection '${plural}'`)
  return noun
}

const importLimit = bodyLimit({
  maxSize: MAX_IMPORT_BYTES,
  onError: () => {
    throw new AppError('payload_too_large', `imports are limited to ${MAX_IMPORT_BYTES / 1024 / 1024} MB`)
  },
})

bulk.post('/:collection/import', importLimit, async (c) => {
  const noun = nounOf(c)
  // Who may import is settled before the file is looked at: rows are creates of this noun.
  await c.var.tenant.authorize(actionFor(noun, 'create'))
  if (!apiVerbs(noun).create) throw new AppError('method_not_allowed', `${noun.name} cannot be imported`)
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
      part = await c.var.tenant.run<ImportReport>({ kind: 'import', noun: noun.name, rows }, { idempotency })
    } catch (error) {
      throw interrupted(error, report, key)
    }
    report.created += part.created
    report.updated += part.updated
    report.rejected += part.rejected
    for (const e of part.errors) if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push(e)
  }
  const started = Date.now()
  const rows = format === 'csv' ? csvRows(c.req.raw.body) : ndjsonRows(c.req.raw.body, report.errors, () => report.rejected++)
  let batch: ImportRow[] = []
  for await (const row of rows) {
    batch.push(row)
    if (batch.length >= IMPORT_BATCH) {
      await send(batch)
      batch = []
    }
  }
  await send(batch)
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

async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffer = ''
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
    buffer += chunk
    let nl: number
    while ((nl = buffer.indexOf('\n')) >= 0) {
      yield buffer.slice(0, nl).replace(/\r$/, '')
      buffer = buffer.slice(nl + 1)
    }
  }
  if (buffer) yield buffer
}

async function* ndjsonRows(body: ReadableStream<Uint8Array>, errors: ImportError[], reject: () => void): AsyncGenerator<ImportRow> {
  let line = 0
  for await (const text of lines(body)) {
    line++
    if (!text.trim()) continue
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch {
      data = undefined
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      reject()
      if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line, field: null, message: 'is not a JSON object' })
      continue
    }
    yield { line, data: data as Record<string, unknown> }
  }
}

/**
 * CSV records may span lines inside quotes, so the stream is cut only at a newline outside quotes
 * (even quote count so far; RFC 4180 escapes quotes by doubling them) and each piece goes to papaparse.
 * `line` in the report is the record's number, the header being 1.
 */
async function* csvRows(body: ReadableStream<Uint8Array>): AsyncGenerator<ImportRow> {
  let header: string[] | undefined
  let record = 1
  let buffer = ''
  const parse = function* (text: string): Generator<ImportRow> {
    const parsed = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' })
    for (const cells of parsed.data) {
      if (!header) {
        header = cells.map((h) => h.trim())
        continue
      }
      record++
      const data: Record<string, unknown> = {}
      header.forEach((name, i) => {
        if (name) data[name] = cells[i] ?? ''
      })
      yield { line: record, data }
    }
  }
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
    buffer += chunk
    const cut = lastRecordEnd(buffer)
    if (cut > 0) {
      yield* parse(buffer.slice(0, cut))
      buffer = buffer.slice(cut)
    }
  }
  if (buffer.trim()) yield* parse(buffer)
}

function lastRecordEnd(text: string): number {
  let quotes = 0
  let end = -1
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (ch === 34) quotes++
    else if (ch === 10 && quotes % 2 === 0) end = i + 1
  }
  return end
}

bulk.get('/:collection/export', async (c) => {
  const noun = nounOf(c)
  const format = c.req.query('format') ?? 'ndjson'
  if (format !== 'ndjson' && format !== 'csv') throw new AppError('invalid_query', 'format is ndjson or csv', [{ path: 'format', message: 'must be ndjson or csv' }])
  // Check access before the stream starts: a 401/403 must not arrive as a 200 with an empty body.
  const first = await c.var.tenant.run<{ data: EntityRecord[]; next: string | null }>({ kind: 'export', noun: noun.name, limit: EXPORT_PAGE })
  const columns = ['$id', '$version', '$createdAt', '$updatedAt', '$createdBy', ...Object.keys(noun.fields)]
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
      const page: { data: EntityRecord[]; next: string | null } = await c.var.tenant.run({ kind: 'export', noun: noun.name, cursor: next, limit: EXPORT_PAGE })
      next = page.next
      if (page.data.length > 0) controller.enqueue(encoder.encode(encode(page.data, false)))
      if (!next) controller.close()
    },
  })
  const filename = `${noun.plural}.${format === 'csv' ? 'csv' : 'ndjson'}`
  return new Response(stream, {
    headers: { 'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson', 'content-disposition': `attachment; filename="${filename}"` },
  })
})

/** CSV cells: lists and objects as JSON, everything else as text. */
const cell = (value: unknown) => (value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value))
