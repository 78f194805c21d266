/**
 * `GET /openapi.json`: the OpenAPI 3.1 document of Revline's own nouns, generated the first time an
 * isolate is asked for it and kept for the isolate's life; `GET /~{tenant}/openapi.json`: the same
 * document for one tenant, its own fields and nouns included, rebuilt when its schema version moves.
 */
import { nouns as builtIns } from '../../domain/nouns'
import type { CollectionRegistry } from '../../domain/noun/registry'
import { adminRoutePaths } from './admin-routes'
import { backupPaths } from './backup-routes'
import { collectionPaths } from './collections'
import { sharedComponents, type Paths } from './components'
import { edgePaths } from './edge-routes'
import { peoplePaths } from './people-routes'
import { searchPaths } from './search-routes'
import { subjectPaths } from './subject-routes'
import { nounComponents } from './schemas'
import { passkeyRoutePaths } from './passkey-routes'
import { schemaRoutePaths } from './schema-routes'
import { tenantRoutePaths, tenantRouteSchemas } from './tenant-routes'

const DESCRIPTION = `Revline is a headless, multi-tenant CRM. Every noun is declared once and this document is derived from those declarations.

**Tenants.** Every tenant route is under \`/~{tenant}\` (or on the host \`{tenant}.{baseHost}\`); pick the server and set the tenant slug.

**Auth.** \`Authorization: Bearer <api key>\` (roles admin and member). A key belongs to a user (it acts as them, never with more rights) or is a service key. People sign in to the dashboard by email link or passkey; their session cookie also answers \`/me\`. The operator's \`/tenants\` routes take the operator token; public capture and signed ingest take none.

**Errors** are \`application/problem+json\` (RFC 9457) with a stable \`code\` and, for input, \`errors: [{ path, message }]\`. Bad input is always a 4xx and changes nothing. A 401 carries \`WWW-Authenticate: Bearer\`; a method a path does not list here is 405 with \`Allow\`.`

/** `tenant`: the document of one tenant (its nouns, its servers only); without it, Revline's own nouns for any tenant. */
export function buildDocument(baseHost: string, nouns: CollectionRegistry = builtIns, tenant?: string): Record<string, unknown> {
  const all = nouns.all()
  const schemas: Record<string, unknown> = {}
  const paths: Paths = {}
  for (const noun of all) {
    Object.assign(schemas, nounComponents(noun))
    Object.assign(paths, collectionPaths(noun))
  }
  Object.assign(paths, subjectPaths(nouns), tenantRoutePaths(), schemaRoutePaths(), adminRoutePaths(), backupPaths(), peoplePaths(), passkeyRoutePaths(), searchPaths(), edgePaths())
  const shared = sharedComponents()
  return {
    openapi: '3.1.0',
    info: { title: 'Revline API', version: '1.0.0', description: DESCRIPTION },
    servers: tenant
      ? [
          { url: `/~${tenant}`, description: `Tenant ${tenant}, path form (this host)` },
          { url: `{scheme}://${tenant}.{baseHost}`, description: `Tenant ${tenant}, host form`, variables: { scheme: { default: 'https', enum: ['https', 'http'] }, baseHost: { default: baseHost } } },
        ]
      : [
          { url: '/~{tenant}', description: 'Path form (this host)', variables: { tenant: { default: 'acme', description: 'The tenant slug' } } },
          {
            url: '{scheme}://{tenant}.{baseHost}',
            description: 'Host form',
            variables: { scheme: { default: 'https', enum: ['https', 'http'] }, tenant: { default: 'acme' }, baseHost: { default: baseHost, description: 'BASE_HOST (with :port in development)' } },
          },
        ],
    security: [{ apiKey: [] }],
    tags: [
      ...all.map((n) => ({ name: n.name, description: `\`/${n.plural}\`${n.adminOnly ? ' (writes: admin keys only)' : ''}` })),
      ...['Events', 'Search', 'Schema', 'Settings', 'People', 'Passkeys', 'Keys', 'Sources', 'Pipeline', 'Jobs', 'Backups', 'Capture', 'Operator', 'Meta'].map((name) => ({ name })),
    ],
    paths,
    components: { ...shared, schemas: { ...(shared.schemas as object), ...tenantRouteSchemas(), ...schemas } },
  }
}

const tenantDocuments = new WeakMap<CollectionRegistry, { key: string; json: string }>()

/** A tenant's document as JSON text, kept as long as the registry it was built from (one per schema version). */
export function tenantOpenApiJson(baseHost: string, nouns: CollectionRegistry, tenant: string): string {
  const key = `${baseHost} ${tenant}`
  const held = tenantDocuments.get(nouns)
  if (held?.key === key) return held.json
  const json = JSON.stringify(buildDocument(baseHost, nouns, tenant))
  tenantDocuments.set(nouns, { key, json })
  return json
}

let cached: { baseHost: string; json: string } | undefined

/** The document as JSON text, built once per isolate. */
export function openApiJson(baseHost: string): string {
  if (cached?.baseHost !== baseHost) cached = { baseHost, json: JSON.stringify(buildDocument(baseHost)) }
  return cached.json
}
