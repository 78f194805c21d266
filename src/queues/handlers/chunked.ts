/**
 * leadFollowUpReminder and leadScoreRefresh run in chunks: each chunk is one call to the tenant
 * object (well inside its CPU limit). One message keeps calling for the next chunk for up to
 * CHAIN_MS, then hands the rest to a follow-up message, so a large tenant neither holds one
 * invocation long nor waits a queue hop per chunk.
 */
import type { JobMessage } from '../../durable/jobs/messages'
import { runTenantJob } from './run'

export const CHAIN_MS = 15_000

export async function handleChunked(env: Env, job: Extract<JobMessage, { type: 'reminders' | 'rescore' }>, now = () => Date.now()) {
  const started = now()
  let current = job
  for (;;) {
    const result = await runTenantJob(env, current)
    const next = result && 'next' in result ? result.next : undefined
    if (!next) return
    current = { ...current, cursor: next }
    if (now() - started > CHAIN_MS) {
      await env.JOBS.send(current)
      return
    }
  }
}
