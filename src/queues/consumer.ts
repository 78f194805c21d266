/**
 * The queue consumer: validate each message, hand it to its handler, ack on success, retry with
 * exponential backoff on failure. After the configured retries the platform moves the message to
 * the dead-letter queue, whose consumer records it in the tenant (GET /jobs/dead).
 */
import { handleBackup } from './handlers/backup'
import { handleChunked } from './handlers/chunked'
import { handleNurture } from './handlers/nurture'
import { handleWebhook } from './handlers/webhook'
import { sendQueued } from './email'
import { JobMessage } from '../durable/jobs/messages'

/** 10 s, 20 s, 40 s… capped at 10 minutes. */
export const backoffSeconds = (attempts: number) => Math.min(600, 10 * 2 ** Math.max(0, attempts - 1))

export async function handleJob(env: Env, job: JobMessage) {
  switch (job.type) {
    case 'nurture':
      return handleNurture(env, job)
    case 'reminders':
    case 'rescore':
      return handleChunked(env, job)
    case 'webhook':
      return handleWebhook(env, job)
    case 'email':
      return sendQueued(env, job.tenant, [job.message])
    case 'backup':
      return handleBackup(env, job)
  }
}

export async function consumeJobs(batch: MessageBatch<unknown>, env: Env) {
  for (const message of batch.messages) {
    const parsed = JobMessage.safeParse(message.body)
    if (!parsed.success) {
      // A malformed message will never succeed: keep it for inspection rather than retrying it.
      console.error('malformed job message', message.id, parsed.error.issues)
      await env.DEAD_LETTERS.send(message.body)
      message.ack()
      continue
    }
    try {
      await handleJob(env, parsed.data)
      message.ack()
    } catch (error) {
      console.error('job failed', parsed.data.type, message.id, 'attempt', message.attempts, error)
      message.retry({ delaySeconds: backoffSeconds(message.attempts) })
    }
  }
}

/** Dead letters are recorded in their tenant's object, where admins can read them. */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Env) {
  for (const message of batch.messages) {
    const body = message.body as { type?: unknown; tenant?: unknown }
    const tenant = typeof body?.tenant === 'string' && /^[a-z0-9-]{1,40}$/.test(body.tenant) ? body.tenant : undefined
    if (tenant) await env.TENANT.getByName(tenant).recordDeadLetter({ id: message.id, type: String(body.type ?? 'unknown'), body: message.body, attempts: message.attempts })
    else console.error('dead letter without a tenant', message.id, message.body)
    message.ack()
  }
}
