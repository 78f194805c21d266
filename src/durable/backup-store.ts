/**
 * Where backups live in R2: `tenants/{slug}/{id}.ndjson.gz`, the header's facts repeated in the
 * object's customMetadata so a listing needs no read of the objects themselves. One prefix per
 * tenant: a tenant's listing can only ever name its own backups, and they outlive the tenant.
 */
import type { BackupHeader } from './backup-format'

/** What `GET /backups` lists and `POST /backups` answers. */
export interface BackupSummary {
  id: string
  createdAt: string
  /** The last event it holds, and the chain's hash there (what `GET /events/verify` answered then). */
  seq: number
  head: string
  events: number
  /** Bytes of the compressed object. */
  bytes: number
  /** `nightly` (the 02:00 job) or `manual` (`POST /backups`). */
  kind: 'nightly' | 'manual'
}

export const BACKUP_ID = /^(?:bkp_[0-9A-Za-z]{9}|nightly-\d{4}-\d{2}-\d{2})$/

/** The nightly backup of a day has a fixed id, so a redelivered job finds the one it made. */
export const nightlyBackupId = (day: string) => `nightly-${day}`

const prefixOf = (slug: string) => `tenants/${slug}/`
export const backupKey = (slug: string, id: string) => `${prefixOf(slug)}${id}.ndjson.gz`

export function backupMetadata(header: BackupHeader): Record<string, string> {
  return {
    format: String(header.format),
    tenant: header.tenant,
    id: header.id,
    createdAt: header.createdAt,
    seq: String(header.seq),
    head: header.head,
    events: String(header.events),
    migration: header.migration.tag,
  }
}

/** A stored backup as listed: what its metadata says (objects without it are not backups and are skipped). */
export function summaryOf(object: R2Object): BackupSummary | undefined {
  const m = object.customMetadata ?? {}
  const id = object.key.split('/').at(-1)?.replace(/\.ndjson\.gz$/, '') ?? ''
  if (!BACKUP_ID.test(id) || m.seq === undefined || m.head === undefined) return undefined
  return {
    id,
    createdAt: m.createdAt ?? object.uploaded.toISOString(),
    seq: Number(m.seq),
    head: m.head,
    events: Number(m.events ?? 0),
    bytes: object.size,
    kind: id.startsWith('nightly-') ? 'nightly' : 'manual',
  }
}

/** Every backup of a tenant, newest first (the listing is read page by page; a tenant keeps tens of them). */
export async function listBackups(bucket: R2Bucket, slug: string): Promise<BackupSummary[]> {
  const out: BackupSummary[] = []
  let cursor: string | undefined
  do {
    const page = await bucket.list({ prefix: prefixOf(slug), include: ['customMetadata'], ...(cursor ? { cursor } : {}) })
    for (const object of page.objects) {
      const summary = summaryOf(object)
      if (summary) out.push(summary)
    }
    cursor = page.truncated ? page.cursor : undefined
  } while (cursor)
  return out.sort((a, b) => (a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt.localeCompare(a.createdAt)))
}

/** Whether any backup of `slug` is stored (a restore names a tenant that may be gone by now). */
export async function hasBackups(bucket: R2Bucket, slug: string): Promise<boolean> {
  return (await bucket.list({ prefix: prefixOf(slug), limit: 1 })).objects.length > 0
}

/**
 * Deletes the tenant's backups made before `days` days ahead of `now`, never the newest one (a
 * tenant whose backups stopped keeps its last). Answers the ids it deleted.
 */
export async function deleteExpired(bucket: R2Bucket, slug: string, days: number, now: Date): Promise<string[]> {
  const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString()
  const [, ...older] = await listBackups(bucket, slug)
  const expired = older.filter((b) => b.createdAt < cutoff).map((b) => b.id)
  // R2 deletes up to 1,000 keys per call.
  for (let i = 0; i < expired.length; i += 1000) await bucket.delete(expired.slice(i, i + 1000).map((id) => backupKey(slug, id)))
  return expired
}

/** `BACKUP_RETENTION_DAYS` (wrangler var), 30 when unset or not a positive whole number. */
export function retentionDays(value: string | undefined): number {
  const days = Number(value)
  return Number.isInteger(days) && days > 0 ? days : 30
}
