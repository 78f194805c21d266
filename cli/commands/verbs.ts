/** `revline do <noun> <verb> [id]`: run a verb (`do contact qualify contact_…`, `do contact capture email=…`). */
import type { Command } from 'commander'
import { MANIFEST } from '../../sdk'
import { contextOf, emit, UsageError, type Io } from '../context'
import { nounOf } from '../nouns'
import { inputOf, renderEntity } from './records'

type Row = Record<string, unknown> & { $id: string; $version: number }

export function register(program: Command, io: Io) {
  program
    .command('do')
    .description('run a verb: instance verbs take an id, collection verbs (capture) do not')
    .argument('<noun>', 'contact, lead, deal, … (or the collection)')
    .argument('<verb>', 'qualify, convert, win, advance, …')
    .argument('[args...]', 'the id (instance verbs), then field=value input pairs')
    .option('--data <json>', 'the verb input as JSON')
    .action(async (nounName: string, verb: string, args: string[], opts: { data?: string }, command: Command) => {
      const noun = nounOf(nounName)
      const spec = MANIFEST[noun]
      const verbs = spec.verbs as Record<string, { scope: 'instance' | 'collection'; input: Record<string, string> }>
      const crud = verb === 'restore' && spec.crud.delete ? { scope: 'instance' as const, input: {} } : undefined
      const verbSpec = verbs[verb] ?? crud
      if (!verbSpec) throw new UsageError(`${noun} has no verb '${verb}'`, `verbs of ${noun}: ${[...Object.keys(verbs), ...(spec.crud.delete ? ['restore'] : [])].join(', ') || 'none'} (create/update/delete have their own commands)`)
      let id: string | undefined
      let pairs = args
      if (verbSpec.scope === 'instance') {
        id = args[0]
        if (!id || id.includes('=')) throw new UsageError(`${noun}.${verb} needs an id: revline do ${nounName} ${verb} <id> [field=value …]`)
        pairs = args.slice(1)
      }
      const input = inputOf(opts.data, pairs, verbSpec.input)
      const ctx = contextOf(command, io)
      const fn = (ctx.client[noun] as unknown as Record<string, (...a: unknown[]) => Promise<Row>>)[verb]!
      const entity = id ? await fn(id, input) : await fn(input)
      emit(ctx, entity, () => `${noun}.${verb} ✓ ${entity.$id} (version ${entity.$version})\n\n${renderEntity(entity)}`)
    })
}
