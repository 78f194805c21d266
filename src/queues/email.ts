/**
 * The email sender port's real provider (EMAIL_PROVIDER = "http"): each queued Message is posted as
 * JSON `{ to, subject, text, idempotencyKey }` to EMAIL_API_URL with `Authorization: Bearer
 * EMAIL_API_KEY`, and marked Sent or Failed. The default ("local") never reaches this file: the
 * tenant object stores the message as Sent, and everything before this call is the same code.
 */
interface QueuedMessage {
  $id: string
  to: string
  subject: string
  body?: string
}

export async function sendQueued(env: Env, tenant: string, messageIds: string[]) {
  if (String(env.EMAIL_PROVIDER) !== 'http' || messageIds.length === 0) return
  const stub = env.TENANT.getByName(tenant)
  for (const message of (await stub.queuedMessages(messageIds)) as QueuedMessage[]) {
    let result: { ok: boolean; providerId?: string; error?: string }
    try {
      const response = await fetch(env.EMAIL_API_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${(env as unknown as { EMAIL_API_KEY?: string }).EMAIL_API_KEY ?? ''}` },
        // The message id doubles as the provider's idempotency key: a retried job never sends twice.
        body: JSON.stringify({ to: message.to, subject: message.subject, text: message.body ?? '', idempotencyKey: message.$id }),
      })
      result = response.ok ? { ok: true, providerId: response.headers.get('x-message-id') ?? undefined } : { ok: false, error: `provider answered ${response.status}` }
    } catch (error) {
      result = { ok: false, error: error instanceof Error ? error.message : String(error) }
    }
    await stub.markMessage(message.$id, result)
    if (!result.ok) throw new Error(`email ${message.$id} not sent: ${result.error}`)
  }
}
