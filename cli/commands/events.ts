/**
 * `revline events [--type deal.*] [--entity id] [--after seq] [--follow]`: the event log;
 * `revline events tail [--type deal.*] [--entity id] [--after seq]`: events as they happen;
 * `revline events verify`: recompute the log's hash chain (exit 1 when it does not verify).
 * Both live forms read the live feed (`GET /events/stream`) through the SDK's `events.subscribe`,
 * which resumes after the last printed event by itself when the connection drops.
 */
import type { Command } from 'commander'
import type { EventQuery, FeedQuery, RevlineEvent } from '../../sdk'
import { contextOf, parseIntOption, UsageError, type Context, type Io } from '../context'
import { table } from '../format'

const line = (e: RevlineEvent) => `${String(e.seq).padStart(6)}  ${e.at}  ${e.type.padEnd(24)}  ${e.entityId}${e.cause ? `  (caused by ${e.cause})` : ''}`

interface FilterOptions {
  type?: string
  entity?: string
  actor?: string
  after?: string
}

const filterOf = (opts: FilterOptions): EventQuery => {
  const after = parseIntOption('--after', opts.after, 0, Number.MAX_SAFE_INTEGER)
  return { ...(opts.type ? { type: opts.type } : {}), ...(opts.entity ? { entity: opts.entity } : {}), ...(opts.actor ? { actor: opts.actor } : {}), ...(after !== undefined ? { after } : {}) }
}

export function register(program: Command, io: Io) {
  const events = program
    .command('events')
    .description("read the event log; --follow then prints new events as they happen; 'events tail' prints only new ones (Ctrl-C stops)")
    .option('--type <type>', 'deal.won, deal.* for every verb of a noun, or several: lead.*,deal.won')
    .option('--entity <id>', 'events of one entity')
    .option('--actor <id>', 'events by one actor (user_…, or key_… for a service key)')
    .option('--after <seq>', 'events after this position')
    .option('--limit <n>', 'at most this many (1 to 500, default 100; without --follow)')
    .option('--follow', 'then keep printing new events as they happen (the live feed; resumes by itself after a drop)')
    .action(async (opts: FilterOptions & { limit?: string; follow?: boolean }, command: Command) => {
      const query = filterOf(opts)
      const limit = parseIntOption('--limit', opts.limit, 1, 500)
      const ctx = contextOf(command, io)
      // The log so far (from --after, or from the start), then live.
      if (opts.follow) return printLive(ctx, { ...query, after: query.after ?? 0 })

      const page = await ctx.client.events.list({ ...query, ...(limit ? { limit } : {}) })
      if (ctx.json) return ctx.out(`${JSON.stringify(page, null, 2)}\n`)
      if (page.data.length === 0) return ctx.out('no events\n')
      const rows = page.data.map((e) => [e.seq, e.at, e.type, e.entityId, e.cause ?? ''])
      ctx.out(`${table([{ header: 'seq', align: 'right' }, 'at', 'type', 'entity', 'cause'], rows)}\n`)
      if (page.next) ctx.out(`\nmore: --after ${page.next}\n`)
    })

  events
    .command('tail')
    .description('print events as they happen, one line each (--json: one JSON object per line); resumes by itself after a dropped connection; Ctrl-C stops')
    .option('--type <type>', 'deal.won, deal.* for every verb of a noun, or several: lead.*,deal.won')
    .option('--entity <id>', 'events of one entity')
    .option('--actor <id>', 'events by one actor (user_…, or key_… for a service key)')
    .option('--after <seq>', 'first the events after this position (default: only new events)')
    .action(async (own: FilterOptions, command: Command) => {
      // Commander hands options written after `tail` to `events` when it knows them too: read both.
      const opts = { ...(command.parent?.opts() as FilterOptions & { limit?: string; follow?: boolean }), ...own }
      if (opts.limit !== undefined || opts.follow) throw new UsageError(`'events tail' takes neither --limit nor --follow: it prints events as they happen until Ctrl-C`)
      await printLive(contextOf(command, io), filterOf(opts))
    })

  registerVerify(events, io)
}

function registerVerify(events: Command, io: Io) {
  events
    .command('verify')
    .description("recompute the log's hash chain (admin keys): prints the head, or the first event that does not verify and exits 1")
    .action(async (_opts: unknown, command: Command) => {
      const ctx = contextOf(command, io)
      const result = await ctx.client.events.verify()
      if (ctx.json) ctx.out(`${JSON.stringify(result, null, 2)}
`)
      else if (result.ok) ctx.out(`ok: ${result.count} events, head ${result.head}
`)
      else ctx.out(`NOT OK at seq ${result.seq}: ${result.reason}
${result.count} events verified before it, up to head ${result.head}
`)
      if (!result.ok) process.exitCode = 1
    })
}

/** Prints the feed from `query.after` (or from now) until Ctrl-C, which is a clean exit 0. */
async function printLive(ctx: Context, query: FeedQuery) {
  const stop = new AbortController()
  const onSignal = () => stop.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  // Node's fetch can leave a body read that an abort interrupted unsettled; with no timer or
  // socket left, Node would then end the process with 13 (an unsettled top-level await). Ending
  // on the abort itself, whatever the read in flight does, makes Ctrl-C a clean exit 0.
  const stopped = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }))
  const subscription = ctx.client.events.subscribe(query, (event) => ctx.out(ctx.json ? `${JSON.stringify(event)}\n` : `${line(event)}\n`), {
    signal: stop.signal,
    onError: (error, { phase, attempt, retryInMs }) => {
      // A person watching should know the feed is catching up, not silently stuck; scripts read stdout.
      if (phase === 'connection' && !ctx.json && attempt > 1)
        ctx.err(`(connection lost: ${error instanceof Error ? error.message : String(error)}; resuming in ${retryInMs} ms)\n`)
    },
  })
  try {
    await Promise.race([subscription.closed, stopped])
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
