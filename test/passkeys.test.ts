/**
 * Issue 16, passkeys: a signed-in user registers one (a software authenticator answers as a browser
 * would), lists and removes theirs; anyone signs in with one, no email needed. Challenges are single
 * use, counters move forward, deactivated users and other tenants' passkeys sign nobody in.
 */
import { describe, expect, it } from 'vitest'
import { exports } from 'cloudflare:workers'
import { request, tenantApi } from './helpers'
import { asBrowser, BASE, signedIn, tenantWithOwner } from './people-helpers'
import { SoftwareAuthenticator } from './webauthn-authenticator'

/** Registers a new software passkey for the browser holding `cookie`; the stored passkey and the authenticator. */
async function registerPasskey(slug: string, cookie: string, name?: string) {
  const options = await asBrowser(`/~${slug}/me/passkeys/options`, { cookie, method: 'POST' })
  expect(options.status, JSON.stringify(options.body)).toBe(200)
  const authenticator = await SoftwareAuthenticator.create()
  const response = await authenticator.register({ options: options.body, origin: BASE })
  const created = await asBrowser(`/~${slug}/me/passkeys`, { cookie, method: 'POST', body: { ...(name ? { name } : {}), response } })
  expect(created.status, JSON.stringify(created.body)).toBe(201)
  return { passkey: created.body, authenticator, options: options.body, response }
}

/** Sign-in options for the tenant (public). */
async function signInOptions(slug: string) {
  const res = await asBrowser(`/~${slug}/auth/passkey/options`, { method: 'POST' })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body
}

/** Signs in with the authenticator's passkey: the answer (and its cookie). */
async function signInWithPasskey(slug: string, authenticator: SoftwareAuthenticator, overrides: Parameters<SoftwareAuthenticator['assert']>[1] = {}) {
  const options = await signInOptions(slug)
  const response = await authenticator.assert({ options, origin: BASE }, overrides)
  return { ...(await asBrowser(`/~${slug}/auth/passkey`, { method: 'POST', body: { response } })), response }
}

