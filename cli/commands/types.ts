/** `revline types [--out revline-types.d.ts]`: TypeScript types for the tenant's nouns, from `GET /nouns`. */
import { writeFileSync } from 'node:fs'
import type { Command } from 'commander'
import { contextOf, emit, UsageError, type Io } from '../context'
import { generateTypes } from '../dts'
import { plural } from '../format'

export function register(program: Command, io: Io) {
  program
    .command('types')
    .description("write a .d.ts of the tenant's nouns (custom nouns and fields included) for client.noun<T>()")
    .option('--out <file>', 'where to write it (- for stdout)', 'revline-types.d.ts')
    .action(async (opts: { out: string }, command: Command) => {
      if (!opts.out) throw new UsageError('--out needs a file name (or - for stdout)')
      const ctx = contextOf(command, io)
      const schema = await ctx.client.nouns.list()
      const text = generateTypes(schema, { tenant: ctx.tenant })
      if (opts.out === '-') return ctx.out(text)
      try {
        writeFileSync(opts.out, text)
      } catch (error) {
        throw new UsageError(`cannot write '${opts.out}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
      }
      const own = schema.data.filter((n) => !n.builtIn).length
      emit(ctx, { out: opts.out, version: schema.version, nouns: schema.data.map((n) => n.name) }, () => `wrote ${opts.out}: ${plural(schema.data.length, 'noun')} (${own} of the tenant's own), schema version ${schema.version}`)
    })
}
