/**
 * Routes without an API key: public capture (website forms) and signed ingest under the tenant,
 * and, at the root, the operator's `/tenants` routes and this document itself.
 */
import { CaptureFields, HONEYPOT_FIELDS } from '../../domain/capture'
import { SLUG_PATTERN } from '../tenant'
import { header, jsonBody, jsonResponse, param, problems, type Paths } from './components'
import type { JsonSchema } from './schemas'
import { fromZod } from './tenant-routes'
import { restoredSchema, restoreFromSchema } from './backup-routes'

const ROOT_SERVER = [{ url: '/', description: 'The Worker’s root (not tenant-scoped)' }]

function captureForm(): JsonSchema {
  const schema = fromZod(CaptureFields)
  const properties = { ...(schema.properties as Record<string, JsonSchema>) }
  properties.email = { ...properties.email, format: 'email' }
  for (const name of HONEYPOT_FIELDS) properties[name] = { type: 'string', description: 'Honeypot: leave empty. A filled one is answered as a success and nothing is stored.' }
  // Forms post strings and may carry fields Revline does not know (`message`, `company_size`): kept as free text.
  return { ...schema, properties, additionalProperties: { type: 'string', description: 'Free text (message, comments, any field of the form): recorded with the submission on the lead’s timeline.' } }
}

