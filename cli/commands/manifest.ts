/**
 * `revline manifest pull > revline.json` and `revline manifest push [--dry-run] [--file revline.json]`:
 * the tenant's nouns, stages and settings as one document, kept in a repository and applied all or
 * nothing (admin keys).
 */
import type { Command } from 'commander'
import type { ManifestResult } from '../../sdk'
import { contextOf, emit, parseJsonOption, readInput, UsageError, type Io } from '../context'
import { cell, plural, table } from '../format'

function renderChanges(result: ManifestResult): string {
  if (result.changes.length === 0) return result.dryRun ? 'no changes (dry run)' : 'no changes: the tenant already matches the manifest'
  const rows = result.changes.map((c) => [c.change, c.path, c.before === undefined ? '' : cell(c.before), c.after === undefined ? '' : cell(c.after)])
  const summary = result.dryRun
    ? `${plural(result.changes.length, 'change')} would be made (dry run: nothing changed)`
    : `applied ${plural(result.changes.length, 'change')}${result.version !== undefined ? ` (version ${result.version})` : ''}`
  return `${table(['Change', 'Path', 'Before', 'After'], rows)}\n\n${summary}`
}

export function register(program: Command, io: Io) {
  const manifest = program.command('manifest').description("the tenant's nouns, stages and settings as one JSON document (pull, push)")

  manifest
    .command('pull')
    .description('print the manifest as JSON (revline manifest pull > revline.json)')
    .action(async (_opts: unknown, command: Command) => {
      const ctx = contextOf(command, io)
      ctx.out(`${JSON.stringify(await ctx.client.manifest.get(), null, 2)}\n`)
    })

  manifest
    .command('push')
    .description('apply a manifest all or nothing, and print what changed (--dry-run: only what would)')
    .option('--file <path>', 'the manifest (default: standard input; - for stdin)')
    .option('--dry-run', 'change nothing, list the changes')
    .action(async (opts: { file?: string; dryRun?: boolean }, command: Command) => {
      const doc = parseJsonOption(opts.file ? `--file ${opts.file}` : 'the manifest on stdin', await readInput(io, opts.file, 'the manifest'))
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new UsageError('the manifest must be a JSON object ({ "revline": 1, "nouns": …, "stages": …, "settings": … })')
      const ctx = contextOf(command, io)
      const result = await ctx.client.manifest.put(doc, { dryRun: Boolean(opts.dryRun) })
      emit(ctx, result, () => renderChanges(result))
    })
}
