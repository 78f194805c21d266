/**
 * The people routes (issue 16): who am I, my sessions and keys, keys for users, and email sign-in.
 * Users themselves are the `/users` collection, derived from the User noun like every other.
 */
import { TENANT_ERRORS, dataList, jsonBody, jsonResponse, param, problems, type Paths } from './components'
import type { JsonSchema } from './schemas'
import { ref } from './schemas'
import { get } from './tenant-routes'

const COOKIE_NOTE = 'With an API key of a user, or the signed-in browser’s session cookie (writes from the tenant’s own pages only).'
/** A key, or the signed-in browser's session cookie. */
const KEY_OR_SESSION = [{ apiKey: [] }, { sessionCookie: [] }]

export const userKeyView: JsonSchema = {
  type: 'object',
  required: ['id', 'name', 'role', 'createdAt'],
  properties: {
    id: { type: 'string', examples: ['key_fX9bL5nRd'] },
    name: { type: 'string' },
    role: { type: 'string', enum: ['admin', 'member'], description: 'Never more than the user’s own role allows.' },
    user: { type: ['string', 'null'], description: 'The user the key belongs to; null for a service key.' },
    createdAt: { type: 'string', format: 'date-time' },
  },
}

const session: JsonSchema = {
  type: 'object',
  required: ['id', 'method', 'createdAt', 'lastSeenAt', 'expiresAt', 'current'],
  properties: {
    id: { type: 'string', pattern: '^ses_[0-9A-Za-z]{9}$' },
    method: { type: 'string', enum: ['email', 'passkey'] },
    userAgent: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    lastSeenAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    current: { type: 'boolean', description: 'The session this request came with.' },
  },
}

const newKey = (description: string) => ({
  requestBody: jsonBody({ type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, role: { type: 'string', enum: ['admin', 'member'], description: 'Default: the most the user may have.' } } }),
  parameters: [param('IdempotencyKey')],
  description,
  responses: {
    '201': jsonResponse('The new key (the secret `key` is shown this once)', { allOf: [userKeyView, { type: 'object', properties: { key: { type: 'string', pattern: '^rvl_[0-9A-Za-z]{32}$' } } }] }),
    ...problems(400, ...TENANT_ERRORS, 409, 413, 415, 422),
  },
})

const id = (prefix: string) => ({ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: `^${prefix}_[0-9A-Za-z]{9}$` } })

export function peoplePaths(): Paths {
  return {
    '/me': {
      get: get(
        'People',
        'me',
        'Who is calling',
        {
          type: 'object',
          required: ['user', 'role', 'via'],
          properties: {
            user: { oneOf: [ref('User'), { type: 'null' }], description: 'The signed-in user; null for a service key.' },
            role: { type: 'string', enum: ['admin', 'member'], description: 'What this key or session may do.' },
            via: { type: ['string', 'null'], description: 'The key or session of this request.' },
            key: { type: ['string', 'null'] },
            session: { type: ['string', 'null'] },
          },
        },
        { description: COOKIE_NOTE, security: KEY_OR_SESSION },
      ),
    },
    '/me/sessions': { get: get('People', 'mySessions', 'My live sessions', dataList(session), { description: COOKIE_NOTE, security: KEY_OR_SESSION }) },
    '/me/sessions/{id}': {
      delete: {
        operationId: 'revokeMySession',
        tags: ['People'],
        summary: 'End one of my sessions',
        description: `Its cookie is refused from the next request on. ${COOKIE_NOTE}`,
        security: KEY_OR_SESSION,
        parameters: [id('ses')],
        responses: { '200': jsonResponse('Revoked', { type: 'object', properties: { id: { type: 'string' }, revoked: { type: 'boolean' } } }), ...problems(...TENANT_ERRORS) },
      },
    },
    '/me/keys': {
      get: get('People', 'myKeys', 'My API keys, without secrets', dataList(userKeyView), { description: COOKIE_NOTE, security: KEY_OR_SESSION }),
      post: { operationId: 'createMyKey', tags: ['People'], summary: 'Issue an API key for myself', security: KEY_OR_SESSION, ...newKey(`It acts as me, with at most my role. ${COOKIE_NOTE}`) },
    },
    '/me/keys/{id}': {
      delete: {
        operationId: 'revokeMyKey',
        tags: ['People'],
        summary: 'Revoke one of my keys',
        description: COOKIE_NOTE,
        security: KEY_OR_SESSION,
        parameters: [id('key')],
        responses: { '200': jsonResponse('The revoked key', { type: 'object', additionalProperties: true }), ...problems(...TENANT_ERRORS, 409) },
      },
    },
    '/users/{id}/keys': {
      post: { operationId: 'createUserKey', tags: ['People'], summary: 'Issue an API key for a user', ...newKey('It acts as the user, with at most their role; deactivating the user revokes it. Admin keys only.'), parameters: [id('user'), param('IdempotencyKey')] },
    },
    '/auth/email': {
      post: {
        operationId: 'requestSignInLink',
        tags: ['People'],
        summary: 'Email me a sign-in link',
        description:
          'No key. The answer is the same 202 for every address, so nobody learns who is on the team; a user who may sign in gets an email with a single-use link (15 minutes) to `/auth/link`, which opens a page whose button signs them in (a session cookie) and lands on the dashboard. Rate limited per client and per address (429 + Retry-After).',
        security: [],
        requestBody: jsonBody({ type: 'object', required: ['email'], additionalProperties: false, properties: { email: { type: 'string', format: 'email', maxLength: 254 } } }),
        responses: {
          '202': jsonResponse('Sent, if the address belongs to a user', { type: 'object', required: ['status'], properties: { status: { type: 'string', const: 'sent' }, detail: { type: 'string' } } }),
          ...problems(400, 404, 413, 415, 422, 429),
        },
      },
    },
  }
}
