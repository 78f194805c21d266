/**
 * Bulk import and export inside the tenant object. The edge streams the file and sends rows in
 * batches; each row runs the same `create` verb as a single request (validation, hooks, event). A
 * batch is tried in one transaction; if a row is refused it is redone a row per transaction, so
 * one bad row is reported and never takes the batch down with it.
 * Contacts are deduplicated by email: a known email fills the existing contact's blanks.
 */
import { runVerb } from '../domain/engine/run-verb'
import type { EntityRecord } from '../domain/engine/types'
import { AppError } from '../domain/errors'
import { coerceRow } from '../domain/import-row'
import { createValidator, validate } from '../domain/noun/validators'
import type { NounSchema } from '../domain/noun/noun'
import { DEFAULT_SORT } from '../domain/query/list-query'
import { engineContext, type DispatchContext } from './dispatch'
import type { EntityStore } from './entity-store'
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
  // Optimistic: the whole batch in one transaction, as most files have no bad row. The first
  // refused row rolls it all back and the batch runs again a row per transaction, so a bad row is
  // reported alone and the others land exactly as they would have.
  try {
    return ctx.transaction(() => {
      const report: ImportReport = { created: 0, updated: 0, rejected: 0, errors: [] }
      for (const input of inputs) importOne(engine, ctx, noun, input, report)
      return report
    })
  } catch (error) {
    if (!(error instanceof AppError)) throw error
  }
  const report: ImportReport = { created: 0, updated: 0, rejected: 0, errors: [] }
  rows.forEach((row, i) => {
    try {
      ctx.transaction(() => importOne(engine, ctx, noun, inputs[i]!, report))
    } catch (error) {
      if (!(error instanceof AppError)) throw error
      report.rejected++
      const errors = error.errors?.length ? error.errors : [{ path: null, message: error.detail }]
      for (const e of errors) report.errors.push({ line: row.line, field: e.path, message: e.message })
    }
  })
  return report
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

/** One page of an export, in creation order, without counting the collection. */
export function exportPage(store: EntityStore, noun: NounSchema, cursor: string | undefined, limit: number) {
  const page = list(store, noun, { where: { and: [] }, sort: DEFAULT_SORT, limit, ...(cursor ? { cursor } : {}) }, { count: false })
  return { data: page.data, next: page.next }
}
