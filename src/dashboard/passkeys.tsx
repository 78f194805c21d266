/**
 * Passkeys in the dashboard (issue 16):
 *   <PasskeySignIn>   "Sign in with a passkey" for the sign-in page (no email needed)
 *   <PasskeysPanel>   a signed-in user's passkeys: add one (named), list, remove
 *   GET  /dashboard/account                        the signed-in user and their passkeys panel
 *   POST /dashboard/account/passkeys/{id}/remove  removes one of theirs (form with the CSRF token)
 * The scripts (passkey-script.ts) come from this origin (a static asset and assets.ts). The ceremonies themselves are
 * the JSON routes of src/http/routes/passkeys.ts, called by the page script with the session cookie.
 * These routes sit under `/dashboard/*`, so the dashboard's middleware (src/dashboard/routes.tsx)
 * gives them its security headers (CSP with a nonce) and its Origin check for form posts.
 */
import { Hono, type Context } from 'hono'
import { AppError } from '../domain/errors'
import type { EntityRecord } from '../domain/engine/types'
import { isIdOf } from '../domain/ids'
import type { Credentials, Operation, Outcome } from '../durable/operations'
import type { PasskeyView } from '../durable/passkeys'
import { SearchBox, SignOut } from './shell'
import { readForm } from '../http/body'
import { csrfToken, dropSessionCookie, readSessionCookie, type Session } from '../http/session-cookie'
import { tenantSlug, valueOf } from '../http/tenant'
import type { AppEnv } from '../http/types'
import { setFlash, takeFlash, type Flash } from './flash'
import { Layout, Notices } from './layout'
import { assetPath } from './assets'
import { WEBAUTHN_LIBRARY } from './passkey-script'


/** The two scripts, each with this response's nonce. */
function PasskeyScripts({ tenant, nonce }: { tenant: string; nonce: string | undefined }) {
  return (
    <>
      <script nonce={nonce} src={WEBAUTHN_LIBRARY} defer />
      <script nonce={nonce} src={assetPath(tenant, 'passkeys.js')} defer />
    </>
  )
}

/** The sign-in page's passkey button: disabled until the script finds the browser can use passkeys. */
export function PasskeySignIn({ tenant, nonce }: { tenant: string; nonce: string | undefined }) {
  return (
    <div class="passkey-sign-in">
      <p>
        <button type="button" class="secondary" disabled data-passkey-sign-in data-options={`/~${tenant}/auth/passkey/options`} data-verify={`/~${tenant}/auth/passkey`} data-status="passkey-sign-in-status">
          Sign in with a passkey
        </button>
      </p>
      <p id="passkey-sign-in-status" class="notice" role="alert" hidden />
      <PasskeyScripts tenant={tenant} nonce={nonce} />
    </div>
  )
}

const when = (iso: string | null) => (iso ? new Date(iso).toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : 'never')

