/**
 * The tenant object's side of backups: who may make one (an admin's credentials, or the nightly job
 * as `system`), one backup per id at a time, the nightly one once per day (a redelivered job finds
 * the object it made), and the record of it: a `backup.created` event, and a job run for the nightly.
 */
import { authorize } from '../domain/access'
import type { Actor } from '../domain/engine/types'
import { AppError } from '../domain/errors'
import { newId } from '../domain/ids'
import { appendAudit } from './audit'
import { writeBackup } from './backup'
import { backupKey, nightlyBackupId, summaryOf, type BackupSummary } from './backup-store'
import { finishRun, progressRun, startRun } from './jobs/runs'
import type { Credentials } from './operations'
import type { TenantState } from './tenant-state'

/** `POST /backups` sends the caller's credentials; the nightly job names its day (`2026-11-20`). */
export type BackupRequest = { credentials: Credentials } | { nightly: string }

export interface BackupPorts {
  sql: SqlStorage
  bucket: R2Bucket
  state: TenantState
  transaction: <T>(fn: () => T) => T
}

const SYSTEM: Actor = { id: 'system', role: 'system' }

export class Backups {
  /** Backups being written, by id: a second request for the same one waits for the first. */
  private readonly running = new Map<string, Promise<BackupSummary>>()

  constructor(private readonly ports: BackupPorts) {}

  async run(request: BackupRequest): Promise<BackupSummary> {
    const info = this.ports.state.info()
    if (!info) throw new AppError('not_found', 'tenant not found')
    let actor = SYSTEM
    if ('credentials' in request) {
      actor = this.ports.state.authenticate(request.credentials)
      authorize(actor, 'admin')
    } else if (info.status !== 'active') throw new AppError('not_found', 'tenant not found')
    const id = 'nightly' in request ? nightlyBackupId(request.nightly) : newId('bkp')
    const pending = this.running.get(id)
    if (pending) return pending
    const requestId = 'credentials' in request ? request.credentials.requestId : `job:backup:${request.nightly}`
    const run = this.write(info.slug, id, actor, requestId, 'nightly' in request ? `backup:${request.nightly}` : undefined).finally(() => this.running.delete(id))
    this.running.set(id, run)
    return run
  }

  private async write(slug: string, id: string, actor: Actor, requestId: string, runId: string | undefined): Promise<BackupSummary> {
    const { sql, bucket, transaction } = this.ports
    if (runId) {
      // Idempotent per tenant and day: the day's backup, once written, is the answer to every retry.
      const existing = await bucket.head(backupKey(slug, id))
      const summary = existing && summaryOf(existing)
      if (summary) return summary
      transaction(() => startRun(sql, runId, 'tenantBackup'))
    }
    try {
      const summary = await writeBackup(sql, bucket, slug, id, new Date().toISOString())
      transaction(() => {
        const { seq, head, events, bytes, kind } = summary
        appendAudit(sql, actor, requestId, { type: 'backup.created', entityType: 'Backup', entityId: id, verb: 'create', data: { seq, head, events, bytes, kind } })
        if (runId) {
          progressRun(sql, runId, 'all', { items: events, changed: 1 })
          finishRun(sql, runId, 'ok', `${events} events, ${bytes} bytes`)
        }
      })
      return summary
    } catch (error) {
      if (runId) transaction(() => finishRun(sql, runId, 'failed', error instanceof Error ? error.message : String(error)))
      throw error
    }
  }
}
