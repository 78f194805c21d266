/**
 * The daily crons, fanned out over tenants (seed 003's leadNurtureOrgFollowUps): read the active
 * tenants from the registry and send one message per tenant, in batches, so tenants run in parallel.
 * 02:00 backs every tenant up (before the 03:00 rescoring writes its changes), 03:00 rescores, 08:00 reminds.
 */
import type { JobMessage } from '../durable/jobs/messages'

export const CRONS = { '0 2 * * *': 'backup', '0 3 * * *': 'rescore', '0 8 * * *': 'reminders' } as const
type CronJob = (typeof CRONS)[keyof typeof CRONS]
/** Queues accept at most 100 messages per sendBatch. */
const BATCH = 100

function messageFor(job: CronJob, tenant: string, day: string): JobMessage {
  switch (job) {
    case 'backup':
      return { type: 'backup', tenant, day }
    case 'rescore':
      return { type: 'rescore', tenant, runId: `rescore:${day}` }
    case 'reminders':
      return { type: 'reminders', tenant, runId: `reminders:${day}`, day }
  }
}

export async function leadNurtureOrgFollowUps(env: Env, job: CronJob, scheduledTime: number): Promise<number> {
  const day = new Date(scheduledTime).toISOString().slice(0, 10)
  const tenants = await env.REGISTRY.getByName('registry').list('active')
  const messages = tenants.map((t) => messageFor(job, t.slug, day))
  for (let i = 0; i < messages.length; i += BATCH) await env.JOBS.sendBatch(messages.slice(i, i + BATCH).map((body) => ({ body })))
  return messages.length
}

export async function onSchedule(controller: ScheduledController, env: Env) {
  const job = CRONS[controller.cron as keyof typeof CRONS]
  if (!job) {
    console.error('unknown cron', controller.cron)
    return
  }
  const sent = await leadNurtureOrgFollowUps(env, job, controller.scheduledTime)
  console.log(`cron ${controller.cron}: ${job} fanned out to ${sent} tenants`)
}
