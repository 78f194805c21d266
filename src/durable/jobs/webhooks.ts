/** Outbound webhooks inside the tenant object: what to send for a delivery, and the delivery log. */
import { desc, eq } from 'drizzle-orm'
import { AppError } from '../../domain/errors'
import { newId } from '../../domain/ids'
import type { DispatchContext } from '../context'
import type { Db } from '../db'
import { selectEvents, toEventRecord } from '../event-log'
import { events, webhookDeliveries } from '../schema'

export interface Delivery {
  url: string
  secret: string
  webhookId: string
  attempt: number
  eventType: string
  payload: string
}

/** The request for one delivery, or null when the subscription is gone or disabled (nothing to do). */
export function prepareDelivery(ctx: DispatchContext, job: { subscription: string; event: string }): Delivery | null {
  const subscription = ctx.tenant.settings().webhooks.find((s) => s.id === job.subscription && s.enabled)
  if (!subscription) return null
  const row = selectEvents(ctx.store.db).where(eq(events.id, job.event)).get()
  if (!row) throw new AppError('not_found', `event ${job.event} not found`)
  const event = toEventRecord(ctx.store.db, row)
  const webhookId = `msg_${event.id}_${subscription.id}`
  const attempts = ctx.store.sql.exec<{ n: number }>('SELECT count(*) AS n FROM webhook_deliveries WHERE webhook_id = ?', webhookId).one().n
  const payload = JSON.stringify({
    type: event.type,
    timestamp: event.at,
    data: { id: event.id, seq: event.seq, entityType: event.entityType, entityId: event.entityId, verb: event.verb, version: event.version, actor: event.actor, data: event.data, entity: event.after, cause: event.cause },
  })
  return { url: subscription.url, secret: subscription.secret, webhookId, attempt: attempts + 1, eventType: event.type, payload }
}

export function recordDelivery(db: Db, delivery: Delivery & { subscription: string; eventId: string; responseStatus: number | null; error: string | null }) {
  const ok = delivery.responseStatus !== null && delivery.responseStatus >= 200 && delivery.responseStatus < 300
  db.insert(webhookDeliveries)
    .values({
      id: newId('delivery'),
      subscription: delivery.subscription,
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      url: delivery.url,
      attempt: delivery.attempt,
      status: ok ? 'delivered' : 'failed',
      responseStatus: delivery.responseStatus,
      error: delivery.error,
      webhookId: delivery.webhookId,
      at: new Date().toISOString(),
    })
    .onConflictDoNothing()
    .run()
  return ok
}

export function listDeliveries(db: Db, limit: number) {
  return db.select().from(webhookDeliveries).orderBy(desc(webhookDeliveries.at)).limit(limit).all()
}
