/**
 * `revline`: the command line over the SDK. Configuration from REVLINE_URL, REVLINE_TENANT and
 * REVLINE_API_KEY (flags --url, --tenant, --api-key override). Human tables by default, --json for
 * scripts. Exit codes: 0 ok, 1 the API refused, 2 usage error, 3 network error.
 */
import { Command, CommanderError, Option } from 'commander'
import { RevlineConfigError, RevlineError, RevlineNetworkError } from '../sdk'
import { register as bulk } from './commands/bulk'
import { register as events } from './commands/events'
import { register as leadScore } from './commands/lead-score'
import { register as manifest } from './commands/manifest'
import { register as nouns } from './commands/nouns'
import { register as pipeline } from './commands/pipeline'
import { register as proposal } from './commands/proposal'
import { register as records } from './commands/records'
import { register as types } from './commands/types'
import { register as team } from './commands/team'
import { register as search } from './commands/search'
import { register as verbs } from './commands/verbs'
import { CommandFailed, EXIT, processIo, UsageError, type Io } from './context'

export function buildProgram(io: Io): Command {
  const program = new Command('revline')
    .description('Revline CRM from the command line')
    .version('0.1.0')
    .addOption(new Option('--url <url>', 'API base URL').env('REVLINE_URL'))
    .addOption(new Option('--tenant <slug>', 'tenant slug').env('REVLINE_TENANT'))
    .addOption(new Option('--api-key <key>', 'API key').env('REVLINE_API_KEY'))
    .option('--json', 'machine-readable JSON output')
    .option('--retries <n>', 'retries on network errors and 5xx (default 3)')
    .showHelpAfterError('(run revline --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
  for (const register of [pipeline, leadScore, proposal, records, verbs, events, bulk, nouns, types, manifest, team, search]) register(program, io)
  // Subcommands (`nouns show`, `manifest push`) too: every level reports through `report`, never exits.
  const configure = (command: Command, path: string) => {
    for (const sub of command.commands) {
      sub.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).showHelpAfterError(`(run revline ${path}${sub.name()} --help for usage)`)
      configure(sub, `${path}${sub.name()} `)
    }
  }
  configure(program, '')
  program.addHelpText(
    'after',
    `
Examples:
  revline pipeline
  revline lead-score --company "ABC Corp"
  revline proposal --client "ABC Corp" --tier warrior
  revline list leads --where status=Qualified --where 'score[$gte]=60' --sort -score
  revline list contacts --filter '{"$or":[{"source":"website"},{"leadScore":{"$gt":70}}]}'
  revline get contacts contact_fX9bL5nRd --include organization,leads
  revline create contacts name="Alice Chen" email=alice@acme.dev stage=Lead
  revline do contact qualify contact_fX9bL5nRd
  revline do deal advance deal_k7TmPvQx1 stage=Negotiation
  revline nouns
  revline nouns put Project 'name=string!' budget=number 'status=Draft | Active' activate=Active
  revline create projects name=Portal budget=12000 && revline do project activate project_…
  revline nouns put Contact shoeSize=number# --merge
  revline types --out revline-types.d.ts
  revline manifest pull > revline.json && revline manifest push --dry-run --file revline.json
  revline events --type 'deal.*' --after 120 --follow
  revline events tail --type 'deal.*'
  revline import contacts.csv --into contacts
  revline export leads --format csv --out leads.csv

Exit codes: 0 ok · 1 API error · 2 usage error · 3 network error`,
  )
  return program
}

/** Runs the CLI; resolves to the exit code (never calls process.exit, so output is flushed). */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const program = buildProgram(io)
  try {
    await program.parseAsync(argv)
    return EXIT.ok
  } catch (error) {
    return report(error, io, argv.includes('--json'))
  }
}

/** A schema conflict's sample of the values in the way: ` (values: 38, 44)`. */
function conflictSample(error: object): string {
  const values = (error as { values?: unknown }).values
  return Array.isArray(values) && values.length ? ` (values: ${values.map((v) => JSON.stringify(v)).join(', ')})` : ''
}

function report(error: unknown, io: Io, json: boolean): number {
  const print = (code: number, message: string, lines: string[] = [], body?: unknown) => {
    if (json && body !== undefined) io.stderr(`${JSON.stringify({ error: body })}\n`)
    else io.stderr(`error: ${message}\n${lines.map((l) => `  ${l}\n`).join('')}`)
    return code
  }
  if (error instanceof CommanderError) {
    // Help and version are not errors; commander already printed what it had to say.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok
    return EXIT.usage
  }
  if (error instanceof RevlineNetworkError)
    return print(EXIT.network, `cannot reach the Revline API: ${error.detail}`, [], { code: error.code, detail: error.detail, attempts: error.attempts })
  if (error instanceof RevlineError) {
    const lines = error.errors.map((e) => `${e.path}: ${e.message}${conflictSample(e)}`)
    if (error.code === 'schema_conflict') {
      const names = error.errors.map((e) => e.path).filter((p) => /^[A-Za-z][A-Za-z0-9]*$/.test(p))
      if (names.length) lines.push(`to delete what is in the way, repeat with --drop ${names.join(',')}`)
    }
    if (error.requestId && error.status >= 500) lines.push(`request id: ${error.requestId}`)
    return print(EXIT.api, `${error.detail} (${error.status} ${error.code})`, lines, { status: error.status, code: error.code, detail: error.detail, errors: error.errors })
  }
  if (error instanceof UsageError || error instanceof RevlineConfigError)
    return print(EXIT.usage, error.message, error instanceof UsageError && error.hint ? [error.hint] : [], { code: 'usage', detail: error.message })
  if (error instanceof CommandFailed) return print(error.exitCode, error.message, error.details, { code: 'failed', detail: error.message, details: error.details })
  return print(EXIT.api, error instanceof Error ? (error.stack ?? error.message) : String(error))
}
