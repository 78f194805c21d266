import { AppError } from '../../domain/errors'
import type { JobResult } from '../../durable/jobs'
import type { Outcome } from '../../durable/operations'
import type { JobMessage } from '../../durable/jobs/messages'

/** Runs a job in its tenant's object; an unknown or suspended tenant has nothing to do (not an error). */
export async function runTenantJob(env: Env, job: JobMessage): Promise<JobResult | undefined> {
  const outcome = (await env.TENANT.getByName(job.tenant).runJob(job)) as Outcome<JobResult>
  if (outcome.ok) return outcome.value
  if (outcome.failure.code === 'not_found') return undefined
  throw new AppError(outcome.failure.code, outcome.failure.detail, outcome.failure.errors)
}
