/**
 * The nightly backup of one tenant (cron `0 2 * * *`, fanned out per active tenant): the tenant
 * object writes the day's backup (once: a redelivered message finds it and writes no second), then
 * the tenant's backups made more than BACKUP_RETENTION_DAYS before that day are deleted, never its
 * newest. A tenant gone or suspended has nothing to back up; its backups stay.
 */
import { AppError } from '../../domain/errors'
import { deleteExpired, retentionDays, type BackupSummary } from '../../durable/backup-store'
import type { JobMessage } from '../../durable/jobs/messages'
import type { Outcome } from '../../durable/operations'

export async function handleBackup(env: Env, job: Extract<JobMessage, { type: 'backup' }>): Promise<BackupSummary | undefined> {
  const outcome = (await env.TENANT.getByName(job.tenant).backup({ nightly: job.day })) as Outcome<BackupSummary>
  if (!outcome.ok) {
    if (outcome.failure.code === 'not_found') return undefined
    throw AppError.fromFailure(outcome.failure)
  }
  await deleteExpired(env.BACKUPS, job.tenant, retentionDays(env.BACKUP_RETENTION_DAYS), new Date(`${job.day}T00:00:00.000Z`))
  return outcome.value
}
