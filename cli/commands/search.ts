/** `revline search <words…> [--type Contact,deals] [--limit n]`: full-text search across the tenant's nouns. */
import type { Command } from 'commander'
import { contextOf, emit, parseIntOption, type Io } from '../context'
import { table } from '../format'

/** The snippet as terminal text: the matched words in brackets, entities decoded. */
const plain = (snippet: string) =>
  snippet
    .replace(/<mark>/g, '[')
    .replace(/<\/mark>/g, ']')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')

export function register(program: Command, io: Io) {
  program
    .command('search <words...>')
    .description('full-text search across every noun: case- and accent-insensitive, each word a prefix, best matches first')
    .option('--type <nouns>', 'only these nouns (names or collections, comma-separated)')
    .option('--limit <n>', 'at most this many hits (1 to 100, default 20)')
    .action(async (words: string[], opts: { type?: string; limit?: string }, command: Command) => {
      const limit = parseIntOption('--limit', opts.limit, 1, 100)
      const ctx = contextOf(command, io)
      const page = await ctx.client.search(words.join(' '), { ...(opts.type ? { type: opts.type } : {}), ...(limit ? { limit } : {}) })
      emit(ctx, page, () => (page.data.length === 0 ? 'no matches' : table(['type', 'id', 'name', 'match'], page.data.map((h) => [h.$type, h.$id, h.name, plain(h.snippet)]))))
    })
}
