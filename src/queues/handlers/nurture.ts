/** leadNurtureFollowUp: render and send the stage's email, notify the owner (exactly once per stage entry). */
import type { JobMessage } from '../../durable/jobs/messages'
import { sendQueued } from '../email'
import { runTenantJob } from './run'

export async function handleNurture(env: Env, job: Extract<JobMessage, { type: 'nurture' }>) {
  const result = await runTenantJob(env, job)
  if (result?.type === 'nurture') await sendQueued(env, job.tenant, result.messages)
}
