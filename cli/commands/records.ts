/** `list`, `get`, `create`, `update`, `delete`: any collection, typed by its noun. */
import type { Command } from 'commander'
import { MANIFEST, type NounName, type QueryParams } from '../../sdk'
import { contextOf, emit, parseIntOption, parseJsonOption, UsageError, type Io } from '../context'
import { cell, isEntity, plural, record, table } from '../format'
import { fieldsOf, nounOf, pairsToObject } from '../nouns'

type Row = Record<string, unknown> & { $id: string }
// The commands work on a noun picked at run time, so they talk to the untyped face of its client.
type AnyNounClient = {
  list(filter?: object, options?: object): Promise<{ data: Row[]; total: number; next: string | null }>
  all(filter?: object, options?: object): AsyncIterable<Row>
  get(id: string, options?: object): Promise<Row>
  create?(input: object): Promise<Row>
  update?(id: string, input: object): Promise<Row>
  delete?(id: string): Promise<void>
}

export const nounClient = (client: Record<string, unknown>, noun: NounName) => client[noun] as AnyNounClient

/** `--where stage=Lead --where leadScore[$gte]=50` → query parameters the server types by field. */
function whereParams(wheres: string[]): QueryParams {
  const out: Record<string, string[]> = {}
  for (const where of wheres) {
    const eq = where.indexOf('=')
    if (eq <= 0) throw new UsageError(`--where takes field=value or field[$op]=value, got '${where}'`)
    ;(out[where.slice(0, eq)] ??= []).push(where.slice(eq + 1))
  }
  return out
}

/** Columns for a page: the id, then fields in declaration order that any row has, within the width. */
function columnsFor(noun: NounName, rows: Row[], columns: number): string[] {
  const fields = Object.keys(fieldsOf(noun)).filter((f) => rows.some((r) => r[f] !== undefined && r[f] !== null && r[f] !== ''))
  const picked = ['$id']
  let used = Math.max(...rows.map((r) => r.$id.length), 3)
  for (const field of fields) {
    const w = Math.max(field.length, ...rows.map((r) => cell(r[field]).length))
    if (used + 2 + w > columns) continue
    picked.push(field)
    used += 2 + w
  }
  return picked
}

export function renderRows(noun: NounName, rows: Row[], width: number, columns?: string[]): string {
  if (rows.length === 0) return `no ${MANIFEST[noun].plural}`
  const cols = columns ?? columnsFor(noun, rows, width)
  return table(
    cols.map((c) => ({ header: c, align: rows.every((r) => typeof r[c] === 'number' || r[c] == null) ? ('right' as const) : ('left' as const) })),
    rows.map((r) => cols.map((c) => r[c])),
  )
}

const collect = (value: string, previous: string[] = []) => [...previous, value]