function publicPaths(): Paths {
  const form = captureForm()
  return {
    '/capture': {
      post: {
        operationId: 'capture',
        tags: ['Capture'],
        summary: 'Public lead capture (website forms)',
        description:
          'No key: an HTML form on the tenant’s site posts here. Creates or reuses the Contact by email (case-insensitive); a contact with an open lead (New, Contacted, Qualified) gets the submission on that lead (its id is answered), otherwise a Lead is created (capture setting `newLeadPerSubmission` creates one every time). Every field but the honeypots and `redirect`, free text included, is recorded as a "Form submission" Note on the lead. `utm_*` become source, sourceDetail and campaign; a `source` that is not one of seed 003’s becomes `other`, the text kept in sourceDetail. ' +
          'With `redirect` on an allowed origin the answer is 303 there. Per-IP rate limit (429 + Retry-After), 64 KB body limit, CORS for the tenant’s allowed origins. Unknown or suspended tenants are 404. ' +
          'When the tenant lists allowed origins, a post whose Origin (or, without one, Referer origin) is another site is 403 and stores nothing. ' +
          'Idempotency-Key is honoured per client; identical submissions from one client within 60 s are answered with the first result and write nothing.',
        security: [],
        parameters: [param('IdempotencyKey')],
        requestBody: {
          required: true,
          content: { 'application/x-www-form-urlencoded': { schema: form }, 'multipart/form-data': { schema: form }, 'application/json': { schema: form } },
        },
        responses: {
          '201': jsonResponse(
            'Captured',
            { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean', const: true }, contact: { type: 'string' }, lead: { type: 'string' } } },
            { 'Access-Control-Allow-Origin': { description: 'The posting origin, when the tenant allows it.', schema: { type: 'string' } }, 'Idempotent-Replayed': header('IdempotentReplayed') },
          ),
          '303': { description: 'Captured; go to the form’s `redirect`.', headers: { Location: { schema: { type: 'string', format: 'uri' } } } },
          ...problems(400, 403, 404, 413, 415, 422, 429),
        },
      },
      options: {
        operationId: 'capturePreflight',
        tags: ['Capture'],
        summary: 'CORS preflight for capture',
        security: [],
        parameters: [{ name: 'Origin', in: 'header', required: true, schema: { type: 'string' } }],
        responses: { '204': { description: 'The origin may post' }, '403': { description: 'The origin is not allowed' } },
      },
    },
    '/sources/{id}/ingest': {
      post: {
        operationId: 'ingest',
        tags: ['Capture'],
        summary: 'Signed ingest from a form provider (Standard Webhooks)',
        description:
          'The source’s mapping turns the JSON payload into capture fields and the free-text fields it names, captured as a form post is. Unsigned, forged or stale (> 5 min) deliveries are 401; a replayed `webhook-id` is acknowledged (200, `duplicate: true`) and not applied twice.',
        security: [],
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^source_[0-9A-Za-z]{9}$' } },
          ...['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => ({ name, in: 'header', required: true, schema: { type: 'string' } })),
        ],
        requestBody: jsonBody({ type: 'object', description: 'The provider’s payload, as it sends it.', additionalProperties: true }),
        responses: {
          '201': jsonResponse('Captured', { type: 'object', properties: { ok: { type: 'boolean' }, contact: { type: 'string' }, lead: { type: 'string' } } }),
          '200': jsonResponse('Already received (same webhook-id)', { type: 'object', properties: { ok: { type: 'boolean' }, duplicate: { type: 'boolean', const: true } } }),
          ...problems(400, 401, 404, 413, 415, 422, 429),
        },
      },
    },
  }
}

const slugSchema: JsonSchema = { type: 'string', pattern: SLUG_PATTERN.source, description: 'Lowercase letters, digits and inner hyphens, 1 to 40 characters.' }

const tenantEntry: JsonSchema = {
  type: 'object',
  required: ['slug', 'name', 'status', 'createdAt'],
  properties: {
    slug: slugSchema,
    name: { type: 'string' },
    status: { type: 'string', enum: ['active', 'suspended'] },
    createdAt: { type: 'string', format: 'date-time' },
  },
}

function operatorPaths(): Paths {
  const security = [{ operatorToken: [] }]
  const slug = { name: 'slug', in: 'path', required: true, schema: slugSchema }
  const statusChange = (action: string, description: string) => ({
    servers: ROOT_SERVER,
    post: {
      operationId: `${action}Tenant`,
      tags: ['Operator'],
      summary: `${action.charAt(0).toUpperCase()}${action.slice(1)} a tenant`,
      description,
      security,
      parameters: [slug],
      responses: { '200': jsonResponse('The new status', { type: 'object', properties: { slug: { type: 'string' }, status: { type: 'string', enum: ['active', 'suspended'] } } }), ...problems(401, 403, 404) },
    },
  })
  return {
    '/tenants': {
      servers: ROOT_SERVER,
      post: {
        operationId: 'createTenant',
        tags: ['Operator'],
        summary: 'Create a tenant with its first admin key',
        security,
        description: 'Provisions the tenant (default stages, plan) with its first admin key, or, with `restoreFrom`, builds it from a backup instead (no provisioning: the backup’s log brings its own). A restore answers when it is done; a large one takes seconds to minutes.',
        requestBody: jsonBody({
          type: 'object',
          required: ['slug', 'name'],
          additionalProperties: false,
          properties: {
            slug: slugSchema,
            name: { type: 'string', minLength: 1, maxLength: 200 },
            owner: {
              type: 'object',
              description: 'The team’s first owner, invited by email (a sign-in link). Not with `restoreFrom`.',
              required: ['email', 'name'],
              additionalProperties: false,
              properties: { email: { type: 'string', format: 'email', maxLength: 254 }, name: { type: 'string', minLength: 1, maxLength: 200 } },
            },
            restoreFrom: restoreFromSchema(),
          },
        }),
        responses: {
          '201': jsonResponse('The tenant; `apiKey` (an admin key) is shown this once', {
            type: 'object',
            required: ['tenant', 'apiKey', 'keyId'],
            properties: { tenant: tenantEntry, apiKey: { type: 'string', pattern: '^rvl_[0-9A-Za-z]{32}$' }, keyId: { type: 'string' }, restored: restoredSchema },
          }),
          ...problems(400, 401, 403, 404, 409, 413, 415, 422),
        },
      },
      get: {
        operationId: 'listTenants',
        tags: ['Operator'],
        summary: 'Every tenant',
        security,
        parameters: [{ name: 'status', in: 'query', schema: { type: 'string', enum: ['active', 'suspended'] } }],
        responses: { '200': jsonResponse('The tenants, by slug', { type: 'object', properties: { data: { type: 'array', items: tenantEntry } } }), ...problems(400, 401, 403) },
      },
    },
    '/tenants/{slug}/restore': {
      servers: ROOT_SERVER,
      get: {
        operationId: 'restoreStatus',
        tags: ['Operator'],
        summary: 'Where a restore into the tenant stands',
        description: '`POST /tenants` with `restoreFrom` answers when the restore is done; a restore whose caller stopped waiting is carried on by the tenant object, and this says how far it is (the tenant answers 404 until it is done).',
        security,
        parameters: [slug],
        responses: {
          '200': jsonResponse('The restore under way, or `restoring: false`', {
            type: 'object',
            required: ['slug', 'restoring'],
            properties: { slug: slugSchema, restoring: { type: 'boolean' }, phase: { type: 'string', enum: ['log', 'fold', 'finish'] }, events: { type: 'integer' }, entities: { type: 'integer' } },
          }),
          ...problems(401, 403, 404),
        },
      },
    },
    '/tenants/{slug}/suspend': statusChange('suspend', 'Keys get 403 and the public 404 until it is reactivated.'),
    '/tenants/{slug}/reactivate': statusChange('reactivate', 'Undoes a suspension.'),
  }
}

function metaPaths(): Paths {
  return {
    '/openapi.json': {
      servers: ROOT_SERVER,
      get: {
        operationId: 'openapi',
        tags: ['Meta'],
        summary: 'This document',
        description: 'Revline’s own nouns, for any tenant. A tenant’s own document, with its custom fields and nouns, is `GET /~{tenant}/openapi.json` (any key of the tenant).',
        security: [],
        responses: { '200': jsonResponse('OpenAPI 3.1', { type: 'object' }) },
      },
    },
    '/docs': {
      servers: ROOT_SERVER,
      get: {
        operationId: 'docs',
        tags: ['Meta'],
        summary: 'The API reference page (served by the Worker, no CDN)',
        security: [],
        responses: { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } },
      },
    },
  }
}

export const edgePaths = (): Paths => ({ ...publicPaths(), ...operatorPaths(), ...metaPaths() })
