/**
 * The WebAuthn ceremonies' cryptography, with @simplewebauthn/server (pure WebCrypto, runs in
 * workerd): options for the browser, and verification of what it answers. The relying party is the
 * request itself: RP ID its hostname and expected origin its origin, so passkeys work on localhost
 * (wrangler dev), on the path form and on a tenant's own host alike. A passkey made on one host is
 * only ever offered there; a passkey of another tenant on the same host is unknown to this one.
 * The library (with its certificate parsers) is loaded on the first passkey request, not with
 * every isolate's routes.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import { AppError } from '../domain/errors'
import type { NewCredential, StoredCredential } from '../durable/passkeys'
import type { AppEnv } from './types'

const library = () => import('@simplewebauthn/server')
const helpers = () => import('@simplewebauthn/server/helpers')

/** ES256, EdDSA and RS256: what platform authenticators and security keys make. Offered and accepted alike. */
const ALGORITHMS = [-7, -8, -257]
const TIMEOUT_MS = 5 * 60_000

export interface RelyingParty {
  id: string
  origin: string
}

export function relyingParty(c: Context<AppEnv>): RelyingParty {
  const url = new URL(c.req.url)
  return { id: url.hostname, origin: url.origin }
}

const base64url = (max: number) => z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be base64url').max(max)
/** A credential id is at most 1023 bytes: 1364 base64url characters. */
const credentialId = base64url(1364)

/** What `startRegistration()` of @simplewebauthn/browser answers (extra members are the browser's own, kept). */
export const RegistrationResponse = z.looseObject({
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  response: z.looseObject({
    clientDataJSON: base64url(8192),
    attestationObject: base64url(65536),
    transports: z.array(z.string().max(32)).max(16).optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
})

/** What `startAuthentication()` answers. */
export const AuthenticationResponse = z.looseObject({
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  response: z.looseObject({
    clientDataJSON: base64url(8192),
    authenticatorData: base64url(65536),
    signature: base64url(4096),
    userHandle: base64url(128).optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
})

export type RegistrationResponseBody = z.infer<typeof RegistrationResponse>
export type AuthenticationResponseBody = z.infer<typeof AuthenticationResponse>

/** The challenge the browser signed, read from its client data (undefined when that is not readable JSON). */
export async function challengeOf(clientDataJSON: string): Promise<string | undefined> {
  const { decodeClientDataJSON } = await helpers()
  try {
    const challenge = decodeClientDataJSON(clientDataJSON).challenge
    return typeof challenge === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(challenge) ? challenge : undefined
  } catch {
    return undefined
  }
}

/** The stored challenge (base64url) as bytes: the library encodes bytes back to the same text, where a string would be encoded again. */
const challengeBytes = async (challenge: string) => (await helpers()).isoBase64URL.toBuffer(challenge)

/** A user's id as the passkey carries it (its user handle): the bytes of `user_…`. */
const userHandleOf = (userId: string) => new Uint8Array(new TextEncoder().encode(userId))

/** Registration options: a discoverable credential (so sign-in needs no email) with user verification. */
export async function registrationOptions(
  rp: RelyingParty,
  issued: { challenge: string; user: { id: string; email: string; name: string }; team: string; exclude: { credentialId: string; transports: string[] }[] },
) {
  const { generateRegistrationOptions } = await library()
  return generateRegistrationOptions({
    rpName: issued.team ? `${issued.team} on Revline` : 'Revline',
    rpID: rp.id,
    userName: issued.user.email,
    userDisplayName: issued.user.name,
    userID: userHandleOf(issued.user.id),
    challenge: await challengeBytes(issued.challenge),
    timeout: TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: issued.exclude.map((c) => ({ id: c.credentialId, transports: c.transports })),
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
    supportedAlgorithmIDs: ALGORITHMS,
  })
}

/** Sign-in options: no credentials listed (the browser offers the passkeys it has for this RP ID). */
export async function authenticationOptions(rp: RelyingParty, challenge: string) {
  const { generateAuthenticationOptions } = await library()
  return generateAuthenticationOptions({ rpID: rp.id, challenge: await challengeBytes(challenge), timeout: TIMEOUT_MS, userVerification: 'required' })
}

/** Verifies a registration against its (already spent) challenge: the credential to store, or 422 naming `response`. */
export async function verifyRegistration(rp: RelyingParty, response: RegistrationResponseBody, challenge: string): Promise<NewCredential> {
  const { verifyRegistrationResponse } = await library()
  const refused = (why: string) => new AppError('validation_failed', 'the passkey was not registered', [{ path: 'response', message: why }])
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>
  try {
    verified = await verifyRegistrationResponse({
      response: response as Parameters<typeof verifyRegistrationResponse>[0]['response'],
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
      supportedAlgorithmIDs: ALGORITHMS,
    })
  } catch (error) {
    throw refused(error instanceof Error ? error.message : 'it could not be verified')
  }
  if (!verified.verified) throw refused('it could not be verified')
  const { credential, credentialBackedUp } = verified.registrationInfo
  const { isoBase64URL } = await helpers()
  return {
    credentialId: credential.id,
    publicKey: isoBase64URL.fromBuffer(credential.publicKey),
    counter: credential.counter,
    transports: (credential.transports ?? response.response.transports ?? []).slice(0, 16),
    backedUp: credentialBackedUp,
  }
}

/**
 * Verifies a sign-in assertion against the stored credential: signature, origin, RP ID, challenge,
 * user verification, and a counter that moves forward. The new counter, or 401.
 */
export async function verifyAuthentication(rp: RelyingParty, response: AuthenticationResponseBody, challenge: string, stored: StoredCredential): Promise<number> {
  const { verifyAuthenticationResponse } = await library()
  const { isoBase64URL } = await helpers()
  // A discoverable credential names its user: it must be the one the passkey was registered to.
  const handle = response.response.userHandle
  if (handle !== undefined && isoBase64URL.toUTF8String(handle) !== stored.userId) throw new AppError('unauthorized', 'this passkey could not be verified')
  try {
    const verified = await verifyAuthenticationResponse({
      response: response as Parameters<typeof verifyAuthenticationResponse>[0]['response'],
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: { id: stored.credentialId, publicKey: isoBase64URL.toBuffer(stored.publicKey), counter: stored.counter, transports: stored.transports },
      requireUserVerification: true,
    })
    if (!verified.verified) throw new Error('not verified')
    return verified.authenticationInfo.newCounter
  } catch {
    // Why (a signature, a counter that went back) is not the caller's to learn.
    throw new AppError('unauthorized', 'this passkey could not be verified')
  }
}
