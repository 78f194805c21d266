/** `GET /search`: full-text search across the tenant's nouns (issue 17). */
import { MAX_QUERY_LENGTH, MAX_SEARCH_OFFSET } from '../../domain/search'
import type { Paths } from './components'
import { get } from './tenant-routes'

export function searchPaths(): Paths {
  const q = (name: string, schema: Record<string, unknown>, description: string, required = false) => ({ name, in: 'query', required, description, schema })
  return {
    '/search': {
      get: get(
        'Search',
        'search',
        'Full-text search across every noun',
        {
          type: 'object',
          required: ['data', 'next'],
          properties: {
            data: {
              type: 'array',
              items: {
                type: 'object',
                required: ['$type', '$id', 'name', 'snippet', 'score'],
                properties: {
                  $type: { type: 'string', examples: ['Contact'] },
                  $id: { type: 'string' },
                  name: { type: 'string', description: 'The record’s name (or title, subject, email).' },
                  snippet: { type: 'string', description: 'A stretch of the matching text, HTML-escaped, the matched words in `<mark>`.' },
                  score: { type: 'number', description: 'Relevance (bm25; the name weighs 10 to 1 over the other text). Higher is better.' },
                },
              },
            },
            next: { type: ['string', 'null'], description: 'The `cursor` of the next page.' },
          },
        },
        {
          description:
            'Case- and accent-insensitive (`zoe angstrom` finds “Zoë Ångström”); every word is a prefix (`ali` finds Alice and Alistair) and all must match. The query is plain words: quotes, operators and column filters only separate words. Names, emails, titles, subjects, bodies and notes are searched; deleted records are not.',
          parameters: [
            q('q', { type: 'string', minLength: 1, maxLength: MAX_QUERY_LENGTH }, 'The words to find.', true),
            q('type', { type: 'string' }, 'Only these nouns: names or collections, comma-separated (`Contact,deals`).'),
            q('limit', { type: 'integer', minimum: 1, maximum: 100 }, 'At most this many hits (default 20).'),
            q('cursor', { type: 'integer', minimum: 1, maximum: MAX_SEARCH_OFFSET }, 'The `next` of the previous page.'),
          ],
        },
      ),
    },
  }
}
