/**
 * Passkeys (WebAuthn), issue 16. A signed-in user (session cookie, or a key of a user) manages their own:
 *   POST   /me/passkeys/options   registration options; the challenge is theirs, single use, 5 minutes
 *   POST   /me/passkeys           { response, name? }: the browser's answer (startRegistration), verified and
 *                                 stored → 201; event `passkey.registered`, the user as actor
 *   GET    /me/passkeys           their passkeys
 *   DELETE /me/passkeys/{id}      removes one of theirs (another user's is 404); event `passkey.removed`
 * Anyone signs in with one, no email needed (discoverable credentials):
 *   POST   /auth/passkey/options  sign-in options (a challenge; no user named). 20 a minute per client
 *   POST   /auth/passkey          { response }: the assertion (startAuthentication), from this origin; verified,
 *                                 it opens a session and sets the email link's cookie → 200 { redirect }
 * RP ID = the request's hostname, expected origin = the request's origin (src/http/webauthn.ts). A
 * challenge is spent before its answer is verified, so no answer works twice; the signature counter
 * must move forward; a deactivated user's passkey and another tenant's passkey sign nobody in (401).
 * Deactivation keeps a user's passkeys (they are the person's, on their devices, not secrets left in
 * scripts like keys): they work again if the user is reactivated, unless removed meanwhile.
 */
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { z } from 'zod'
import { AppError } from '../../domain/errors'
import { isIdOf, newId } from '../../domain/ids'
import { toFieldErrors } from '../../domain/noun/validators'
import { SESSION_TTL_MS } from '../../durable/accounts'
import type { Outcome } from '../../durable/operations'
import type { PasskeyView, StoredCredential } from '../../durable/passkeys'
import type { SignedIn } from '../../durable/people-ops'
import { readJsonObject } from '../body'
import { problemResponse } from '../problem'
import { refuseOtherMethods } from '../allow'
import { newSessionToken, setSessionCookie } from '../session-cookie'
import { valueOf } from '../tenant'
import type { AppEnv } from '../types'
import { AuthenticationResponse, RegistrationResponse, authenticationOptions, challengeOf, registrationOptions, relyingParty, verifyAuthentication, verifyRegistration } from '../webauthn'
import { clientHash, slugOf } from './public'

const MAX_BYTES = 64 * 1024
const limit = bodyLimit({
  maxSize: MAX_BYTES,
  onError: () => {
    throw new AppError('payload_too_large', `passkey requests are limited to ${MAX_BYTES / 1024} KB`)
  },
})

const NewPasskey = z.strictObject({ name: z.string().trim().min(1).max(100).optional(), response: RegistrationResponse })
const PasskeySignIn = z.strictObject({ response: AuthenticationResponse })

const unreadableClientData = () => new AppError('validation_failed', 'the passkey answer is not valid', [{ path: 'response.response.clientDataJSON', message: 'is not the client data of a WebAuthn ceremony' }])

/** `/me/passkeys…`: behind the tenant middleware (a key, or the session cookie with a same-origin write). */
export const myPasskeys = new Hono<AppEnv>()

myPasskeys.post('/me/passkeys/options', async (c) => {
  const issued = await c.var.tenant.run<Parameters<typeof registrationOptions>[1]>({ kind: 'passkeys.options' })
  return c.json(await registrationOptions(relyingParty(c), issued))
})

myPasskeys.post('/me/passkeys', limit, async (c) => {
  const parsed = NewPasskey.safeParse(await readJsonObject(c))
  if (!parsed.success) {
    await requireUserCaller(c)
    throw new AppError('validation_failed', 'the passkey was not registered', toFieldErrors(parsed.error))
  }
  const { response } = parsed.data
  const challenge = await challengeOf(response.response.clientDataJSON)
  if (!challenge) {
    await requireUserCaller(c)
    throw unreadableClientData()
  }
  // Spent first: whether the answer verifies or not, it cannot be sent again.
  await c.var.tenant.run({ kind: 'passkeys.spend', challenge })
  const credential = await verifyRegistration(relyingParty(c), response, challenge)
  const name = parsed.data.name ?? defaultName(response.authenticatorAttachment)
  const created = await c.var.tenant.run<PasskeyView>({ kind: 'passkeys.register', id: newId('passkey'), name, credential })
  return c.json(created, 201)
})

