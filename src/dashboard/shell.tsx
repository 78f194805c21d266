/**
 * Every signed-in page: the header (who is signed in, the main nav, the search box, sign out), the
 * page's heading with its tools, the notices (a form's outcome), then the page. Settings is in the
 * nav for admins only.
 */
import type { Child } from 'hono/jsx'
import type { Flash } from './flash'
import { Layout, Notices } from './layout'
import { LiveScript, LiveStatus, type LiveFeed } from './live'
import type { SignedIn } from './signed-in'

export type Section = 'my-day' | 'leads' | 'board' | 'settings' | 'records' | 'search'

const NAV: { id: Section; label: string; path: string; admin?: boolean }[] = [
  { id: 'my-day', label: 'My day', path: 'my-day' },
  { id: 'leads', label: 'Leads', path: 'crm' },
  { id: 'board', label: 'Board', path: 'board' },
  { id: 'settings', label: 'Settings', path: 'settings', admin: true },
]

export interface ShellProps {
  s: SignedIn
  /** The document title's first part and, unless `heading` is given, the page's h1. */
  title: string
  heading?: Child
  section: Section
  notices?: Flash[]
  /** Buttons or links beside the heading (Add Lead). */
  tools?: Child
  /** The page's own script, run under this response's nonce. */
  script?: string
  /** What the search box shows: the search page's own query. */
  search?: SearchBoxValue
  /** The page follows the live feed: its `data-live` parts are read again after these events (live.tsx). */
  live?: LiveFeed
  children: Child
}

export function Shell({ s, title, heading, section, notices = [], tools, script, search, live, children }: ShellProps) {
  const base = `/~${s.slug}/dashboard`
  return (
    <Layout title={`${title} · ${s.slug} · Revline`} nonce={s.nonce}>
      <header class="top">
        <a class="brand" href={`${base}/my-day`}>
          Revline · {s.slug}
        </a>
        <nav class="main" aria-label="Main">
          <ul>
            {NAV.filter((item) => !item.admin || s.me.role === 'admin').map((item) => (
              <li>
                <a href={`${base}/${item.path}`} aria-current={item.id === section ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <SearchBox slug={s.slug} value={search} />
        <div class="who">
          <span data-signed-in={s.me.id}>
            Signed in as{' '}
            <a href={`${base}/account`} title="Your account: passkeys">
              <strong>{s.me.name}</strong>
            </a>{' '}
            <span class="role">{s.me.userRole}</span>
          </span>
          <SignOut tenant={s.slug} csrf={s.csrf} />
        </div>
      </header>
      <main id="main">
        <div class="page-head">
          <h1>{heading ?? title}</h1>
          {live ? <LiveStatus s={s} live={live} /> : null}
          {tools}
        </div>
        <Notices notices={notices} />
        {children}
      </main>
      {script ? <script nonce={s.nonce} dangerouslySetInnerHTML={{ __html: script }} /> : null}
      {live ? <LiveScript s={s} /> : null}
    </Layout>
  )
}

/** A refusal inside the workspace (403 for a member on an admin page, 404 for a record that is not there). */
export function ProblemPage({ s, title, text }: { s: SignedIn; title: string; text: string }) {
  return (
    <Shell s={s} title={title} section="records">
      <section>
        <p>{text}</p>
        <p>
          <a href={`/~${s.slug}/dashboard/my-day`}>Back to My day</a>
        </p>
      </section>
    </Shell>
  )
}

/** The kinds of record the search box offers, by the collection name its `type` parameter carries. */
export const SEARCH_TYPES: { value: string; noun: string; label: string }[] = [
  { value: 'contacts', noun: 'Contact', label: 'Contacts' },
  { value: 'leads', noun: 'Lead', label: 'Leads' },
  { value: 'deals', noun: 'Deal', label: 'Deals' },
  { value: 'organizations', noun: 'Organization', label: 'Organizations' },
  { value: 'activities', noun: 'Activity', label: 'Activities' },
]

export interface SearchBoxValue {
  q: string
  /** One of SEARCH_TYPES' values, or '' for all. */
  type: string
  /** The box takes the focus (the search page without a query). */
  focus?: boolean
}

/**
 * The header's search: a plain GET form to /dashboard/search (no script needed), its box and the
 * kind of record each with a label a screen reader announces.
 */
export function SearchBox({ slug, value }: { slug: string; value?: SearchBoxValue | undefined }) {
  return (
    <form class="search" role="search" aria-label="Records" method="get" action={`/~${slug}/dashboard/search`}>
      <label class="visually-hidden" for="search-q">
        Search records
      </label>
      <input id="search-q" type="search" name="q" value={value?.q ?? ''} placeholder="Search records" maxlength={500} autocomplete="off" enterkeyhint="search" autofocus={value?.focus === true} />
      <label class="visually-hidden" for="search-type">
        Kind of record
      </label>
      <select id="search-type" name="type">
        <option value="">All</option>
        {SEARCH_TYPES.map((t) => (
          <option value={t.value} selected={value?.type === t.value}>
            {t.label}
          </option>
        ))}
      </select>
      <button type="submit" class="secondary">
        Search
      </button>
    </form>
  )
}

/** The sign-out button: a form post with the session's CSRF token. */
export function SignOut({ tenant, csrf }: { tenant: string; csrf: string }) {
  return (
    <form method="post" action={`/~${tenant}/dashboard/logout`}>
      <input type="hidden" name="csrf" value={csrf} />
      <button type="submit" class="secondary">
        Sign out
      </button>
    </form>
  )
}
