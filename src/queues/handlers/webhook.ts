/**
 * Outbound webhooks: the event is signed with the subscription's secret (Standard Webhooks: id,
 * timestamp, HMAC) and posted; every attempt is logged; a failure is retried by the queue and
 * dead-lettered after the configured attempts. Private, loopback and link-local targets are refused
 * outside local development (src/domain/webhook-target.ts).
 */
import { Webhook } from 'standardwebhooks'
import { webhookTargetPolicy, webhookTargetProblem } from '../../domain/webhook-target'
import type { JobMessage } from '../../durable/jobs/messages'
import { runTenantJob } from './run'

/** Give slow receivers this long; the queue retries the rest. */
const TIMEOUT_MS = 10_000

export async function handleWebhook(env: Env, job: Extract<JobMessage, { type: 'webhook' }>) {
  const result = await runTenantJob(env, job)
  if (result?.type !== 'webhook' || !result.delivery) return
  const delivery = result.delivery
  // Checked again here, next to the fetch: a URL saved under another policy (or before this check
  // existed) is recorded as a failed delivery and never requested; retrying cannot make it allowed.
  const refused = webhookTargetProblem(delivery.url, webhookTargetPolicy(env.ALLOW_PRIVATE_WEBHOOK_TARGETS))
  if (refused) {
    await env.TENANT.getByName(job.tenant).recordDelivery({ ...delivery, subscription: job.subscription, eventId: job.event, responseStatus: null, error: `target refused: ${refused}` })
    return
  }
  const timestamp = new Date()
  const signature = new Webhook(delivery.secret).sign(delivery.webhookId, timestamp, delivery.payload)
  let responseStatus: number | null = null
  let error: string | null = null
  try {
    const response = await fetch(delivery.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': delivery.webhookId,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
        'user-agent': 'Revline-Webhooks/1',
      },
      body: delivery.payload,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
    responseStatus = response.status
    await response.body?.cancel()
  } catch (e) {
    error = e instanceof Error ? e.message : String(e)
  }
  const ok = await env.TENANT.getByName(job.tenant).recordDelivery({ ...delivery, subscription: job.subscription, eventId: job.event, responseStatus, error })
  if (!ok) throw new Error(`webhook ${delivery.webhookId} to ${delivery.url} failed: ${error ?? `HTTP ${responseStatus}`}`)
}