myPasskeys.get('/me/passkeys', async (c) => c.json(await c.var.tenant.run({ kind: 'passkeys.list' })))

myPasskeys.delete('/me/passkeys/:id', async (c) => {
  const id = c.req.param('id')
  if (!isIdOf('passkey', id)) throw new AppError('not_found', `passkey ${id} not found`)
  return c.json(await c.var.tenant.run({ kind: 'passkeys.remove', id }))
})

/** A passkey's name when the user gives none: what kind of authenticator made it. */
const defaultName = (attachment: string | undefined) => (attachment === 'cross-platform' ? 'Security key' : attachment === 'platform' ? 'This device' : 'Passkey')

/** Before telling a caller what is wrong with their body: 401 for no valid credentials, 403 for a caller that is not a user (a service key). */
async function requireUserCaller(c: Context<AppEnv>) {
  const me = await c.var.tenant.run<{ user: unknown }>({ kind: 'me' })
  if (!me.user) throw new AppError('forbidden', 'this is for users: sign in, or use a key that belongs to a user')
}

/** `/auth/passkey…`: public, before the tenant middleware (no key). */
export const passkeySignIn = new Hono<AppEnv>()

passkeySignIn.post('/auth/passkey/options', async (c) => {
  const slug = slugOf(c)
  const outcome = await c.env.TENANT.getByName(slug).passkeyChallenge({ clientHash: await clientHash(c, slug), requestId: c.get('requestId') })
  const answer = valueOf<{ challenge: string } | { retryAfter: number }>(outcome as Outcome)
  if ('retryAfter' in answer)
    return problemResponse({ code: 'rate_limited', detail: `too many passkey sign-ins; try again in ${answer.retryAfter} seconds` }, { 'retry-after': String(answer.retryAfter) })
  return c.json(await authenticationOptions(relyingParty(c), answer.challenge))
})

passkeySignIn.post('/auth/passkey', limit, async (c) => {
  const slug = slugOf(c)
  const rp = relyingParty(c)
  // Another site must not sign a visitor in to an account of its choosing (login CSRF).
  if (c.req.header('origin') !== rp.origin) throw new AppError('forbidden', 'sign in with a passkey from this team’s own pages (Origin)')
  const parsed = PasskeySignIn.safeParse(await readJsonObject(c))
  if (!parsed.success) throw new AppError('validation_failed', 'the passkey answer is not valid', toFieldErrors(parsed.error))
  const { response } = parsed.data
  const challenge = await challengeOf(response.response.clientDataJSON)
  if (!challenge) throw unreadableClientData()
  const tenant = c.env.TENANT.getByName(slug)
  const requestId = c.get('requestId')
  const stored = valueOf<StoredCredential>((await tenant.passkeyCredential({ challenge, credentialId: response.id, requestId })) as Outcome)
  const counter = await verifyAuthentication(rp, response, challenge, stored)
  const session = newSessionToken()
  const signedIn = valueOf<SignedIn>(
    (await tenant.signInWithPasskey({ passkeyId: stored.id, counter: { from: stored.counter, to: counter }, sessionHash: session.hash, userAgent: c.req.header('user-agent') ?? null, requestId })) as Outcome,
  )
  await setSessionCookie(c, slug, session, SESSION_TTL_MS / 1000)
  const user = signedIn.user
  return c.json({ user: { id: user.$id, email: user.email, name: user.name }, session: signedIn.session, redirect: `/~${slug}/dashboard` })
})

refuseOtherMethods(passkeySignIn, ['/auth/passkey/options', '/auth/passkey'])
