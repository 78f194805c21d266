/**
 * What every tenant operation runs with (storage, actor, clock, transaction, tenant state), and the
 * verb engine's view of it. Below dispatch.ts and the operation modules, which all import it.
 */
import { delta } from '../domain/analytics/contributions'
import { assignNewLead } from '../domain/assignment'
import { runAutomations } from '../domain/automations'
import type { EngineContext } from '../domain/engine/context'
import type { Actor } from '../domain/engine/types'
import { newId } from '../domain/ids'
import type { WebhookTargetPolicy } from '../domain/webhook-target'
import { subscriptionsFor } from '../domain/webhooks'
import { countDelta } from './analytics'
import type { EntityStore } from './entity-store'
import type { TenantRegistry } from '../domain/schema/registry'
import { writeOutbox } from './outbox'
import { endAccess, issueLink, LINK_PLACEHOLDER, signInUrl } from './accounts'
import { lastInTurn } from './assignment-ops'
import type { AccountsPort } from '../domain/engine/context'
import type { TenantState } from './tenant-state'

export interface DispatchContext {
  store: EntityStore
  actor: Actor
  requestId: string
  transaction: <T>(fn: () => T) => T
  /** The current instant: read once per transaction, so one write's timestamps all agree. */
  now: () => string
  /** The tenant row, keys and settings (`tenant.settings()`). */
  tenant: TenantState
  /** The tenant's nouns: Revline's with the tenant's own schema on top. */
  nouns: TenantRegistry
  /** Called when a job is written to the outbox, so the object schedules its flush. */
  onEnqueue?: () => void
  /** Where outbound webhooks may go in this deployment (private targets only in local development). */
  webhookTargets: WebhookTargetPolicy
  /** The tenant's base URL as the request reached it (`https://acme.example.com`, `http://localhost:8787/~acme`): sign-in links go there. */
  baseUrl: string
  /** The email sender port: 'local' records messages as Sent (the development outbox), anything else queues them for the provider. */
  emailProvider: string
}

/** The engine's view of this call: storage, the actor, the clock, ids, settings, automations and lead assignment. */
export function engineContext(ctx: DispatchContext): EngineContext {
  return {
    store: ctx.store,
    nouns: ctx.nouns,
    actor: ctx.actor,
    requestId: ctx.requestId,
    now: ctx.now,
    newId,
    settings: () => ctx.tenant.settings(),
    enqueue: (job, cause) => {
      writeOutbox(ctx.store.sql, job, cause)
      ctx.onEnqueue?.()
    },
    accounts: accountsPort(ctx),
    react: (event, entity, $) => {
      countDelta(ctx.store.sql, delta(event.before, event.after))
      const settings = ctx.tenant.settings()
      runAutomations(settings.automations, event, entity, $, ctx.nouns)
      for (const subscription of subscriptionsFor(settings.webhooks, event.type)) $.enqueue({ type: 'webhook', subscription: subscription.id, event: event.id })
      // Last, so `lead.created` is delivered before the `lead.assigned` it causes.
      if (event.type === 'lead.created' && entity.owner == null) assignNewLead(settings.assignment, entity, $, (pool) => lastInTurn(ctx.store.sql, pool))
    },
  }
}

/** Sign-in links on the request's base URL, the email port's delivery state, and ending a user's access. */
function accountsPort(ctx: DispatchContext): AccountsPort {
  return {
    get tenantName() {
      return ctx.tenant.info()?.name ?? 'your team'
    },
    // A real email provider gets the link minted when the message is handed to it (sendableMessages):
    // the stored message and its events then never hold a usable token. The local (development)
    // sender has no mailbox but the message itself, so there the link is in its body.
    signInLink: (userId, purpose) => (ctx.emailProvider === 'local' ? signInUrl(ctx.baseUrl, issueLink(ctx.store.db, userId, purpose, new Date(ctx.now()))) : LINK_PLACEHOLDER),
    delivery: () => (ctx.emailProvider === 'local' ? { status: 'Sent', provider: 'local', sentAt: ctx.now() } : { status: 'Queued', provider: ctx.emailProvider, sentAt: null }),
    endAccess: (userId) => {
      for (const keyId of endAccess(ctx.store.db, userId, ctx.now())) ctx.tenant.forgetKey(keyId)
    },
  }
}