export function register(program: Command, io: Io) {
  program
    .command('list')
    .description('list a collection (filters, sort, paging)')
    .argument('<collection>', 'contacts, leads, deals, … (or the noun: Contact)')
    .option('--filter <json>', 'a JSON filter: \'{"score":{"$gte":80}}\'')
    .option('--where <field=value>', 'field=value or field[$op]=value (repeatable)', collect, [])
    .option('--sort <fields>', 'e.g. -score,name')
    .option('--limit <n>', 'page size, 1 to 200 (default 25)')
    .option('--cursor <cursor>', 'the next page (printed under the table)')
    .option('--all', 'every match, page after page')
    .option('--columns <fields>', 'columns to show, e.g. $id,name,score')
    .action(async (collection: string, opts: { filter?: string; where: string[]; sort?: string; limit?: string; cursor?: string; all?: boolean; columns?: string }, command: Command) => {
      const noun = nounOf(collection)
      const filter = parseJsonOption('--filter', opts.filter)
      if (filter !== undefined && (typeof filter !== 'object' || filter === null || Array.isArray(filter))) throw new UsageError('--filter must be a JSON object')
      const limit = parseIntOption('--limit', opts.limit, 1, opts.all ? 1_000_000 : 200)
      const ctx = contextOf(command, io)
      const api = nounClient(ctx.client, noun)
      const query = whereParams(opts.where)
      const base = { query, ...(opts.sort ? { sort: opts.sort } : {}) }
      const columns = opts.columns?.split(',').map((c) => c.trim()).filter(Boolean)
      if (opts.all) {
        const rows: Row[] = []
        for await (const row of api.all(filter as object | undefined, { ...base, pageSize: 200, ...(limit ? { limit } : {}) })) rows.push(row)
        emit(ctx, { data: rows, total: rows.length }, () => `${renderRows(noun, rows, io.columns, columns)}\n\n${plural(rows.length, MANIFEST[noun].plural.replace(/s$/, ''), MANIFEST[noun].plural)}`)
        return
      }
      const page = await api.list(filter as object | undefined, { ...base, ...(limit ? { limit } : {}), ...(opts.cursor ? { cursor: opts.cursor } : {}) })
      emit(ctx, page, () => {
        const footer = `${page.data.length} of ${page.total}${page.next ? ` · next page: --cursor ${page.next}` : ''}`
        return `${renderRows(noun, page.data, io.columns, columns)}\n\n${footer}`
      })
    })

  program
    .command('get')
    .description('show one entity')
    .argument('<collection>')
    .argument('<id>')
    .option('--include <relations>', 'expand relations and reverse lists, e.g. organization,leads')
    .option('--as-of <iso>', 'the entity as it was then')
    .action(async (collection: string, id: string, opts: { include?: string; asOf?: string }, command: Command) => {
      const noun = nounOf(collection)
      const ctx = contextOf(command, io)
      const include = opts.include?.split(',').map((s) => s.trim()).filter(Boolean)
      const entity = await nounClient(ctx.client, noun).get(id, { ...(include ? { include } : {}), ...(opts.asOf ? { asOf: opts.asOf } : {}) })
      emit(ctx, entity, () => renderEntity(entity))
    })

  program
    .command('create')
    .description('create an entity from --data JSON and/or field=value pairs')
    .argument('<collection>')
    .argument('[fields...]', 'field=value (typed by the field) or field:=<json>')
    .option('--data <json>', 'the entity as JSON')
    .action(async (collection: string, fields: string[], opts: { data?: string }, command: Command) => {
      const noun = nounOf(collection)
      const input = inputOf(opts.data, fields, fieldsOf(noun))
      const ctx = contextOf(command, io)
      const api = nounClient(ctx.client, noun)
      if (!api.create) throw new UsageError(`${noun} cannot be created over the API`)
      const entity = await api.create(input)
      emit(ctx, entity, () => `created ${entity.$id}\n\n${renderEntity(entity)}`)
    })

  program
    .command('update')
    .description('change fields of an entity')
    .argument('<collection>')
    .argument('<id>')
    .argument('[fields...]', 'field=value or field:=<json>')
    .option('--data <json>', 'the changes as JSON')
    .action(async (collection: string, id: string, fields: string[], opts: { data?: string }, command: Command) => {
      const noun = nounOf(collection)
      const input = inputOf(opts.data, fields, fieldsOf(noun))
      const ctx = contextOf(command, io)
      const api = nounClient(ctx.client, noun)
      if (!api.update) throw new UsageError(`${noun} cannot be updated`)
      const entity = await api.update(id, input)
      emit(ctx, entity, () => `updated ${entity.$id} (version ${entity.$version})\n\n${renderEntity(entity)}`)
    })

  program
    .command('delete')
    .description('soft-delete an entity (admin keys)')
    .argument('<collection>')
    .argument('<id>')
    .action(async (collection: string, id: string, _opts: unknown, command: Command) => {
      const noun = nounOf(collection)
      const ctx = contextOf(command, io)
      const api = nounClient(ctx.client, noun)
      if (!api.delete) throw new UsageError(`${noun} cannot be deleted`)
      await api.delete(id)
      emit(ctx, { deleted: id }, () => `deleted ${id}`)
    })
}

/** --data JSON, then field=value pairs on top. */
export function inputOf(data: string | undefined, pairs: string[], fields: Readonly<Record<string, string>>): Record<string, unknown> {
  const json = parseJsonOption('--data', data) ?? {}
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UsageError('--data must be a JSON object')
  return { ...(json as Record<string, unknown>), ...pairsToObject(pairs, fields) }
}

export function renderEntity(entity: Row): string {
  const entries = Object.entries(entity).filter(([, v]) => v !== null && v !== undefined)
  const plain = entries.filter(([, v]) => !Array.isArray(v) || !v.some(isEntity))
  const lists = entries.filter(([, v]) => Array.isArray(v) && v.some(isEntity)) as [string, Row[]][]
  const out = [record(plain)]
  for (const [name, rows] of lists) out.push(`\n${name} (${rows.length})\n${rows.map((r) => `  ${cell(r, 100)}`).join('\n')}`)
  return out.join('\n')
}
