/**
 * The daily crons, fanned out over tenants (seed 003's leadNurtureOrgFollowUps): read the active
 * tenants from the registry and send one message per tenant, in batches, so tenants run in parallel.
 */
import type { JobMessage } from '../durable/jobs/messages'

export const CRONS = { '0 3 * * *': 'rescore', '0 8 * * *': 'reminders' } as const
/** Queues accept at most 100 messages per sendBatch. */
const BATCH = 100

export async function leadNurtureOrgFollowUps(env: Env, job: 'rescore' | 'reminders', scheduledTime: number): Promise<number> {
  const day = new Date(scheduledTime).toISOString().slice(0, 10)
  const tenants = await env.REGISTRY.getByName('registry').list('active')
  const messages: JobMessage[] = tenants.map((t) =>
    job === 'rescore' ? { type: 'rescore', tenant: t.slug, runId: `rescore:${day}` } : { type: 'reminders', tenant: t.slug, runId: `reminders:${day}`, day },
  )
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
