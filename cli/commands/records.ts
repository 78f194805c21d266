/**
 * `list`, `get`, `create`, `update`, `delete`: any collection of the tenant, its own nouns included,
 * through the SDK's untyped `client.noun(collection)`; field=value pairs typed by the noun's DSL.
 */
import type { Command } from 'commander'
import type { QueryParams, UntypedEntity } from '../../sdk'
import { contextOf, emit, parseIntOption, parseJsonOption, UsageError, type Io } from '../context'
import { cell, isEntity, plural, record, table } from '../format'
import { pairsToObject } from '../nouns'
import { TenantNouns, type NounInfo } from '../schema'

type Row = UntypedEntity

/** The command's context, the noun it names (asking `/nouns` only for what the manifest does not know) and its handle. */
export async function nounContext(command: Command, io: Io, ref: string) {
  const ctx = contextOf(command, io)
  const nouns = new TenantNouns(ctx.client)
  const noun = await nouns.resolve(ref)
  return { ctx, nouns, noun, api: ctx.client.noun(noun.collection) }
}

/** Input for a write: --data JSON, then pairs on top, each typed by its field (custom fields read from `/nouns`). */
export async function writeInput(nouns: TenantNouns, noun: NounInfo, data: string | undefined, pairs: string[], fieldsOf = (n: NounInfo) => n.fields) {
  const named = pairs.map((p) => /^([$A-Za-z][A-Za-z0-9.$]*):?=/.exec(p)?.[1]).filter((f): f is string => f !== undefined)
  const full = await nouns.complete(noun, named.filter((n) => !Object.hasOwn(fieldsOf(noun), n)))
  return inputOf(data, pairs, fieldsOf(full))
}

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
function columnsFor(noun: NounInfo, rows: Row[], columns: number): string[] {
  // Declared fields first, then any other field the rows hold (custom fields of a built-in noun).
  const names = [...new Set([...Object.keys(noun.fields), ...rows.flatMap((r) => Object.keys(r).filter((k) => !k.startsWith('$')))])]
  const fields = names.filter((f) => rows.some((r) => r[f] !== undefined && r[f] !== null && r[f] !== ''))
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

export function renderRows(noun: NounInfo, rows: Row[], width: number, columns?: string[]): string {
  if (rows.length === 0) return `no ${noun.collection}`
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
      const filter = parseJsonOption('--filter', opts.filter)
      if (filter !== undefined && (typeof filter !== 'object' || filter === null || Array.isArray(filter))) throw new UsageError('--filter must be a JSON object')
      const limit = parseIntOption('--limit', opts.limit, 1, opts.all ? 1_000_000 : 200)
      const { ctx, noun, api } = await nounContext(command, io, collection)
      const query = whereParams(opts.where)
      const base = { query, ...(opts.sort ? { sort: opts.sort } : {}) }
      const columns = opts.columns?.split(',').map((c) => c.trim()).filter(Boolean)
      if (opts.all) {
        const rows: Row[] = []
        for await (const row of api.all(filter as Record<string, unknown> | undefined, { ...base, pageSize: 200, ...(limit ? { limit } : {}) })) rows.push(row)
        emit(ctx, { data: rows, total: rows.length }, () => `${renderRows(noun, rows, io.columns, columns)}\n\n${plural(rows.length, noun.collection.replace(/s$/, ''), noun.collection)}`)
        return
      }
      const page = await api.list(filter as Record<string, unknown> | undefined, { ...base, ...(limit ? { limit } : {}), ...(opts.cursor ? { cursor: opts.cursor } : {}) })
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
      const { ctx, api } = await nounContext(command, io, collection)
      const include = opts.include?.split(',').map((s) => s.trim()).filter(Boolean)
      const entity = await api.get(id, { ...(include ? { include } : {}), ...(opts.asOf ? { asOf: opts.asOf } : {}) })
      emit(ctx, entity, () => renderEntity(entity))
    })

  program
    .command('create')
    .description('create an entity from --data JSON and/or field=value pairs')
    .argument('<collection>')
    .argument('[fields...]', 'field=value (typed by the field) or field:=<json>')
    .option('--data <json>', 'the entity as JSON')
    .action(async (collection: string, fields: string[], opts: { data?: string }, command: Command) => {
      const { ctx, nouns, noun, api } = await nounContext(command, io, collection)
      if (!noun.crud.create) throw new UsageError(`${noun.name} cannot be created over the API`)
      const entity = await api.create(await writeInput(nouns, noun, opts.data, fields))
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
      const { ctx, nouns, noun, api } = await nounContext(command, io, collection)
      if (!noun.crud.update) throw new UsageError(`${noun.name} cannot be updated`)
      const entity = await api.update(id, await writeInput(nouns, noun, opts.data, fields))
      emit(ctx, entity, () => `updated ${entity.$id} (version ${entity.$version})\n\n${renderEntity(entity)}`)
    })

  program
    .command('delete')
    .description('soft-delete an entity (admin keys)')
    .argument('<collection>')
    .argument('<id>')
    .action(async (collection: string, id: string, _opts: unknown, command: Command) => {
      const { ctx, noun, api } = await nounContext(command, io, collection)
      if (!noun.crud.delete) throw new UsageError(`${noun.name} cannot be deleted`)
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
