/**
 * The operator's restore: `POST /tenants { slug, name, restoreFrom: { tenant, backup, untilSeq? |
 * untilTime? } }` builds the new tenant from one of `tenant`'s backups (which outlive that tenant),
 * up to a point in its log. The backup is found and the point checked against it here, before the
 * slug is claimed; the tenant object then restores in steps (src/durable/restore.ts), each call one
 * bounded invocation, and this loop calls until it is done.
 */
import { z } from 'zod'
import { AppError } from '../domain/errors'
import { BACKUP_ID, backupKey, hasBackups } from '../durable/backup-store'
import type { RestoreInit, RestoreProgress } from '../durable/recovery'
import type { Outcome } from '../durable/operations'
import { SLUG_PATTERN, valueOf } from './tenant'

export const RestoreFrom = z
  .strictObject({
    tenant: z.string().regex(SLUG_PATTERN, 'a tenant slug'),
    backup: z.string().regex(BACKUP_ID, 'a backup id, as GET /~{tenant}/backups lists them'),
    /** The last event to restore (a seq of the backup's log). */
    untilSeq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
    /** Restore up to the last event at or before this instant. */
    untilTime: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((from) => from.untilSeq === undefined || from.untilTime === undefined, { path: ['untilTime'], message: 'give untilSeq or untilTime, not both' })

export type RestoreFrom = z.infer<typeof RestoreFrom>

/** The restore point, checked against the backup's metadata: 404 naming the field for an unknown tenant or backup, 422 for a point beyond it. */
export async function checkRestoreFrom(bucket: R2Bucket, from: RestoreFrom): Promise<Pick<RestoreInit, 'from' | 'untilSeq' | 'untilTime'>> {
  const object = await bucket.head(backupKey(from.tenant, from.backup))
  if (!object) {
    if (!(await hasBackups(bucket, from.tenant))) throw new AppError('not_found', `there are no backups of tenant '${from.tenant}'`, [{ path: 'restoreFrom.tenant', message: 'has no backups' }])
    throw new AppError('not_found', `tenant '${from.tenant}' has no backup '${from.backup}'`, [{ path: 'restoreFrom.backup', message: 'not found' }])
  }
  const meta = object.customMetadata ?? {}
  const seq = Number(meta.seq)
  if (from.untilSeq !== undefined && from.untilSeq > seq)
    throw new AppError('validation_failed', `backup ${from.backup} ends at seq ${seq}`, [{ path: 'restoreFrom.untilSeq', message: `is beyond the backup (its last event is seq ${seq})` }])
  const untilTime = from.untilTime === undefined ? undefined : new Date(from.untilTime).toISOString()
  if (untilTime !== undefined && meta.createdAt !== undefined && untilTime > meta.createdAt)
    throw new AppError('validation_failed', `backup ${from.backup} was made at ${meta.createdAt}; it cannot say what happened after`, [
      { path: 'restoreFrom.untilTime', message: 'is after the backup was made: choose a later backup, or leave it out to restore the whole backup' },
    ])
  return { from: { tenant: from.tenant, backup: from.backup }, ...(from.untilSeq !== undefined ? { untilSeq: from.untilSeq } : {}), ...(untilTime !== undefined ? { untilTime } : {}) }
}

type TenantStub = ReturnType<Env['TENANT']['getByName']>

/** Calls the new tenant's object for restore steps until it is done; its failure (the object then holds nothing) is thrown. */
export async function restoreTenant(stub: TenantStub, init: RestoreInit): Promise<Required<Pick<RestoreProgress, 'tenant' | 'restored'>>> {
  for (;;) {
    const progress = valueOf<RestoreProgress>((await stub.restore(init)) as Outcome)
    if (progress.done && progress.tenant && progress.restored) return { tenant: progress.tenant, restored: progress.restored }
  }
}
