/**
 * The Revline SDK: a typed client for the HTTP API, its types derived from the server's noun
 * definitions (type-only imports; nothing of the server runs here).
 *
 *   import { createClient } from './sdk'
 *   const revline = createClient({ baseUrl: 'http://127.0.0.1:8787', tenant: 'acme', apiKey: 'rvl_…' })
 *   const hot = await revline.Lead.find({ status: 'Qualified', score: { $gte: 80 } }, { sort: '-score', limit: 25 })
 *   for await (const lead of revline.Lead.all({ source: 'website' })) …
 *
 * Or the default client (env REVLINE_URL / REVLINE_TENANT / REVLINE_API_KEY, or `configure`):
 *   import { Contact, Deal } from './sdk/crm'
 */
export { createClient, type RevlineClient, type EventsClient, type PipelineClient, type SettingsClient, type SettingsSection, type ChainVerification } from './client'
export { configure, revline } from './default'
export { RevlineError, RevlineNetworkError, RevlineConfigError, ServerSideHookError, isRevlineError } from './errors'
export { newIdempotencyKey, type ClientOptions, type FetchLike } from './http'
export { MANIFEST } from './manifest'
export * from './crm'
export * from './billing'
export type * from './types'
export type { NounHandle, UntypedEntity, CreateOf, UpdateOf, UntypedFilter, UntypedSort, UntypedListOptions, UntypedAllOptions, UntypedHistoryEntry } from './untyped'
export type { NounsClient, NounView, NounList, NounBody, SchemaChange, SchemaWriteOptions, ManifestClient, RevlineManifest, ManifestChange, ManifestResult } from './schema'
export type { MeClient, UsersClient, Me, Session, UserKey, NewKey } from './people'
