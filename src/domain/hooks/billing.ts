/**
 * Billing: a contact that becomes a Customer gets its billing Customer (seed 002), once; subscriptions
 * take their dates from the plan on create, a period on activation, plan changes that go the right way.
 */
import type { TenantHandle } from '../engine/tenant-handle'
import type { EntityRecord, EventRecord } from '../engine/types'
import { AppError } from '../errors'
import { implement } from '../noun/noun'
import { Contact, Subscription } from '../nouns'
import { liveLink } from './live-link'

/**
 * The contact's billing Customer, made the first time it is needed and reused ever after, so every
 * path to Customer (a stage change, a won deal, a deal won again after a reopen) links one record.
 * A won deal links itself to a customer that has no deal yet. `newContact`: the contact is being
 * created by this very call, so no Customer can link it yet (an import's Customer rows skip the lookup).
 */
export function billingCustomerOf($: TenantHandle, contact: EntityRecord | undefined, deal?: EntityRecord, newContact = false): EntityRecord {
  const existing =
    (deal ? $.Customer.find({ deal: deal.$id }, { sort: '$createdAt', limit: 1 })[0] : undefined) ??
    (contact && !newContact ? $.Customer.find({ contact: contact.$id }, { sort: '$createdAt', limit: 1 })[0] : undefined)
  if (existing) return deal && !existing.deal ? $.Customer.update(existing.$id, { deal: deal.$id }) : existing
  return $.Customer.create({
    name: String(deal?.name ?? contact?.name),
    contact: contact?.$id ?? null,
    organization: liveLink($.Organization, deal?.organization ?? contact?.organization),
    email: (contact?.email as string | undefined) ?? null,
    deal: deal?.$id ?? null,
  })
}

/** Seed 002: "when a contact's stage moves to Customer, a billing Customer record links this contact". */
function linkBillingCustomer(contact: EntityRecord, $: TenantHandle, event: EventRecord) {
  if (contact.stage === 'Customer' && event.before?.stage !== 'Customer') billingCustomerOf($, contact, undefined, event.verb === 'create')
}
for (const register of [Contact.created, Contact.updated, Contact.merged]) register(linkBillingCustomer)

const DAY_MS = 86_400_000
const addDays = (iso: string, days: number) => new Date(new Date(iso).getTime() + days * DAY_MS).toISOString()

function periodEnd(start: string, interval: unknown): string {
  const date = new Date(start)
  if (interval === 'Year') date.setUTCFullYear(date.getUTCFullYear() + 1)
  else date.setUTCMonth(date.getUTCMonth() + 1)
  return date.toISOString()
}

function planOf($: TenantHandle, id: unknown) {
  const plan = typeof id === 'string' ? $.Plan.get(id) : undefined
  if (!plan) throw new AppError('validation_failed', 'the plan does not exist', [{ path: 'plan', message: `no Plan with id ${String(id)}` }])
  return plan
}

/** A plan with trial days starts Trialing; otherwise the subscription is Active with a first period. */
Subscription.creating((_draft, input, { $, now }) => {
  const plan = planOf($, input.plan)
  if (plan.status === 'Archived') throw new AppError('rejected', 'the plan is archived', [{ path: 'plan', message: 'choose an active plan' }])
  if (input.status) return
  const trialDays = plan.trialDays ?? 0
  if (trialDays > 0) return { ...input, status: 'Trialing', trialStartAt: now, trialEndAt: addDays(now, trialDays) }
  return { ...input, status: 'Active', activatedAt: now, currentPeriodStartAt: now, currentPeriodEndAt: periodEnd(now, plan.interval) }
})

const startPeriod: Parameters<typeof implement>[2] = ({ entity, $, now }) => {
  const plan = planOf($, entity!.plan)
  return { patch: { currentPeriodStartAt: now, currentPeriodEndAt: periodEnd(now, plan.interval), pausedAt: null, cancelledAt: null, cancelReason: null } }
}
implement(Subscription, 'activate', startPeriod)
implement(Subscription, 'reactivate', startPeriod)

/** Price per month, so monthly and yearly plans compare. */
const monthly = (plan: { price: number; interval?: string | null }) => (plan.interval === 'Year' ? plan.price / 12 : plan.price)

function changePlan(direction: 'upgrade' | 'downgrade'): Parameters<typeof implement>[2] {
  return ({ entity, input, $ }) => {
    const subscription = entity!
    if (!['Trialing', 'Active', 'PastDue'].includes(String(subscription.status)))
      throw new AppError('invalid_transition', `a ${String(subscription.status)} subscription cannot ${direction}`)
    const current = planOf($, subscription.plan)
    const next = planOf($, input.plan)
    if (next.status === 'Archived') throw new AppError('rejected', 'the plan is archived', [{ path: 'plan', message: 'choose an active plan' }])
    const better = monthly(next) > monthly(current)
    if (next.$id === current.$id || better !== (direction === 'upgrade'))
      throw new AppError('rejected', `${direction} needs a plan that costs ${direction === 'upgrade' ? 'more' : 'less'} than ${current.name}`, [{ path: 'plan', message: `${next.name} costs ${next.price} per ${next.interval}` }])
    return { patch: { plan: next.$id } }
  }
}
implement(Subscription, 'upgrade', changePlan('upgrade'))
implement(Subscription, 'downgrade', changePlan('downgrade'))
