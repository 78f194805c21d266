/**
 * Passkeys (src/http/routes/passkeys.ts): a user's own (`/me/passkeys…`, by a key of the user or
 * the session cookie) and signing in with one (`/auth/passkey…`, public). The WebAuthn bodies are
 * what @simplewebauthn/browser's `startRegistration()` / `startAuthentication()` answer, and the
 * options what they take (`optionsJSON`).
 */
import { AuthenticationResponse, RegistrationResponse } from '../webauthn'
import { TENANT_ERRORS, dataList, jsonBody, jsonResponse, problems, type Paths } from './components'
import type { JsonSchema } from './schemas'
import { fromZod } from './tenant-routes'

const TAG = ['Passkeys']
/** A user's key, or the signed-in browser's session cookie (writes from the tenant's own origin). */
const USER = [{ apiKey: [] }, { sessionCookie: [] }]

const passkeySchema: JsonSchema = {
  type: 'object',
  required: ['id', 'name', 'transports', 'backedUp', 'createdAt', 'lastUsedAt'],
  properties: {
    id: { type: 'string', pattern: '^passkey_[0-9A-Za-z]{9}$' },
    name: { type: 'string' },
    transports: { type: 'array', items: { type: 'string' }, description: 'How the browser reaches the authenticator (`internal`, `hybrid`, `usb`, …).' },
    backedUp: { type: 'boolean', description: 'Synced between the user’s devices.' },
    createdAt: { type: 'string', format: 'date-time' },
    lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
  },
}

const options = (description: string): JsonSchema => ({ type: 'object', description, additionalProperties: true, required: ['challenge'], properties: { challenge: { type: 'string' } } })

export const passkeyRoutePaths = (): Paths => ({
  '/me/passkeys/options': {
    post: {
      operationId: 'passkeyRegistrationOptions',
      tags: TAG,
      summary: 'Options to register a passkey',
      description:
        'For `startRegistration({ optionsJSON })`: a discoverable credential with user verification, RP ID the request’s hostname, the user’s passkeys excluded. The challenge is the user’s, single use, valid 5 minutes. Users only (a service key is 403).',
      security: USER,
      responses: { '200': jsonResponse('PublicKeyCredentialCreationOptionsJSON', options('WebAuthn creation options (JSON form).')), ...problems(...TENANT_ERRORS) },
    },
  },
  '/me/passkeys': {
    get: {
      operationId: 'listMyPasskeys',
      tags: TAG,
      summary: 'My passkeys',
      security: USER,
      responses: { '200': jsonResponse('The signed-in user’s passkeys, oldest first (no key material)', dataList(passkeySchema)), ...problems(...TENANT_ERRORS) },
    },
    post: {
      operationId: 'registerPasskey',
      tags: TAG,
      summary: 'Register a passkey',
      description:
        'The browser’s answer to the options. Its challenge is spent before it is verified (origin = the request’s origin, RP ID = its hostname, user verified), so an answer works once: a used, unknown or expired challenge, or an answer that does not verify, is 422 naming `response`. Logged as `passkey.registered` with the user as actor. At most 25 per user (409).',
      security: USER,
      requestBody: jsonBody({
        type: 'object',
        required: ['response'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 100, description: 'Shown in the list. Omitted: “This device”, “Security key” or “Passkey”, by the authenticator’s attachment.' },
          response: fromZod(RegistrationResponse),
        },
      }),
      responses: { '201': jsonResponse('The stored passkey', passkeySchema), ...problems(400, ...TENANT_ERRORS, 409, 413, 415, 422) },
    },
  },
  '/me/passkeys/{id}': {
    delete: {
      operationId: 'removeMyPasskey',
      tags: TAG,
      summary: 'Remove one of my passkeys',
      description: 'It signs nobody in from then on. Another user’s passkey is 404. Logged as `passkey.removed` with the user as actor.',
      security: USER,
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^passkey_[0-9A-Za-z]{9}$' } }],
      responses: { '200': jsonResponse('Removed', { type: 'object', required: ['id', 'removed'], properties: { id: { type: 'string' }, removed: { type: 'boolean', const: true } } }), ...problems(...TENANT_ERRORS) },
    },
  },
  '/auth/passkey/options': {
    post: {
      operationId: 'passkeySignInOptions',
      tags: TAG,
      summary: 'Options to sign in with a passkey',
      description:
        'Public. For `startAuthentication({ optionsJSON })`: no credentials listed (the browser offers the passkeys it holds for this host), user verification required. Single use, valid 5 minutes; 20 a minute per client (429).',
      security: [],
      responses: { '200': jsonResponse('PublicKeyCredentialRequestOptionsJSON', options('WebAuthn request options (JSON form).')), ...problems(404, 429) },
    },
  },
  '/auth/passkey': {
    post: {
      operationId: 'passkeySignIn',
      tags: TAG,
      summary: 'Sign in with a passkey',
      description:
        'Public, from the tenant’s own pages (`Origin`, else 403). The assertion is verified against the stored passkey (signature, origin, RP ID, user verification, a signature counter that moves forward); its challenge is spent first, so an assertion works once. Opens a session and sets the `rvl_session` cookie the email link sets; then go to `redirect` (the dashboard). A passkey this tenant does not know, a used or forged assertion, or a deactivated user is 401.',
      security: [],
      requestBody: jsonBody({ type: 'object', required: ['response'], additionalProperties: false, properties: { response: fromZod(AuthenticationResponse) } }),
      responses: {
        '200': jsonResponse(
          'Signed in',
          {
            type: 'object',
            required: ['user', 'session', 'redirect'],
            properties: {
              user: { type: 'object', properties: { id: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' } } },
              session: { type: 'object', properties: { id: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } } },
              redirect: { type: 'string', examples: ['/~acme/dashboard'] },
            },
          },
          { 'Set-Cookie': { description: '`rvl_session`: signed, HttpOnly, SameSite=Strict, on the tenant’s path.', schema: { type: 'string' } } },
        ),
        ...problems(400, 401, 403, 404, 413, 415, 422),
      },
    },
  },
})