describe('registering a passkey', () => {
  it('gives options for a discoverable credential on this host, stores the verified passkey, lists it, and logs passkey.registered as the user', async () => {
    const { slug, api, owner } = await tenantWithOwner('pk')
    const cookie = await signedIn(api, 'olive@people.dev')
    const me = (await asBrowser(`/~${slug}/me`, { cookie })).body

    const options = await asBrowser(`/~${slug}/me/passkeys/options`, { cookie, method: 'POST' })
    expect(options.status).toBe(200)
    expect(options.body).toMatchObject({
      rp: { id: 'revline.test', name: 'People Co on Revline' },
      user: { name: 'olive@people.dev', displayName: 'Olive Owner' },
      attestation: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      excludeCredentials: [],
    })
    expect(atob(options.body.user.id.replace(/-/g, '+').replace(/_/g, '/'))).toBe(owner.id)
    expect(options.body.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/)

    const authenticator = await SoftwareAuthenticator.create()
    const response = await authenticator.register({ options: options.body, origin: BASE })
    const created = await asBrowser(`/~${slug}/me/passkeys`, { cookie, method: 'POST', body: { name: 'Olive’s laptop', response } })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expect(created.body).toMatchObject({ name: 'Olive’s laptop', transports: ['internal'], backedUp: false, lastUsedAt: null })
    expect(created.body.id).toMatch(/^passkey_[0-9A-Za-z]{9}$/)

    const list = await asBrowser(`/~${slug}/me/passkeys`, { cookie })
    expect(list.status).toBe(200)
    expect(list.body.data).toEqual([created.body])
    // The key material stays in the tenant object.
    expect(JSON.stringify(list.body)).not.toContain('publicKey')

    const [event] = await api.events(`entity=${created.body.id}`)
    expect(event).toMatchObject({ type: 'passkey.registered', entityType: 'Passkey', actor: owner.id, via: me.session, data: { user: owner.id, name: 'Olive’s laptop' } })

    // The next options exclude it, so the same authenticator does not make a second one.
    const again = await asBrowser(`/~${slug}/me/passkeys/options`, { cookie, method: 'POST' })
    expect(again.body.excludeCredentials).toEqual([{ id: authenticator.id, type: 'public-key', transports: ['internal'] }])
  })

  it('spends the challenge once: the same answer again, an answer to a made-up or a sign-in challenge, are 422 naming `response`', async () => {
    const { slug, api } = await tenantWithOwner('pk-once')
    const cookie = await signedIn(api, 'olive@people.dev')
    const { response } = await registerPasskey(slug, cookie)
    const replayed = await asBrowser(`/~${slug}/me/passkeys`, { cookie, method: 'POST', body: { response } })
    expect(replayed.status).toBe(422)
    expect(replayed.body.errors[0]).toMatchObject({ path: 'response' })

    const options = (await asBrowser(`/~${slug}/me/passkeys/options`, { cookie, method: 'POST' })).body
    const other = await SoftwareAuthenticator.create()
    const madeUp = await other.register({ options, origin: BASE }, { challenge: 'bm90LWEtY2hhbGxlbmdlLW9mLW91cnMtYXQtYWxsLXJlYWxseQ' })
    expect((await asBrowser(`/~${slug}/me/passkeys`, { cookie, method: 'POST', body: { response: madeUp } })).status).toBe(422)
    const signInChallenge = (await signInOptions(slug)).challenge
    const wrongPurpose = await other.register({ options, origin: BASE }, { challenge: signInChallenge })
    expect((await asBrowser(`/~${slug}/me/passkeys`, { cookie, method: 'POST', body: { response: wrongPurpose } })).status).toBe(422)

    // A failed verification spends the challenge too: an answer from another origin, then a good one to the same challenge.
    const elsewhere = await other.register({ options, origin: 'https://evil.example' })
    const refused = await asBrowser(`/~${slug}/me/passkeys`, { cookie, method: 'POST', body: { response: elsewhere } })
    expect(refused.status).toBe(422)
    expect(refused.body.errors[0].path).toBe('response')
    const late = await other.register({ options, origin: BASE })
    expect((await asBrowser(`/~${slug}/me/passkeys`, { cookie, method: 'POST', body: { response: late } })).status).toBe(422)
    expect((await asBrowser(`/~${slug}/me/passkeys`, { cookie })).body.data).toHaveLength(1)
  })

  it('refuses a malformed answer with 422 naming the field, a cross-site write with 403, a service key with 403 before validation', async () => {
    const { slug, api, key } = await tenantWithOwner('pk-bad')
    const cookie = await signedIn(api, 'olive@people.dev')
    const bad = await asBrowser(`/~${slug}/me/passkeys`, { cookie, method: 'POST', body: { response: { id: 'x', rawId: 'x', type: 'public-key', response: {} } } })
    expect(bad.status).toBe(422)
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['response.response.clientDataJSON', 'response.response.attestationObject']))
    const unreadable = await asBrowser(`/~${slug}/me/passkeys`, {
      cookie,
      method: 'POST',
      body: { response: { id: 'abc', rawId: 'abc', type: 'public-key', response: { clientDataJSON: 'bm9wZQ', attestationObject: 'AA' }, clientExtensionResults: {} } },
    })
    expect(unreadable.status).toBe(422)
    expect(unreadable.body.errors[0].path).toBe('response.response.clientDataJSON')

    const crossSite = await asBrowser(`/~${slug}/me/passkeys/options`, { cookie, method: 'POST', origin: 'https://evil.example' })
    expect(crossSite.status).toBe(403)
    expect((await asBrowser(`/~${slug}/me/passkeys`, { method: 'POST', body: {} })).status).toBe(401)

    // The operator's first key is a service key: it has no passkeys, and learns nothing about a body it may not send.
    const service = tenantApi(slug, key)
    expect((await service.get('/me/passkeys')).status).toBe(403)
    expect((await service.post('/me/passkeys/options')).status).toBe(403)
    expect((await service.post('/me/passkeys', { response: 42 })).status).toBe(403)
  })

  it('works with a key of the user as well as with the session', async () => {
    const { slug, api, owner } = await tenantWithOwner('pk-key')
    const cookie = await signedIn(api, 'olive@people.dev')
    const userKey = (await asBrowser(`/~${slug}/me/keys`, { cookie, method: 'POST', body: { name: 'cli' } })).body
    const asOlive = tenantApi(slug, userKey.key)
    const options = (await asOlive.post('/me/passkeys/options')).body
    const authenticator = await SoftwareAuthenticator.create()
    const created = await asOlive.post('/me/passkeys', { response: await authenticator.register({ options, origin: BASE }) })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expect(created.body.name).toBe('This device')
    const [event] = await api.events(`entity=${created.body.id}`)
    expect(event).toMatchObject({ actor: owner.id, via: userKey.id })
  })
})

