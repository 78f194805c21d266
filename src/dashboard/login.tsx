import { Layout } from './layout'
import { PasskeySignIn } from './passkeys'

export function LoginPage({ tenant, error, nonce }: { tenant: string; error?: string; nonce: string | undefined }) {
  return (
    <Layout title={`Sign in · ${tenant} · Revline`} nonce={nonce}>
      <main id="main">
        <section class="login">
          <h1>Revline CRM — {tenant}</h1>
          <p>Sign in with an API key of this tenant. It is exchanged for a session cookie and never shown again.</p>
          {error && <p class="notice" role="alert">{error}</p>}
          <form method="post" action="login">
            <label>
              API key
              <input name="apiKey" type="password" autocomplete="current-password" required autofocus />
            </label>
            <p><button type="submit">Sign in</button></p>
          </form>
          <PasskeySignIn tenant={tenant} nonce={nonce} />
        </section>
      </main>
    </Layout>
  )
}
