/** The tenant's admin routes: API keys, webhook sources, job runs and delivery logs. */
import { TENANT_ERRORS, dataList, jsonBody, jsonResponse, param, problems, type Operation, type Paths } from './components'
import type { JsonSchema } from './schemas'
import { get } from './tenant-routes'

const keyView: JsonSchema = {
  type: 'object',
  required: ['id', 'name', 'role', 'createdAt'],
  properties: {
    id: { type: 'string', examples: ['key_fX9bL5nRd'] },
    name: { type: 'string' },
    role: { type: 'string', enum: ['admin', 'member'] },
    createdAt: { type: 'string', format: 'date-time' },
  },
}

function keyPaths(): Paths {
  const keyId = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^key_[0-9A-Za-z]{9}$' } }
  return {
    '/keys': {
      post: {
        operationId: 'createKey',
        tags: ['Keys'],
        summary: 'Issue an API key',
        description: 'A service key (it belongs to no user; see `/me/keys` and `/users/{id}/keys` for a person’s keys). The key is in the answer once; only its hash is stored. Admin keys only.',
        parameters: [param('IdempotencyKey')],
        requestBody: jsonBody({ type: 'object', required: ['role', 'name'], additionalProperties: false, properties: { role: { type: 'string', enum: ['admin', 'member'] }, name: { type: 'string', minLength: 1, maxLength: 100 } } }),
        responses: {
          '201': jsonResponse('The new key (the secret `key` is shown this once)', { allOf: [keyView, { type: 'object', properties: { key: { type: 'string', pattern: '^rvl_[0-9A-Za-z]{32}$' } } }] }),
          ...problems(400, ...TENANT_ERRORS, 413, 415, 422),
        },
      },
      get: get('Keys', 'listKeys', 'Every key, without secrets', dataList({ type: 'object', properties: keyView.properties, additionalProperties: true }), { description: 'Admin keys only.' }),
    },
    '/keys/{id}': {
      delete: {
        operationId: 'revokeKey',
        tags: ['Keys'],
        summary: 'Revoke a key at once',
        description: 'The last active admin key cannot be revoked. Admin keys only.',
        parameters: [keyId],
        responses: { '200': jsonResponse('The revoked key', { type: 'object', additionalProperties: true }), ...problems(...TENANT_ERRORS, 409, 422) },
      },
    },
  }
}

function sourcePaths(): Paths {
  const source = {
    type: 'object',
    properties: {
      id: { type: 'string', pattern: '^source_[0-9A-Za-z]{9}$' },
      name: { type: 'string' },
      mapping: { type: 'object', additionalProperties: { type: 'string' } },
      createdAt: { type: 'string', format: 'date-time' },
      lastReceivedAt: { type: ['string', 'null'], format: 'date-time' },
      revokedAt: { type: ['string', 'null'], format: 'date-time' },
    },
  }
  return {
    '/sources': {
      post: {
        operationId: 'createSource',
        tags: ['Sources'],
        summary: 'Register a form provider (signed webhook source)',
        description: 'Answers with the ingest URL and the Standard Webhooks secret (shown once). Admin keys only.',
        parameters: [param('IdempotencyKey')],
        requestBody: jsonBody({
          type: 'object',
          required: ['name', 'mapping'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            secret: { type: 'string', description: 'A Standard Webhooks secret (`whsec_` + base64); generated when omitted.' },
            mapping: { type: 'object', description: 'Field → dotted path in the provider’s JSON payload; must map `email`. A field is a capture field or a free-text field named by the tenant (a letter, then letters, digits, _ or -), recorded with the submission.', additionalProperties: { type: 'string' }, examples: [{ email: 'data.email', name: 'data.name' }] },
          },
        }),
        responses: {
          '201': jsonResponse('The source', { allOf: [source, { type: 'object', properties: { ingestUrl: { type: 'string', format: 'uri' }, secret: { type: 'string' } } }] }),
          ...problems(400, ...TENANT_ERRORS, 413, 415, 422),
        },
      },
      get: get('Sources', 'listSources', 'Every webhook source', dataList(source), { description: 'Admin keys only.' }),
    },
    '/sources/{id}': {
      delete: {
        operationId: 'revokeSource',
        tags: ['Sources'],
        summary: 'Revoke a source',
        description: 'Its deliveries are refused from then on. Admin keys only.',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^source_[0-9A-Za-z]{9}$' } }],
        responses: { '200': jsonResponse('The revoked source', source), ...problems(...TENANT_ERRORS) },
      },
    },
  }
}

function jobPaths(): Paths {
  const log = (operationId: string, summary: string, description = 'Admin keys only.'): Operation => ({
    get: get('Jobs', operationId, summary, dataList({ type: 'object', additionalProperties: true }), { description, parameters: [param('JobsLimit')] }),
  })
  return {
    '/jobs': log(
      'listJobRuns',
      'Background job runs, newest first',
      'Admin keys only. A finished run notes the event log’s chain head at that moment (`chainSeq`, `chainHead`): heads taken by the daily jobs on different days can be compared with `GET /events/verify`.',
    ),
    '/jobs/dead': log('listDeadLetters', 'Jobs that failed every retry (dead-letter queue)'),
    '/webhooks/deliveries': log('listWebhookDeliveries', 'Outbound webhook delivery log'),
  }
}

export const adminRoutePaths = (): Paths => ({ ...keyPaths(), ...sourcePaths(), ...jobPaths() })