/** The signed-in user's passkeys: the list with a Remove form each, and the form that makes a new one. */
export function PasskeysPanel({ tenant, passkeys, csrf, nonce }: { tenant: string; passkeys: PasskeyView[]; csrf: string; nonce: string | undefined }) {
  return (
    <section aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">Passkeys</h2>
      <p class="hint">A passkey signs you in to {tenant} with this device’s screen lock or a security key: no email needed.</p>
      {passkeys.length === 0 ? (
        <p class="empty">You have no passkeys yet.</p>
      ) : (
        <ul class="passkeys">
          {passkeys.map((p) => (
            <li data-passkey={p.id}>
              <span>
                <strong>{p.name}</strong>
                <span class="hint">
                  Added {when(p.createdAt)} · last used {when(p.lastUsedAt)}
                  {p.backedUp ? ' · synced' : ''}
                </span>
              </span>
              <form method="post" action={`/~${tenant}/dashboard/account/passkeys/${p.id}/remove`}>
                <input type="hidden" name="csrf" value={csrf} />
                <button type="submit" class="secondary" aria-label={`Remove ${p.name}`}>
                  Remove
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <form class="passkey-register" data-passkey-register data-options={`/~${tenant}/me/passkeys/options`} data-register={`/~${tenant}/me/passkeys`} data-done={`/~${tenant}/dashboard/account`} data-status="passkey-register-status">
        <label>
          Name (optional)
          <input name="name" maxlength={100} placeholder="e.g. Work laptop" autocomplete="off" />
        </label>
        <button type="submit" disabled>
          Add a passkey
        </button>
      </form>
      <p id="passkey-register-status" class="notice" role="alert" hidden />
      <PasskeyScripts tenant={tenant} nonce={nonce} />
    </section>
  )
}

function AccountPage({ tenant, user, passkeys, csrf, notices, nonce }: { tenant: string; user: EntityRecord; passkeys: PasskeyView[]; csrf: string; notices: Flash[]; nonce: string | undefined }) {
  return (
    <Layout title={`Your account · ${tenant} · Revline`} nonce={nonce}>
      <header>
        <h1>Revline CRM · {tenant}</h1>
        <SearchBox slug={tenant} />
        <div class="inline">
          <a href={`/~${tenant}/dashboard`}>Dashboard</a>
          <SignOut tenant={tenant} csrf={csrf} />
        </div>
      </header>
      <main id="main">
        <Notices notices={notices} />
        <section aria-labelledby="account-title">
          <h2 id="account-title">Your account</h2>
          <dl class="facts">
            <dt>Name</dt>
            <dd data-account="name">{String(user.name)}</dd>
            <dt>Email</dt>
            <dd data-account="email">{String(user.email)}</dd>
            <dt>Role</dt>
            <dd>{String(user.role)}</dd>
          </dl>
        </section>
        <PasskeysPanel tenant={tenant} passkeys={passkeys} csrf={csrf} nonce={nonce} />
      </main>
    </Layout>
  )
}

export const passkeyPages = new Hono<AppEnv>()

async function run<T>(c: Context<AppEnv>, slug: string, session: Session, op: Operation): Promise<T> {
  const credentials: Credentials = { sessionHash: session.hash, requestId: c.get('requestId') }
  return valueOf<T>((await c.env.TENANT.getByName(slug).call(credentials, op)) as Outcome<T>)
}

/** The session is over (or there is none): back to the sign-in page. */
function signedOut(c: Context<AppEnv>, slug: string) {
  dropSessionCookie(c, slug)
  return c.redirect(`/~${slug}/dashboard/login`, 303)
}

passkeyPages.get('/dashboard/account', async (c) => {
  const slug = tenantSlug(c)
  const session = await readSessionCookie(c)
  if (!session) return signedOut(c, slug)
  try {
    const [me, list] = await Promise.all([run<{ user: EntityRecord | null }>(c, slug, session, { kind: 'me' }), run<{ data: PasskeyView[] }>(c, slug, session, { kind: 'passkeys.list' })])
    if (!me.user) return signedOut(c, slug)
    const notices: Flash[] = []
    const flash = await takeFlash(c, slug)
    if (flash) notices.push(flash)
    // After the script added one: it names the new passkey's id, and only one of the user's own is ever named here.
    const added = list.data.find((p) => p.id === c.req.query('added'))
    if (added) notices.push({ kind: 'ok', text: `Passkey “${added.name}” added: you can sign in with it from now on.` })
    return c.html(<AccountPage tenant={slug} user={me.user} passkeys={list.data} csrf={await csrfToken(c, session)} notices={notices} nonce={c.get('secureHeadersNonce')} />)
  } catch (error) {
    if (error instanceof AppError && (error.code === 'unauthorized' || error.code === 'forbidden')) return signedOut(c, slug)
    throw error
  }
})

passkeyPages.post('/dashboard/account/passkeys/:id/remove', async (c) => {
  const slug = tenantSlug(c)
  const session = await readSessionCookie(c)
  if (!session) return signedOut(c, slug)
  const form = await readForm(c)
  if (form.csrf !== (await csrfToken(c, session))) throw new AppError('forbidden', 'the form has expired; reload the page and try again')
  const id = c.req.param('id')
  try {
    if (!isIdOf('passkey', id)) throw new AppError('not_found', `passkey ${id} not found`)
    await run(c, slug, session, { kind: 'passkeys.remove', id })
    await setFlash(c, slug, { kind: 'ok', text: 'Passkey removed: it signs nobody in any more.' })
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    if (error.code === 'unauthorized') return signedOut(c, slug)
    await setFlash(c, slug, { kind: 'error', text: error.code === 'not_found' ? 'That passkey does not exist (any more).' : error.detail })
  }
  return c.redirect(`/~${slug}/dashboard/account`, 303)
})
