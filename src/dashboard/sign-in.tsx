/**
 * Following a sign-in link (an invitation or an email sign-in):
 *   GET  /auth/link?token=…   a page with one button; nothing is spent yet, so a mail scanner
 *                            that fetches every link cannot use it up
 *   POST /auth/link           spends the link (single use, 15 minutes; 7 days for an invitation),
 *                            opens a session (cookie) and lands on the dashboard
 * The POST must come from this origin (hono/csrf checks Origin), so another site cannot sign a
 * visitor in to an account of its choosing.
 */
import { Hono } from 'hono'
import { csrf as originCheck } from 'hono/csrf'
import { AppError } from '../domain/errors'
import { SESSION_TTL_MS } from '../durable/accounts'
import type { Outcome } from '../durable/operations'
import type { SignedIn } from '../durable/people-ops'
import { readForm } from '../http/body'
import { sha256Hex } from '../http/crypto'
import { newSessionToken, setSessionCookie } from '../http/session-cookie'
import { tenantSlug, valueOf } from '../http/tenant'
import type { AppEnv } from '../http/types'
import { Layout } from './layout'
import { dashboardHeaders } from './security-headers'

export const signInPages = new Hono<AppEnv>()
signInPages.use('/auth/link', dashboardHeaders, originCheck())

const TOKEN = /^[A-Za-z0-9_-]{43}$/

function LinkPage({ tenant, token, error, nonce }: { tenant: string; token?: string; error?: string; nonce: string | undefined }) {
  return (
    <Layout title={`Sign in · ${tenant} · Revline`} nonce={nonce}>
      <main id="main">
        <section class="login">
          <h1>Sign in to {tenant}</h1>
          {error ? (
            <>
              <p class="notice" role="alert">
                {error}
              </p>
              <p>
                <a href={`/~${tenant}/dashboard/login`}>Ask for a new sign-in link</a>
              </p>
            </>
          ) : (
            <form method="post" action={`/~${tenant}/auth/link`}>
              <input type="hidden" name="token" value={token} />
              <p>Continue to sign in to Revline for {tenant}. The link works once.</p>
              <p>
                <button type="submit">Sign in</button>
              </p>
            </form>
          )}
        </section>
      </main>
    </Layout>
  )
}

signInPages.get('/auth/link', (c) => {
  const tenant = tenantSlug(c)
  const token = c.req.query('token') ?? ''
  const nonce = c.get('secureHeadersNonce')
  if (!TOKEN.test(token)) return c.html(<LinkPage tenant={tenant} error="This sign-in link is not valid." nonce={nonce} />, 400)
  return c.html(<LinkPage tenant={tenant} token={token} nonce={nonce} />)
})

signInPages.post('/auth/link', async (c) => {
  const tenant = tenantSlug(c)
  const nonce = c.get('secureHeadersNonce')
  const form = await readForm(c)
  const token = typeof form.token === 'string' ? form.token : ''
  if (!TOKEN.test(token)) return c.html(<LinkPage tenant={tenant} error="This sign-in link is not valid." nonce={nonce} />, 400)
  const session = newSessionToken()
  try {
    valueOf<SignedIn>(
      (await c.env.TENANT.getByName(tenant).signInWithLink({ linkHash: await sha256Hex(token), sessionHash: session.hash, userAgent: c.req.header('user-agent') ?? null, requestId: c.get('requestId') })) as Outcome,
    )
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    const message = error.code === 'not_found' ? 'There is no such team.' : `${error.detail.charAt(0).toUpperCase()}${error.detail.slice(1)}.`
    return c.html(<LinkPage tenant={tenant} error={message} nonce={nonce} />, error.code === 'not_found' ? 404 : 401)
  }
  await setSessionCookie(c, tenant, session, SESSION_TTL_MS / 1000)
  return c.redirect(`/~${tenant}/dashboard`, 303)
})
