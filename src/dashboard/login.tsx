/**
 * The sign-in page: an email address gets a single-use link (the same answer for every address),
 * and, beside it, the passkey button. No API key is ever typed here.
 */
import type { Flash } from './flash'
import { Layout, Notices } from './layout'
import { PasskeySignIn } from './passkeys'

export interface LoginPageProps {
  tenant: string
  notices: Flash[]
  nonce: string | undefined
  /** The address just asked for, kept in the field. */
  email?: string
}

export function LoginPage({ tenant, notices, nonce, email }: LoginPageProps) {
  return (
    <Layout title={`Sign in · ${tenant} · Revline`} nonce={nonce}>
      <main id="main">
        <section class="login" aria-labelledby="sign-in-title">
          <h1 id="sign-in-title">Sign in to {tenant}</h1>
          <Notices notices={notices} />
          <form method="post" action={`/~${tenant}/dashboard/login`} class="stack">
            <label>
              Work email
              <input name="email" type="email" autocomplete="username webauthn" required autofocus value={email} maxlength={254} />
            </label>
            <p class="hint">We email you a link that signs you in. It works once, within 15 minutes.</p>
            <p>
              <button type="submit">Email me a sign-in link</button>
            </p>
          </form>
          <PasskeySignIn tenant={tenant} nonce={nonce} />
        </section>
      </main>
    </Layout>
  )
}