describe('signing in with a passkey', () => {
  it('needs no email: the passkey names its user, who gets a session and the email link’s cookie, landing on the dashboard', async () => {
    const { slug, api, owner } = await tenantWithOwner('pk-in')
    const cookie = await signedIn(api, 'olive@people.dev')
    const { passkey, authenticator } = await registerPasskey(slug, cookie, 'Phone')

    const options = await signInOptions(slug)
    expect(options).toMatchObject({ rpId: 'revline.test', userVerification: 'required' })
    expect(options.allowCredentials ?? []).toEqual([])

    const response = await authenticator.assert({ options, origin: BASE })
    const res = await asBrowser(`/~${slug}/auth/passkey`, { method: 'POST', body: { response } })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ user: { id: owner.id, email: 'olive@people.dev' }, redirect: `/~${slug}/dashboard` })
    expect(res.body.session.id).toMatch(/^ses_/)
    const setCookie = res.headers.get('set-cookie')!
    expect(setCookie).toMatch(/^rvl_session=/)
    expect(setCookie).toContain(`Path=/~${slug}`)
    expect(setCookie).toContain('HttpOnly')
    expect(setCookie).toContain('SameSite=Strict')

    const me = await asBrowser(`/~${slug}/me`, { cookie: res.cookie })
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({ user: { $id: owner.id }, session: res.body.session.id })
    const sessions = (await asBrowser(`/~${slug}/me/sessions`, { cookie: res.cookie })).body.data
    expect(sessions.find((s: { id: string }) => s.id === res.body.session.id)).toMatchObject({ method: 'passkey', current: true })
    const used = (await asBrowser(`/~${slug}/me/passkeys`, { cookie: res.cookie })).body.data[0]
    expect(used).toMatchObject({ id: passkey.id })
    expect(used.lastUsedAt).toBeTruthy()
    // The sign-in is the user's own: lastSignInAt recorded as them, through the new session.
    const events = await api.events(`entity=${owner.id}`)
    expect(events.at(-1)).toMatchObject({ type: 'user.updated', actor: owner.id, via: res.body.session.id })

    // The dashboard takes the new cookie.
    const dashboard = await asBrowser(`/~${slug}/dashboard/crm`, { cookie: res.cookie })
    expect(dashboard.status).toBe(200)
  })

  it('takes an assertion once, and refuses one whose counter does not move forward (a replayed or cloned authenticator)', async () => {
    const { slug, api } = await tenantWithOwner('pk-replay')
    const cookie = await signedIn(api, 'olive@people.dev')
    const { authenticator } = await registerPasskey(slug, cookie)

    const first = await signInWithPasskey(slug, authenticator)
    expect(first.status).toBe(200)
    // The very same assertion again: its challenge is spent.
    const replay = await asBrowser(`/~${slug}/auth/passkey`, { method: 'POST', body: { response: first.response } })
    expect(replay.status).toBe(401)
    expect(replay.body.code).toBe('unauthorized')
    // A fresh challenge, signed with the counter the last sign-in used: a clone, refused.
    const used = authenticator.counter - 1
    const cloned = await signInWithPasskey(slug, authenticator, { counter: used })
    expect(cloned.status).toBe(401)
    expect(cloned.cookie).toBeUndefined()
    const older = await signInWithPasskey(slug, authenticator, { counter: 0 })
    expect(older.status).toBe(401)
    // The real authenticator, moving on, still signs in.
    expect((await signInWithPasskey(slug, authenticator)).status).toBe(200)
  })

  it('spends a sign-in challenge even when its answer fails: wrong origin, wrong RP ID, made-up challenge, not user-verified', async () => {
    const { slug, api } = await tenantWithOwner('pk-bad-in')
    const cookie = await signedIn(api, 'olive@people.dev')
    const { authenticator } = await registerPasskey(slug, cookie)
    const options = await signInOptions(slug)
    const elsewhere = await authenticator.assert({ options, origin: 'https://evil.example' })
    expect((await asBrowser(`/~${slug}/auth/passkey`, { method: 'POST', body: { response: elsewhere } })).status).toBe(401)
    const good = await authenticator.assert({ options, origin: BASE })
    expect((await asBrowser(`/~${slug}/auth/passkey`, { method: 'POST', body: { response: good } })).status).toBe(401)

    expect((await signInWithPasskey(slug, authenticator, { rpId: 'evil.example' })).status).toBe(401)
    expect((await signInWithPasskey(slug, authenticator, { challenge: 'bm90LWEtY2hhbGxlbmdlLW9mLW91cnMtYXQtYWxsLXJlYWxseQ' })).status).toBe(401)
    expect((await signInWithPasskey(slug, authenticator, { flags: 0x01 })).status).toBe(401)
    // Another user's handle on this credential: refused.
    expect((await signInWithPasskey(slug, authenticator, { userHandle: btoa('user_aaaaaaaaa').replace(/=/g, '') })).status).toBe(401)
    expect((await signInWithPasskey(slug, authenticator)).status).toBe(200)
  })

  it('refuses a post from another site (403) and a malformed answer (422 naming the field)', async () => {
    const { slug, api } = await tenantWithOwner('pk-csrf')
    const cookie = await signedIn(api, 'olive@people.dev')
    const { authenticator } = await registerPasskey(slug, cookie)
    const options = await signInOptions(slug)
    const response = await authenticator.assert({ options, origin: BASE })
    expect((await asBrowser(`/~${slug}/auth/passkey`, { method: 'POST', body: { response }, origin: 'https://evil.example' })).status).toBe(403)
    expect((await asBrowser(`/~${slug}/auth/passkey`, { method: 'POST', body: { response }, origin: null })).status).toBe(403)
    const bad = await asBrowser(`/~${slug}/auth/passkey`, { method: 'POST', body: { response: { ...response, response: { ...response.response, signature: 'not base64url!' } } } })
    expect(bad.status).toBe(422)
    expect(bad.body.errors[0].path).toBe('response.response.signature')
    expect((await asBrowser(`/~nope-${Date.now()}/auth/passkey/options`, { method: 'POST' })).status).toBe(404)
  })

  it('signs in no deactivated user (401), and the same passkey works again once they are reactivated', async () => {
    const { slug, api } = await tenantWithOwner('pk-deact')
    const mia = (await api.post('/users', { email: 'mia@people.dev', name: 'Mia Member', role: 'member' })).body
    const { authenticator } = await registerPasskey(slug, await signedIn(api, 'mia@people.dev'))
    expect((await api.post(`/users/${mia.$id}/deactivate`)).status).toBe(200)
    const refused = await signInWithPasskey(slug, authenticator)
    expect(refused.status).toBe(401)
    expect(refused.cookie).toBeUndefined()
    expect((await api.post(`/users/${mia.$id}/reactivate`)).status).toBe(200)
    const back = await signInWithPasskey(slug, authenticator)
    expect(back.status).toBe(200)
    expect(back.body.user.id).toBe(mia.$id)
  })

  it('a passkey of tenant A is worthless on tenant B, even on the same host', async () => {
    const a = await tenantWithOwner('pk-a')
    const b = await tenantWithOwner('pk-b')
    const { passkey, authenticator } = await registerPasskey(a.slug, await signedIn(a.api, 'olive@people.dev'))
    const onB = await signInWithPasskey(b.slug, authenticator)
    expect(onB.status).toBe(401)
    expect(onB.cookie).toBeUndefined()
    // B's own user cannot see or remove it either.
    const bCookie = await signedIn(b.api, 'olive@people.dev')
    expect((await asBrowser(`/~${b.slug}/me/passkeys`, { cookie: bCookie })).body.data).toEqual([])
    expect((await asBrowser(`/~${b.slug}/me/passkeys/${passkey.id}`, { cookie: bCookie, method: 'DELETE' })).status).toBe(404)
    expect((await signInWithPasskey(a.slug, authenticator)).status).toBe(200)
  })
})

