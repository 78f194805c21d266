/**
 * GET /dashboard/search?q=&type=&cursor=: the header's search box (issue 17), answered with the
 * tenant object's full-text index as the signed-in user. What the address carries that cannot be
 * searched (no words, too long, an unknown kind, a cursor that is no page, text no route should see)
 * is a notice on the page, never an error page.
 */
import { Hono, type Context } from 'hono'
import { AppError } from '../domain/errors'
import type { EntityRecord } from '../domain/engine/types'
import { MAX_QUERY_LENGTH, MAX_SEARCH_OFFSET } from '../domain/search'
import type { SearchHit } from '../durable/search-index'
import { queryTextProblems } from '../http/query-text'
import type { AppEnv } from '../http/types'
import type { Flash } from './flash'
import { recordHref } from './record-parts'
import { listOp, page, run, type SignedIn } from './request'
import { SearchPage, type HitLink } from './search-page'
import { SEARCH_TYPES } from './shell'

export const searchRoutes = new Hono<AppEnv>()

/** Hits per page. */
export const HITS_PER_PAGE = 20

/** The path this page answers (the dashboard's query-text check leaves it to the page: src/dashboard/routes.tsx). */
export const SEARCH_PATH = /^\/~[a-z0-9-]+\/dashboard\/search$/

const quoted = (v: string) => `“${v.length > 60 ? `${v.slice(0, 59)}…` : v}”`

searchRoutes.get(
  '/dashboard/search',
  page(async (c, s) => {
    const notices: Flash[] = []
    // NUL, unpaired surrogates, bytes that are not UTF-8: said, and not echoed back.
    if (queryTextProblems(new URL(c.req.url).search).length > 0) {
      notices.push({ kind: 'error', text: 'The search has characters that cannot be searched for. Type the words again.' })
      return c.html(<SearchPage s={s} q="" type="" notices={notices} />)
    }

    const typeParam = c.req.query('type') ?? ''
    const kind = typeParam === '' ? undefined : SEARCH_TYPES.find((t) => t.value === typeParam.toLowerCase() || t.noun.toLowerCase() === typeParam.toLowerCase())
    if (typeParam !== '' && !kind) notices.push({ kind: 'error', text: `There is no kind of record ${quoted(typeParam)} to search, so every kind was searched.` })
    const type = kind?.value ?? ''

    const cursorParam = c.req.query('cursor') ?? ''
    let offset = 0
    if (cursorParam !== '') {
      const n = /^\d{1,7}$/.test(cursorParam) ? Number(cursorParam) : NaN
      if (n >= 1 && n <= MAX_SEARCH_OFFSET) offset = n
      else notices.push({ kind: 'error', text: 'That page of results does not exist, so these are the first results.' })
    }

    const q = (c.req.query('q') ?? '').trim()
    if (q === '') return c.html(<SearchPage s={s} q="" type={type} notices={notices} />)
    if (q.length > MAX_QUERY_LENGTH) {
      notices.push({ kind: 'error', text: `That search is too long: use at most ${MAX_QUERY_LENGTH} characters.` })
      return c.html(<SearchPage s={s} q={q.slice(0, MAX_QUERY_LENGTH)} type={type} notices={notices} />)
    }

    let result: { data: SearchHit[]; next: string | null }
    try {
      result = await run(c, s, { kind: 'search', q, limit: HITS_PER_PAGE, offset, ...(kind ? { types: [kind.noun] } : {}) })
    } catch (error) {
      // The index answers 422 for a query with no words in it (`"`, `*`, `()`).
      if (!(error instanceof AppError) || (error.code !== 'validation_failed' && error.code !== 'invalid_query')) throw error
      notices.push({ kind: 'error', text: `${quoted(q)} has no words to search for: type at least one letter or digit.` })
      return c.html(<SearchPage s={s} q={q} type={type} notices={notices} />)
    }
    const links = await linksOf(c, s, result.data)
    return c.html(<SearchPage s={s} q={q} type={type} notices={notices} results={{ hits: result.data, offset, next: result.next, links }} />)
  }),
)

/**
 * Where each hit opens: contacts, leads and deals their own page; an activity the page of what it
 * is about (its deal, else its lead, else its contact: one list for the page's activities);
 * organizations and the tenant's own nouns have no page.
 */
async function linksOf(c: Context<AppEnv>, s: SignedIn, hits: SearchHit[]): Promise<Map<string, HitLink>> {
  const links = new Map<string, HitLink>()
  for (const hit of hits) {
    const href = recordHref(s.slug, { $type: hit.$type, $id: hit.$id } as EntityRecord)
    if (href) links.set(hit.$id, { href })
  }
  const activities = hits.filter((h) => h.$type === 'Activity').map((h) => h.$id)
  if (activities.length === 0) return links
  const params = { filter: JSON.stringify({ $id: { $in: activities } }), include: 'deal,lead,contact', limit: String(activities.length) }
  const { data } = await run<{ data: EntityRecord[] }>(c, s, listOp('Activity', params))
  for (const activity of data) {
    for (const [field, type] of [['deal', 'Deal'], ['lead', 'Lead'], ['contact', 'Contact']] as const) {
      const about = activity[field]
      if (about && typeof about === 'object') {
        const record = about as EntityRecord
        links.set(activity.$id, { href: recordHref(s.slug, { ...record, $type: type })!, about: String(record.name ?? record.$id) })
        break
      }
    }
  }
  return links
}
