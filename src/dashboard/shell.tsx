/**
 * Every signed-in page: the header (who is signed in, the main nav, sign out), the page's heading
 * with its tools, the notices (a form's outcome), then the page. Settings is in the nav for admins only.
 */
import type { Child } from 'hono/jsx'
import type { Flash } from './flash'
import { Layout, Notices } from './layout'
import type { SignedIn } from './signed-in'

export type Section = 'my-day' | 'leads' | 'board' | 'settings' | 'records'

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
  children: Child
}

export function Shell({ s, title, heading, section, notices = [], tools, script, children }: ShellProps) {
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
          {tools}
        </div>
        <Notices notices={notices} />
        {children}
      </main>
      {script ? <script nonce={s.nonce} dangerouslySetInnerHTML={{ __html: script }} /> : null}
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