describe('sign-in options', () => {
  it('are limited per client (429 with Retry-After): each one holds a challenge for 5 minutes', async () => {
    const { slug } = await tenantWithOwner('pk-rate')
    const ask = () => asBrowser(`/~${slug}/auth/passkey/options`, { method: 'POST' })
    // Windows are fixed minutes: asking on past 20 reaches the limit even if a new minute starts meanwhile.
    let granted = 0
    let limited = await ask()
    while (limited.status === 200 && granted < 45) {
      granted++
      limited = await ask()
    }
    expect(granted).toBeGreaterThanOrEqual(20)
    expect(limited.status).toBe(429)
    expect(limited.body.code).toBe('rate_limited')
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
  })
})

describe('removing a passkey', () => {
  it('a member cannot touch another user’s passkeys; the owner removes theirs (passkey.removed), and it signs nobody in after', async () => {
    const { slug, api, owner } = await tenantWithOwner('pk-rm')
    const oliveCookie = await signedIn(api, 'olive@people.dev')
    const { passkey, authenticator } = await registerPasskey(slug, oliveCookie, 'Olive’s phone')
    await api.post('/users', { email: 'mia@people.dev', name: 'Mia Member', role: 'member' })
    const miaCookie = await signedIn(api, 'mia@people.dev')
    const mine = await registerPasskey(slug, miaCookie, 'Mia’s key')

    expect((await asBrowser(`/~${slug}/me/passkeys`, { cookie: miaCookie })).body.data.map((p: { id: string }) => p.id)).toEqual([mine.passkey.id])
    const taken = await asBrowser(`/~${slug}/me/passkeys/${passkey.id}`, { cookie: miaCookie, method: 'DELETE' })
    expect(taken.status).toBe(404)
    expect((await asBrowser(`/~${slug}/me/passkeys/not-an-id`, { cookie: miaCookie, method: 'DELETE' })).status).toBe(404)
    expect((await asBrowser(`/~${slug}/me/passkeys/${passkey.id}`, { cookie: miaCookie, method: 'DELETE', origin: 'https://evil.example' })).status).toBe(403)
    expect((await asBrowser(`/~${slug}/me/passkeys`, { cookie: oliveCookie })).body.data).toHaveLength(1)

    const removed = await asBrowser(`/~${slug}/me/passkeys/${passkey.id}`, { cookie: oliveCookie, method: 'DELETE' })
    expect(removed.status).toBe(200)
    expect(removed.body).toEqual({ id: passkey.id, removed: true })
    expect((await asBrowser(`/~${slug}/me/passkeys`, { cookie: oliveCookie })).body.data).toEqual([])
    expect(await api.eventTypes(passkey.id)).toEqual(['passkey.registered', 'passkey.removed'])
    const [, event] = await api.events(`entity=${passkey.id}`)
    expect(event).toMatchObject({ actor: owner.id, data: { user: owner.id, name: 'Olive’s phone' } })
    expect((await asBrowser(`/~${slug}/me/passkeys/${passkey.id}`, { cookie: oliveCookie, method: 'DELETE' })).status).toBe(404)

    expect((await signInWithPasskey(slug, authenticator)).status).toBe(401)
    expect((await signInWithPasskey(slug, mine.authenticator)).status).toBe(200)
  })
})

