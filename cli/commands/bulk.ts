/** `revline import <file> --into <collection>` (streamed, with progress) and `revline export <collection>`. */
import { createReadStream, createWriteStream, statSync } from 'node:fs'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Command } from 'commander'
import type { ImportReport } from '../../sdk'
import { CommandFailed, emit, UsageError, type Io } from '../context'
import { bytes, plural } from '../format'
import { nounContext } from './records'

/** A one-line bar on a terminal (redrawn), or a line per 25 % elsewhere (logs, pipes). */
export function progressBar(io: Io, total: number) {
  const barWidth = 30
  let lastStep = -1
  let lastDraw = 0
  return {
    update(sent: number) {
      const ratio = total > 0 ? Math.min(1, sent / total) : 1
      const text = `${String(Math.floor(ratio * 100)).padStart(3)}%  ${bytes(sent)} / ${bytes(total)}`
      if (io.stderrIsTTY) {
        const now = Date.now()
        if (now - lastDraw < 50 && ratio < 1) return
        lastDraw = now
        const filled = Math.round(ratio * barWidth)
        io.stderr(`\r[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${text}`)
      } else {
        const step = Math.floor(ratio * 4)
        if (step === lastStep) return
        lastStep = step
        io.stderr(`uploading ${text}\n`)
      }
    },
    /** The upload is read to the end; the server still stores the last rows before it answers. */
    uploaded() {
      if (io.stderrIsTTY) io.stderr('\n')
      io.stderr('uploaded; waiting for the server to finish the import…\n')
    },
  }
}

export function register(program: Command, io: Io) {
  program
    .command('import')
    .description('bulk-create from a CSV or NDJSON file (streamed; contacts are deduplicated by email)')
    .argument('<file>', 'a .csv or .ndjson/.jsonl file')
    .requiredOption('--into <collection>', 'the collection to import into')
    .option('--format <format>', 'csv or ndjson (default: from the file name)')
    .option('--no-progress', 'no progress output')
    .action(async (file: string, opts: { into: string; format?: string; progress: boolean }, command: Command) => {
      const format = opts.format ?? (/\.csv$/i.test(file) ? 'csv' : /\.(nd)?jsonl?$/i.test(file) || /\.ndjson$/i.test(file) ? 'ndjson' : undefined)
      if (format !== 'csv' && format !== 'ndjson') throw new UsageError(`cannot tell the format of '${file}'`, 'name it .csv or .ndjson, or pass --format csv|ndjson')
      let size: number
      try {
        const stat = statSync(file)
        if (!stat.isFile()) throw new Error('not a file')
        size = stat.size
      } catch (error) {
        throw new UsageError(`cannot read '${file}': ${(error as Error).message}`)
      }
      const { ctx, noun, api } = await nounContext(command, io, opts.into)
      if (!noun.crud.create) throw new UsageError(`${noun.name} cannot be imported`)
      const bar = opts.progress ? progressBar(io, size) : undefined
      let report: ImportReport
      try {
        report = await api.import(createReadStream(file), {
          format,
          contentLength: size,
          ...(bar
            ? {
                onProgress: (sent: number) => {
                  bar.update(sent)
                  if (sent >= size) bar.uploaded()
                },
              }
            : {}),
        })
      } catch (error) {
        if (bar && io.stderrIsTTY) io.stderr('\n')
        throw error
      }
      const lines = report.errors.slice(0, 20).map((e) => `line ${e.line}${e.field ? ` ${e.field}` : ''}: ${e.message}`)
      if (report.errors.length > 20) lines.push(`… and ${report.rejected - 20} more`)
      const summary = `imported ${bytes(size)} into ${opts.into}: ${report.created} created, ${report.updated} updated, ${report.rejected} rejected`
      if (report.rejected > 0) {
        if (ctx.json) ctx.out(`${JSON.stringify(report, null, 2)}\n`)
        throw new CommandFailed(`${summary} (${plural(report.rejected, 'row')} rejected)`, lines)
      }
      emit(ctx, report, () => summary)
    })

  program
    .command('export')
    .description('stream a whole collection as NDJSON or CSV')
    .argument('<collection>')
    .option('--format <format>', 'ndjson (default) or csv; from --out when it ends in .csv')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (collection: string, opts: { format?: string; out?: string }, command: Command) => {
      const format = opts.format ?? (opts.out && /\.csv$/i.test(opts.out) ? 'csv' : 'ndjson')
      if (format !== 'csv' && format !== 'ndjson') throw new UsageError(`--format is csv or ndjson, got '${format}'`)
      const { ctx, api } = await nounContext(command, io, collection)
      const stream = await api.export({ format })
      const source = Readable.fromWeb(stream as unknown as import('node:stream/web').ReadableStream<Uint8Array>)
      if (opts.out) {
        let written = 0
        source.on('data', (chunk: Buffer) => (written += chunk.length))
        await pipeline(source, createWriteStream(opts.out))
        ctx.err(`wrote ${bytes(written)} to ${opts.out}\n`)
      } else {
        const decoder = new TextDecoder()
        await pipeline(
          source,
          new Writable({
            write: (chunk: Buffer, _enc, done) => (ctx.out(decoder.decode(chunk, { stream: true })), done()),
            final: (done) => (ctx.out(decoder.decode()), done()),
          }),
        )
      }
    })
}
