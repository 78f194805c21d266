/**
 * `revline nouns`: the tenant's schema in the Noun DSL. `nouns` lists every noun, `nouns show Project`
 * one definition, `nouns put Project name=string! activate=Active` (or `--file project.json`) defines
 * a noun or a built-in noun's custom fields, `nouns delete Project --drop Project` removes one.
 */
import type { Command } from 'commander'
import type { NounBody, NounView, SchemaChange } from '../../sdk'
import { contextOf, emit, parseJsonOption, readInput, RevlineErrorGuard, UsageError, type Io } from '../context'
import { declaredVerbs } from '../dsl'
import { plural, table } from '../format'

const collect = (value: string, previous: string[] = []) => [...previous, value]
const names = (values: string[]) => values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)

/** The tenant's fields of a noun (for a noun of its own, every field), verbs left out. */
function customFieldsOf(view: NounView): string[] {
  return Object.entries(view.custom)
    .filter(([name, dsl]) => dsl !== null && !declaredVerbs(view.custom).includes(name))
    .map(([name]) => name)
}

function renderNoun(view: NounView): string {
  const kind = view.builtIn ? 'built-in' : 'custom'
  // A built-in noun marks the tenant's fields; every field of a noun of the tenant's own is its own.
  const fields = Object.entries(view.definition).filter(([name, dsl]) => dsl !== null && !declaredVerbs(view.definition).includes(name))
  const body = view.builtIn
    ? table(['Field', 'DSL', 'Custom'], fields.map(([name, dsl]) => [name, dsl, Object.hasOwn(view.custom, name) ? 'yes' : '']), 60)
    : table(['Field', 'DSL'], fields, 60)
  const verbs = declaredVerbs(view.definition).map((v) => `${v} → ${view.definition[v]}`)
  const off = Object.entries(view.definition).filter(([, dsl]) => dsl === null).map(([name]) => name)
  return [
    `${view.name} (${kind}) · /${view.collection} · ids ${view.idPrefix}_…`,
    '',
    body,
    '',
    `verbs: ${verbs.join(', ') || 'none'}${off.length ? ` · switched off: ${off.join(', ')}` : ''}`,
  ].join('\n')
}

/** `name=string!`, `priority=int = 3`, `activate=Active`, `delete=null` → a noun body. */
export function bodyOf(pairs: readonly string[]): NounBody {
  const body: NounBody = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new UsageError(`expected field=dsl, got '${pair}'`, "e.g. budget=number 'name=string!' status='Draft | Active' activate=Active")
    const value = pair.slice(eq + 1).trim()
    body[pair.slice(0, eq).trim()] = value === 'null' ? null : value
  }
  return body
}

function changeSummary(verb: string, name: string, change: SchemaChange): string {
  const parts = [`${verb} ${name} (schema version ${change.version})`]
  if (change.migrated) parts.push(`${plural(change.migrated, 'row')} migrated`)
  if (change.dropped) parts.push(`${plural(change.dropped, 'record')} dropped`)
  return parts.join(' · ')
}

export function register(program: Command, io: Io) {
  const nouns = program.command('nouns').description("the tenant's nouns and their fields in the Noun DSL (list, show, put, delete)")

  const show = async (name: string, command: Command) => {
    const ctx = contextOf(command, io)
    const view = await ctx.client.nouns.get(name)
    emit(ctx, view, () => renderNoun(view))
  }

  nouns
    .command('list', { isDefault: true })
    .description('every noun: name, collection, built-in or custom, custom fields (`revline nouns Project` shows one)')
    .argument('[name]', 'one noun to show, as `nouns show <name>` does')
    .action(async (name: string | undefined, _opts: unknown, command: Command) => {
      if (name) return show(name, command)
      const ctx = contextOf(command, io)
      const schema = await ctx.client.nouns.list()
      emit(ctx, schema, () => {
        const rows = schema.data.map((n) => [n.name, `/${n.collection}`, n.builtIn ? 'built-in' : 'custom', customFieldsOf(n).join(', ')])
        return `${table(['Name', 'Collection', 'Kind', 'Custom fields'], rows, 80)}\n\nschema version ${schema.version}`
      })
    })

  nouns
    .command('show')
    .description("one noun's definition: fields in the DSL (custom ones marked), verbs")
    .argument('<name>', 'Project, Contact, …')
    .action((name: string, _opts: unknown, command: Command) => show(name, command))

  nouns
    .command('put')
    .description("define a noun of the tenant's own, or a built-in noun's custom fields (replaces them; --merge adds)")
    .argument('<name>', 'Project (a new noun) or Contact (custom fields)')
    .argument('[fields...]', "field=dsl pairs: 'name=string!' budget=number 'status=Draft | Active' activate=Active")
    .option('--file <path>', 'the definition as a JSON object (- for stdin); pairs go on top')
    .option('--merge', 'keep the fields already defined and add or change the ones given')
    .option('--drop <names>', 'fields whose stored values may be deleted (repeatable or a,b)', collect, [])
    .action(async (name: string, pairs: string[], opts: { file?: string; merge?: boolean; drop: string[] }, command: Command) => {
      if (opts.file === undefined && pairs.length === 0) throw new UsageError('give the definition: field=dsl pairs or --file <path>', `revline nouns put ${name} 'name=string!' budget=number activate=Active`)
      const fromFile = opts.file === undefined ? {} : parseJsonOption('--file', await readInput(io, opts.file, 'the definition'))
      if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) throw new UsageError('--file must hold a JSON object of field → DSL')
      const ctx = contextOf(command, io)
      const current = opts.merge ? await ctx.client.nouns.get(name).then((v) => v.custom, RevlineErrorGuard(404, {})) : {}
      const body = { ...current, ...(fromFile as NounBody), ...bodyOf(pairs) }
      const change = await ctx.client.nouns.put(name, body, { drop: names(opts.drop) })
      emit(ctx, change, () => `${changeSummary('saved', name, change)}\n\n${change.noun ? renderNoun(change.noun) : ''}`)
    })

  nouns
    .command('delete')
    .description("delete a noun of the tenant's own; its records go only with --drop <Name>")
    .argument('<name>')
    .option('--drop <names>', 'the noun itself, to delete its records with it', collect, [])
    .action(async (name: string, opts: { drop: string[] }, command: Command) => {
      const ctx = contextOf(command, io)
      const change = await ctx.client.nouns.delete(name, { drop: names(opts.drop) })
      emit(ctx, change, () => changeSummary('deleted', name, change))
    })
}
