/**
 * Bulk import and export inside the tenant object. The edge streams the file and sends rows in
 * batches; each row runs the same `create` verb as a single request (validation, hooks, event).
 * A batch is all or nothing: its good rows commit together, a refused row is reported alone, and a
 * fault (storage refusing a valid row) leaves nothing of the batch and names the row's line.
 * Contacts are deduplicated by email: a known email fills the existing contact's blanks.
 */
import { runVerb } from '../domain/engine/run-verb'
import type { EntityRecord } from '../domain/engine/types'
import { AppError } from '../domain/errors'
import { coerceRow } from '../domain/import-row'
import { createValidator, validate } from '../domain/noun/validators'
import type { NounSchema } from '../domain/noun/noun'
import { DEFAULT_SORT } from '../domain/query/list-query'
import { engineContext, type DispatchContext } from './context'
import type { EntityStore } from './entity-store'
import { chainHeadOf } from './event-chain'
import { list } from './reads'

export interface ImportRow {
  /** Line in the uploaded file (1 = header for CSV), for the report. */
  line: number
  data: Record<string, unknown>
}

export interface ImportError {
  line: number
  field: string | null
  message: string
}

export interface ImportReport {
  created: number
  updated: number
  rejected: number
  errors: ImportError[]
}

export function importRows(ctx: DispatchContext, noun: NounSchema, rows: ImportRow[]): ImportReport {
  const engine = engineContext(ctx)
  const inputs = rows.map((row) => coerceRow(noun, row.data))
  // Optimistic: the whole batch in one transaction without savepoints, as most files have no bad
  // row. Anything thrown rolls it all back and the batch runs again, row by row, to find the row.
  try {
    return ctx.transaction(() => {
      const report = emptyReport()
      for (const input of inputs) importOne(engine, ctx, noun, input, report)
      return report
    })
  } catch {
    // redone below, where the row that threw is found and named
  }
  // Row by row inside one transaction: each row nests as a savepoint, so a refused row is rolled
  // back alone and reported, while a fault rolls the whole batch back.
  return ctx.transaction(() => {
    const report = emptyReport()
    rows.forEach((row, i) => {
      try {
        ctx.transaction(() => importOne(engine, ctx, noun, inputs[i]!, report))
      } catch (error) {
        if (!(error instanceof AppError)) throw rowFault(row, rows, error)
        report.rejected++
        const errors = error.errors?.length ? error.errors : [{ path: null, message: error.detail }]
        for (const e of errors) report.errors.push({ line: row.line, field: e.path, message: e.message })
      }
    })
    return report
  })
}

const emptyReport = (): ImportReport => ({ created: 0, updated: 0, rejected: 0, errors: [] })

/**
 * A row the input did not explain failing to store: a fault of ours, logged with its cause and
 * reported (without it) as the line and the batch nothing of which was written.
 */
function rowFault(row: ImportRow, rows: ImportRow[], cause: unknown): AppError {
  console.error(`import: line ${row.line} could not be stored`, cause)
  return new AppError('internal_error', `line ${row.line} could not be stored; nothing of its batch was written`, undefined, {
    line: row.line,
    batch: { firstLine: rows[0]!.line, lastLine: rows.at(-1)!.line },
  })
}

/** One row: created, or (contacts) merged into the contact that has its email. */
function importOne(engine: ReturnType<typeof engineContext>, ctx: DispatchContext, noun: NounSchema, input: Record<string, unknown>, report: ImportReport) {
  const existing = noun.name === 'Contact' && typeof input.email === 'string' ? findByEmail(ctx.store, noun, input.email) : undefined
  if (!existing) {
    runVerb(engine, { noun, verb: 'create', input })
    report.created++
    return
  }
  // A known email still gets a full check, so a bad cell is reported rather than dropped.
  validate(createValidator(noun), input, `${noun.name} row`)
  const blanks = Object.fromEntries(Object.entries(input).filter(([key]) => existing[key] == null && Object.hasOwn(noun.fields, key)))
  if (Object.keys(blanks).length > 0) runVerb(engine, { noun, verb: 'update', id: existing.$id, input: blanks })
  report.updated++
}

function findByEmail(store: EntityStore, noun: NounSchema, email: string): EntityRecord | undefined {
  return store.getBy(noun, 'email', email.trim().toLowerCase())
}

/**
 * One page of an export, in creation order, without counting the collection. The first page (no
 * cursor) also says where the log's hash chain stood when the export began (`Revline-Chain-Head`).
 */
export function exportPage(store: EntityStore, noun: NounSchema, cursor: string | undefined, limit: number) {
  const page = list(store, noun, { where: { and: [] }, sort: DEFAULT_SORT, limit, ...(cursor ? { cursor } : {}) }, { count: false })
  // The CSV header: meta fields, then every field of the noun as this tenant has it (its own fields too).
  const columns = ['$id', '$version', '$createdAt', '$updatedAt', '$createdBy', ...Object.keys(noun.fields)]
  return { data: page.data, next: page.next, columns, plural: noun.plural, ...(cursor ? {} : { chainHead: chainHeadOf(store.sql) }) }
}
