/** `revline do <noun> <verb> [id]`: run a verb of any noun (`do contact qualify contact_…`, `do project activate project_…`). */
import type { Command } from 'commander'
import { emit, UsageError, type Io } from '../context'
import { nounContext, renderEntity, writeInput } from './records'

export function register(program: Command, io: Io) {
  program
    .command('do')
    .description('run a verb: instance verbs take an id, collection verbs (capture) do not')
    .argument('<noun>', 'contact, lead, deal, project, … (or the collection)')
    .argument('<verb>', 'qualify, convert, win, advance, …')
    .argument('[args...]', 'the id (instance verbs), then field=value input pairs')
    .option('--data <json>', 'the verb input as JSON')
    .action(async (nounName: string, verb: string, args: string[], opts: { data?: string }, command: Command) => {
      const { ctx, nouns, noun, api } = await nounContext(command, io, nounName)
      const restore = verb === 'restore' && noun.crud.delete ? { scope: 'instance' as const, input: {} } : undefined
      const verbSpec = Object.hasOwn(noun.verbs, verb) ? noun.verbs[verb]! : restore
      if (!verbSpec) throw new UsageError(`${noun.name} has no verb '${verb}'`, `verbs of ${noun.name}: ${[...Object.keys(noun.verbs), ...(noun.crud.delete ? ['restore'] : [])].join(', ') || 'none'} (create/update/delete have their own commands)`)
      let id: string | undefined
      let pairs = args
      if (verbSpec.scope === 'instance') {
        id = args[0]
        if (!id || id.includes('=')) throw new UsageError(`${noun.name}.${verb} needs an id: revline do ${nounName} ${verb} <id> [field=value …]`)
        pairs = args.slice(1)
      }
      // Verb inputs are typed by the verb's declared input; a collection verb may also take the noun's fields.
      const input = await writeInput(nouns, noun, opts.data, pairs, (n) => ({ ...n.fields, ...verbSpec.input }))
      const entity = id ? await api.verb(id, verb, input) : await api.collectionVerb(verb, input)
      emit(ctx, entity, () => `${noun.name}.${verb} ✓ ${entity.$id} (version ${entity.$version})\n\n${renderEntity(entity)}`)
    })
}