describe('the dashboard’s passkey pieces', () => {
  it('the sign-in page offers a passkey, with its scripts from this origin under the page’s nonce', async () => {
    const { slug } = await tenantWithOwner('pk-ui')
    const page = await asBrowser(`/~${slug}/dashboard/login`)
    expect(page.status).toBe(200)
    const csp = page.headers.get('content-security-policy')!
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1]
    expect(nonce).toBeTruthy()
    const html = String(page.body)
    expect(html).toContain('Sign in with a passkey')
    expect(html).toContain(`data-options="/~${slug}/auth/passkey/options"`)
    // The library is @simplewebauthn/browser's bundle, a static asset (public/vendor/); the page script comes from the Worker.
    const scripts = [...html.matchAll(/<script nonce="([^"]*)" src="([^"]+)"/g)].map((m) => ({ nonce: m[1], src: m[2] }))
    expect(scripts).toEqual([
      { nonce, src: '/vendor/simplewebauthn-browser/index.umd.min.js' },
      { nonce, src: `/~${slug}/dashboard/assets/passkeys.js` },
    ])
    expect(html).not.toMatch(/<script[^>]+src="https?:/)

    const library = await asBrowser('/vendor/simplewebauthn-browser/index.umd.min.js')
    expect(library.status).toBe(200)
    expect(library.headers.get('content-type')).toContain('text/javascript')
    expect(library.headers.get('x-content-type-options')).toBe('nosniff')
    expect(String(library.body)).toContain('SimpleWebAuthnBrowser')
    expect(String(library.body)).toContain('startAuthentication')
    expect((await asBrowser(`/~${slug}/dashboard/assets/webauthn.js`)).status).toBe(404)
    const script = await asBrowser(`/~${slug}/dashboard/assets/passkeys.js`)
    expect(String(script.body)).toContain('data-passkey-sign-in')
    expect((await asBrowser(`/~${slug}/dashboard/assets/__proto__`)).status).toBe(404)
    expect((await asBrowser(`/~${slug}/dashboard/assets/nope.js`)).status).toBe(404)
  })

  it('the account page lists the user’s passkeys and removes one by its form (CSRF token, same Origin)', async () => {
    const { slug, api } = await tenantWithOwner('pk-acct')
    expect((await asBrowser(`/~${slug}/dashboard/account`)).headers.get('location')).toBe(`/~${slug}/dashboard/login`)
    const cookie = await signedIn(api, 'olive@people.dev')
    const { passkey } = await registerPasskey(slug, cookie, 'Desk key')

    const page = await asBrowser(`/~${slug}/dashboard/account?added=${passkey.id}`, { cookie })
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("script-src 'nonce-")
    const html = String(page.body)
    expect(html).toContain('olive@people.dev')
    expect(html).toContain('Passkey “Desk key” added')
    expect(html).toContain(`data-passkey="${passkey.id}"`)
    expect(html).toContain(`data-register="/~${slug}/me/passkeys"`)
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!

    const remove = (token: string, origin = BASE) =>
      exports.default.fetch(
        new Request(`${BASE}/~${slug}/dashboard/account/passkeys/${passkey.id}/remove`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ csrf: token }),
        }),
      )
    expect((await remove('forged')).status).toBe(403)
    expect((await remove(csrf, 'https://evil.example')).status).toBe(403)
    expect((await asBrowser(`/~${slug}/me/passkeys`, { cookie })).body.data).toHaveLength(1)
    const removed = await remove(csrf)
    expect(removed.status).toBe(303)
    expect(removed.headers.get('location')).toBe(`/~${slug}/dashboard/account`)
    expect((await asBrowser(`/~${slug}/me/passkeys`, { cookie })).body.data).toEqual([])
    expect(await api.eventTypes(passkey.id)).toEqual(['passkey.registered', 'passkey.removed'])
  })
})

describe('the OpenAPI document', () => {
  it('documents the passkey routes: the user’s with a key or the session cookie, sign-in without either', async () => {
    const doc = (await request('GET', '/openapi.json')).body
    expect(doc.components.securitySchemes.sessionCookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'rvl_session' })
    expect(Object.keys(doc.paths['/me/passkeys']).sort()).toEqual(['get', 'post'])
    expect(doc.paths['/me/passkeys'].post.security).toEqual([{ apiKey: [] }, { sessionCookie: [] }])
    expect(doc.paths['/me/passkeys'].post.requestBody.content['application/json'].schema.properties.response.properties.response.required).toEqual(
      expect.arrayContaining(['clientDataJSON', 'attestationObject']),
    )
    expect(doc.paths['/me/passkeys/{id}'].delete.operationId).toBe('removeMyPasskey')
    expect(doc.paths['/me/passkeys/options'].post.operationId).toBe('passkeyRegistrationOptions')
    expect(doc.paths['/auth/passkey/options'].post.security).toEqual([])
    expect(doc.paths['/auth/passkey'].post.security).toEqual([])
    expect(doc.paths['/auth/passkey'].post.responses['401']).toBeTruthy()
  })
})
