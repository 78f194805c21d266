/**
 * `GET /search?q=&type=&limit=&cursor=` (any key): full-text search across every noun of the tenant,
 * best matches first → `{ data: [{ $type, $id, name, snippet, score }], next }`. `type` narrows to
 * some nouns (names or collections, comma-separated). Case- and accent-insensitive, each word a
 * prefix; the query is words, never FTS syntax (src/domain/search.ts).
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { AppError } from '../../domain/errors'
import { MAX_QUERY_LENGTH, MAX_SEARCH_OFFSET } from '../../domain/search'
import { toFieldErrors } from '../../domain/noun/validators'
import { wholeNumberParam } from '../query-text'
import type { AppEnv } from '../types'


const SearchQuery = z.strictObject({
  q: z.string().min(1).max(MAX_QUERY_LENGTH),
  type: z
    .string()
    .max(500)
    .regex(/^[A-Za-z][A-Za-z0-9-]*(,[A-Za-z][A-Za-z0-9-]*)*$/, 'is a noun or collection, or several separated by commas')
    .optional(),
  limit: wholeNumberParam(1, 100).default(20),
  cursor: wholeNumberParam(1, MAX_SEARCH_OFFSET).optional(),
})

export const search = new Hono<AppEnv>()

search.get('/search', async (c) => {
  const parsed = SearchQuery.safeParse(c.req.query())
  if (!parsed.success) throw new AppError('invalid_query', 'the query is not valid', toFieldErrors(parsed.error))
  const { q, type, limit, cursor } = parsed.data
  return c.json(await c.var.tenant.run({ kind: 'search', q, types: type?.split(','), limit, offset: cursor ?? 0 }))
})
