/**
 * leadFollowUpReminder and leadScoreRefresh: one chunk per message; when the tenant object says
 * there is more, the next chunk is a new message, so no invocation runs long.
 */
import type { JobMessage } from '../messages'
import { runTenantJob } from './run'

export async function handleChunked(env: Env, job: Extract<JobMessage, { type: 'reminders' | 'rescore' }>) {
  const result = await runTenantJob(env, job)
  if (result && 'next' in result && result.next) await env.JOBS.send({ ...job, cursor: result.next })
}
