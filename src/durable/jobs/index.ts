/**
 * The tenant object's side of every background job. The queue consumer calls `runJob` with a
 * validated message; each job records its run, and its effects are keyed so redelivery is a no-op.
 */
import type { JobMessage } from './messages'
import type { DispatchContext } from '../context'
import { nurture, type EmailSetting } from './nurture'
import { remind } from './reminders'
import { rescoreChunk } from './rescore'
import { finishRun, progressRun, skippedIn, startRun } from './runs'
import { prepareDelivery } from './webhooks'

export type JobResult =
  | { type: 'nurture'; skipped: boolean; messages: string[] }
  | { type: 'reminders' | 'rescore'; items: number; changed: number; next?: string }
  | { type: 'webhook'; delivery: ReturnType<typeof prepareDelivery> }

/**
 * One job, one transaction: its effects and its run's bookkeeping (start, progress, finish) commit
 * together, so a fault between them cannot leave a run that counts an effect it will now skip.
 */
export function runJob(ctx: DispatchContext, email: EmailSetting, job: JobMessage): JobResult {
  return ctx.transaction(() => runInTransaction(ctx, email, job))
}

function runInTransaction(ctx: DispatchContext, email: EmailSetting, job: JobMessage): JobResult {
  const sql = ctx.store.sql
  switch (job.type) {
    case 'email':
    case 'backup':
      // Sent by the queue consumer straight to the provider (src/queues/email.ts), or written by the
      // object's own backup (src/durable/backup-ops.ts): nothing runs here.
      throw new Error(`${job.type} jobs are not run by runJob`)
    case 'nurture': {
      const runId = `nurture:${job.event}`
      startRun(sql, runId, 'leadNurtureFollowUp')
      const result = nurture(ctx, email, job)
      progressRun(sql, runId, 'all', { items: result.skipped ? 0 : 1, changed: result.messages.length })
      finishRun(sql, runId, 'ok', result.skipped ? 'already done' : null)
      return { type: 'nurture', ...result }
    }
    case 'reminders': {
      startRun(sql, job.runId, 'leadFollowUpReminder')
      const result = remind(ctx, job)
      progressRun(sql, job.runId, job.cursor ?? 'start', { items: result.items, changed: result.reminded, skipped: result.unassigned })
      if (!result.next) {
        const unassigned = skippedIn(sql, job.runId)
        finishRun(sql, job.runId, 'ok', unassigned ? `${unassigned} overdue items have no owner` : null)
      }
      return { type: 'reminders', items: result.items, changed: result.reminded, ...(result.next ? { next: result.next } : {}) }
    }
    case 'rescore': {
      startRun(sql, job.runId, 'leadScoreRefresh')
      const result = rescoreChunk(ctx, job.cursor)
      progressRun(sql, job.runId, job.cursor ?? 'start', { items: result.processed, changed: result.changed })
      if (!result.next) finishRun(sql, job.runId, 'ok')
      return { type: 'rescore', items: result.processed, changed: result.changed, ...(result.next ? { next: result.next } : {}) }
    }
    case 'webhook':
      return { type: 'webhook', delivery: prepareDelivery(ctx, job) }
  }
}
