/** Backups (`/backups`, admin keys) and the operator's restore body (`restoreFrom` of `POST /tenants`). */
import { TENANT_ERRORS, dataList, jsonResponse, problems, type Paths } from './components'
import type { JsonSchema } from './schemas'
import { fromZod, get } from './tenant-routes'
import { RestoreFrom } from '../restore'

const hash = { type: 'string', pattern: '^[0-9a-f]{64}$' }

const backup: JsonSchema = {
  type: 'object',
  required: ['id', 'createdAt', 'seq', 'head', 'events', 'bytes', 'kind'],
  properties: {
    id: { type: 'string', pattern: '^(?:bkp_[0-9A-Za-z]{9}|nightly-\\d{4}-\\d{2}-\\d{2})$', examples: ['bkp_fX9bL5nRd', 'nightly-2026-11-20'] },
    createdAt: { type: 'string', format: 'date-time' },
    seq: { type: 'integer', description: 'The last event the backup holds.' },
    head: { ...hash, description: 'The hash chain’s head at `seq`: what `GET /events/verify` answered then.' },
    events: { type: 'integer' },
    bytes: { type: 'integer', description: 'Size of the gzip-compressed NDJSON object in R2.' },
    kind: { type: 'string', enum: ['manual', 'nightly'] },
  },
}

export function backupPaths(): Paths {
  return {
    '/backups': {
      post: {
        operationId: 'createBackup',
        tags: ['Backups'],
        summary: 'Back the tenant up to R2',
        description:
          'Writes the event log (every event’s stored columns with its link in the hash chain) and what the log does not hold (API key hashes, passkeys, sources, settings and schema, subject keys) to R2 as one gzip-compressed NDJSON object, `tenants/{tenant}/{id}.ndjson.gz`, read and uploaded in pages. It holds the log up to its head when the request started. The operator restores it into a new tenant (`POST /tenants` with `restoreFrom`). Logged as `backup.created`. Admin keys only.',
        responses: { '201': jsonResponse('What the backup holds', backup), ...problems(...TENANT_ERRORS) },
      },
      get: get('Backups', 'listBackups', 'The tenant’s backups, newest first', dataList(backup), {
        description: 'Manual ones and the nightly ones (02:00 UTC, kept `BACKUP_RETENTION_DAYS`, default 30). Read from R2’s listing of this tenant’s own prefix. Admin keys only.',
      }),
    },
  }
}

/** `restoreFrom` of `POST /tenants`, from the zod schema the route validates with. */
export const restoreFromSchema = (): JsonSchema => ({
  ...fromZod(RestoreFrom),
  description:
    'Build the tenant from a backup of `tenant` (backups outlive their tenant) instead of provisioning it: the log up to `untilSeq` (or the last event at or before `untilTime`; the whole backup without either) written back verbatim, every entity, counter and search entry folded from it, the schema of that point; keys, passkeys, sources and settings as the backup holds them. Unknown tenant or backup: 404 naming the field; a point beyond the backup: 422.',
})

export const restoredSchema: JsonSchema = {
  type: 'object',
  description: 'With `restoreFrom`: what was restored. The new tenant’s log goes on with a `tenant.restored` event.',
  required: ['tenant', 'backup', 'seq', 'head', 'events', 'entities'],
  properties: {
    tenant: { type: 'string' },
    backup: { type: 'string' },
    seq: { type: 'integer' },
    head: { ...hash, description: 'The chain head at `seq`: the source’s `GET /events/verify` head there.' },
    events: { type: 'integer' },
    entities: { type: 'integer' },
    settingsReset: { type: 'array', items: { type: 'string' }, description: 'Settings sections reset to their defaults: they named fields the schema at that point lacks.' },
    midWrite: { type: 'boolean', description: 'The point cuts one write in two (the source’s next event came from the same request at the same instant): restore to that write’s last event to keep it whole.' },
  },
}
