/**
 * The search page: the hits of the header's search, best first, each with its kind, a link to its
 * page where it has one, and the stretch of text that matched with the matched words marked; "More
 * results" pages on. Without a query it only points at the box; what could not be searched is a notice.
 */
import type { SearchHit } from '../durable/search-index'
import type { Flash } from './flash'
import { SEARCH_TYPES, Shell } from './shell'
import type { SignedIn } from './signed-in'

export interface HitLink {
  href: string
  /** The name of the record the hit is about, when the link opens that record rather than the hit (an activity's deal). */
  about?: string
}

export interface SearchResults {
  hits: SearchHit[]
  offset: number
  next: string | null
  links: Map<string, HitLink>
}

export interface SearchPageProps {
  s: SignedIn
  q: string
  /** A SEARCH_TYPES value, or '' for every kind. */
  type: string
  notices: Flash[]
  results?: SearchResults
}

export function SearchPage({ s, q, type, notices, results }: SearchPageProps) {
  return (
    <Shell s={s} title={q ? `Search: ${q}` : 'Search'} heading="Search" section="search" notices={notices} search={{ q, type, focus: q === '' }}>
      {results ? (
        <Results s={s} q={q} type={type} results={results} />
      ) : q === '' && notices.length === 0 ? (
        <p class="hint">Type a name, an email address, a subject or words from a note in the search box, then press Enter.</p>
      ) : null}
    </Shell>
  )
}

const quoted = (v: string) => `“${v.length > 80 ? `${v.slice(0, 79)}…` : v}”`

function Results({ s, q, type, results }: { s: SignedIn; q: string; type: string; results: SearchResults }) {
  const kind = SEARCH_TYPES.find((t) => t.value === type)
  const scope = kind ? ` among ${kind.label.toLowerCase()}` : ''
  const href = (params: Record<string, string>) => `/~${s.slug}/dashboard/search?${new URLSearchParams({ q, ...(type ? { type } : {}), ...params })}`
  const { hits, offset, next, links } = results
  return (
    <section aria-labelledby="results-title">
      <h2 id="results-title">
        Results for {quoted(q)}
        {scope}
        {hits.length > 0 && (
          <span class="meta">
            {' '}
            ({offset + 1}–{offset + hits.length})
          </span>
        )}
      </h2>
      {hits.length === 0 ? (
        <div class="empty" data-nothing-found>
          {offset === 0 ? (
            <>
              <p>
                Nothing found for {quoted(q)}
                {scope}.
              </p>
              <p>Each word matches the beginning of a word: try fewer or shorter words{kind ? <>, or <a href={`/~${s.slug}/dashboard/search?${new URLSearchParams({ q })}`}>search every kind of record</a></> : null}.</p>
            </>
          ) : (
            <p>No more results.</p>
          )}
        </div>
      ) : (
        <ol class="hits">
          {hits.map((hit) => (
            <Hit hit={hit} link={links.get(hit.$id)} />
          ))}
        </ol>
      )}
      {(offset > 0 || next) && (
        <nav class="pager" aria-label="More search results">
          {offset > 0 && <a href={href({})}>First results</a>}
          {next && (
            <a href={href({ cursor: next })} rel="next">
              More results
            </a>
          )}
        </nav>
      )}
    </section>
  )
}

function Hit({ hit, link }: { hit: SearchHit; link: HitLink | undefined }) {
  const snippet = snippetHtml(hit.snippet)
  const name = hit.name || 'Untitled'
  // The snippet is the whole name (the name matched): the name itself shows the marks, once.
  const nameMarked = snippet !== undefined && hit.name !== '' && plainText(hit.snippet) === hit.name
  const title = nameMarked ? <span dangerouslySetInnerHTML={{ __html: snippet }} /> : name
  return (
    <li data-hit={hit.$id} data-type={hit.$type}>
      <p class="hit-head">
        <span class="kind">{hit.$type}</span>
        {link && !link.about ? <a href={link.href}>{title}</a> : <strong>{title}</strong>}
        {link?.about && (
          <span class="meta">
            about <a href={link.href}>{link.about}</a>
          </span>
        )}
      </p>
      {!nameMarked && (snippet === undefined ? <p class="snippet">{plainText(hit.snippet)}</p> : <p class="snippet" dangerouslySetInnerHTML={{ __html: snippet }} />)}
    </li>
  )
}

const MARK = /(<mark>|<\/mark>)/
const ENTITY = /&(?:amp|lt|gt|quot|#39);/g
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" }

/**
 * The index's snippet as markup, or undefined when it is not what the index makes. The tenant
 * object escapes the record's text and puts `<mark>` around the matched words
 * (src/durable/search-index.ts); that, and only that, is used as HTML here: text with no angle
 * bracket and no `&` but the escapes, and the marks, balanced (a record's own text could carry the
 * index's marker characters). Nothing else on the page is ever rendered raw.
 */
export function snippetHtml(snippet: string): string | undefined {
  let html = ''
  let open = false
  for (const part of snippet.split(MARK)) {
    if (part === '<mark>') {
      if (!open) html += part
      open = true
    } else if (part === '</mark>') {
      if (open) html += part
      open = false
    } else if (/[<>]/.test(part) || /&/.test(part.replace(ENTITY, ''))) return undefined
    else html += part
  }
  return open ? `${html}</mark>` : html
}

/** The snippet's text, marks dropped and escapes undone (the page escapes it again as text). */
const plainText = (snippet: string) => snippet.split(MARK).filter((p) => p !== '<mark>' && p !== '</mark>').join('').replace(ENTITY, (e) => ENTITIES[e]!)
