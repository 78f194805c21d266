/** `revline events [--type deal.*] [--entity id] [--after seq] [--follow]`: the event log. */
import type { Command } from 'commander'
import type { EventQuery, RevlineEvent } from '../../sdk'
import { contextOf, parseIntOption, type Io } from '../context'
import { table } from '../format'

const line = (e: RevlineEvent) => `${String(e.seq).padStart(6)}  ${e.at}  ${e.type.padEnd(24)}  ${e.entityId}${e.cause ? `  (caused by ${e.cause})` : ''}`

export function register(program: Command, io: Io) {
  program
    .command('events')
    .description('read the event log; --follow keeps polling for new events (Ctrl-C stops)')
    .option('--type <type>', 'deal.won, or deal.* for every verb of a noun')
    .option('--entity <id>', 'events of one entity')
    .option('--actor <keyId>', 'events by one API key')
    .option('--after <seq>', 'events after this position')
    .option('--limit <n>', 'at most this many (1 to 500, default 100; without --follow)')
    .option('--follow', 'print new events as they happen (polls with after=<last seq>)')
    .option('--interval <ms>', 'polling interval for --follow (default 1000)')
    .action(async (opts: { type?: string; entity?: string; actor?: string; after?: string; limit?: string; follow?: boolean; interval?: string }, command: Command) => {
      const after = parseIntOption('--after', opts.after, 0, Number.MAX_SAFE_INTEGER)
      const limit = parseIntOption('--limit', opts.limit, 1, 500)
      const interval = parseIntOption('--interval', opts.interval, 100, 600_000)
      const ctx = contextOf(command, io)
      const query: EventQuery = { ...(opts.type ? { type: opts.type } : {}), ...(opts.entity ? { entity: opts.entity } : {}), ...(opts.actor ? { actor: opts.actor } : {}), ...(after !== undefined ? { after } : {}) }

      if (opts.follow) {
        const stop = new AbortController()
        const onSignal = () => stop.abort()
        process.once('SIGINT', onSignal)
        process.once('SIGTERM', onSignal)
        // Node's fetch can leave a body read that an abort interrupted unsettled; with no timer or
        // socket left, Node would then end the process with 13 (an unsettled top-level await). Ending
        // on the abort itself, whatever the poll in flight does, makes Ctrl-C a clean exit 0.
        const stopped = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }))
        const printAll = async () => {
          for await (const event of ctx.client.events.follow(query, { signal: stop.signal, ...(interval ? { intervalMs: interval } : {}) }))
            ctx.out(ctx.json ? `${JSON.stringify(event)}\n` : `${line(event)}\n`)
        }
        const printing = printAll()
        printing.catch(() => {}) // after Ctrl-C its abort error is expected, and nobody awaits it
        try {
          await Promise.race([printing, stopped])
        } catch (error) {
          // Ctrl-C while a poll is in flight aborts that request: a normal end, not an error.
          if (!stop.signal.aborted) throw error
        } finally {
          process.off('SIGINT', onSignal)
          process.off('SIGTERM', onSignal)
        }
        return
      }

      const page = await ctx.client.events.list({ ...query, ...(limit ? { limit } : {}) })
      if (ctx.json) return ctx.out(`${JSON.stringify(page, null, 2)}\n`)
      if (page.data.length === 0) return ctx.out('no events\n')
      const rows = page.data.map((e) => [e.seq, e.at, e.type, e.entityId, e.cause ?? ''])
      ctx.out(`${table([{ header: 'seq', align: 'right' }, 'at', 'type', 'entity', 'cause'], rows)}\n`)
      if (page.next) ctx.out(`\nmore: --after ${page.next}\n`)
    })
}
