/**
 * Deals move through the tenant's stages (data, not an enum): create and update check the stage,
 * advance / win / lose / reopen are the verbs that move it, and every move is logged as an Activity
 * on the deal's timeline (seed 003 moveStage). Winning provisions billing (seed 000).
 */
import type { TenantHandle } from '../engine/tenant-handle'
import type { EntityRecord, EventRecord } from '../engine/types'
import { AppError } from '../errors'
import { implement } from '../noun/noun'
import { Contact, Deal } from '../nouns'
import { billingCustomerOf } from './billing'
import { closingStage, firstOpenStage, isClosed, openStage, openStageNamed, requestedStage, requireOpenDeal, stagePatch } from './pipeline'
import { liveLink } from './live-link'

/**
 * Where a deal came from, for attribution: the source of the lead it was converted from, else of
 * its contact's latest lead, else of the contact itself (a captured contact's `website`).
 */
function sourceChain($: TenantHandle, deal: Record<string, unknown>): string | null {
  const fromLead = typeof deal.$id === 'string' ? $.Lead.find({ deal: deal.$id }, { sort: '-$createdAt', limit: 1 })[0]?.source : undefined
  if (fromLead) return fromLead
  if (typeof deal.contact !== 'string') return null
  const latest = $.Lead.find({ contact: deal.contact }, { sort: '-$createdAt', limit: 1 })[0]?.source
  return latest ?? ($.Contact.get(deal.contact)?.source as string | undefined) ?? null
}

Deal.creating((_draft, input, { $, now }) => {
  const requested = requestedStage($, input)
  const stage = requested ? openStage(requested) : firstOpenStage($)
  return { ...input, ...stagePatch(stage, now, input.probability), source: input.source ?? sourceChain($, input) }
})

Deal.updating((deal, input, { $, now }) => {
  for (const field of ['wonAt', 'lostAt'] as const)
    if (field in input) throw new AppError('invalid_transition', `${field} is set by the win and lose verbs`, [{ path: field, message: 'use POST /deals/{id}/win, /lose or /reopen' }])
  for (const field of ['stage', 'stageId'] as const)
    if (field in input && input[field] === null) throw new AppError('validation_failed', 'a deal is always in a stage', [{ path: field, message: 'cannot be unset; move the deal to another stage' }])
  const requested = requestedStage($, input)
  if (!requested || requested.$id === deal.stageId || (requested.name === deal.stage && input.stageId == null)) return
  requireOpenDeal(deal, 'move')
  return { ...input, ...stagePatch(openStage(requested), now, input.probability) }
})

implement(Deal, 'advance', ({ entity, input, $, now }) => {
  const deal = entity!
  requireOpenDeal(deal, 'advance')
  if (input.stage === deal.stage) throw new AppError('invalid_transition', `Deal is already in ${String(deal.stage)}`)
  return { patch: stagePatch(openStageNamed($, String(input.stage)), now) }
})

implement(Deal, 'win', ({ entity, $, now }) => {
  requireOpenDeal(entity!, 'win')
  // A deal made before its source was recorded is attributed by its chain when it is won.
  const source = entity!.source ?? sourceChain($, entity!)
  return { patch: { ...stagePatch(closingStage($, 'Won'), now, 100), ...(source ? { source } : {}) } }
})

implement(Deal, 'lose', ({ entity, input, $, now }) => {
  requireOpenDeal(entity!, 'lose')
  return { patch: { ...stagePatch(closingStage($, 'Lost'), now, 0), lostReason: input.lostReason ?? null } }
})

/** Reopens a won or lost deal into its first open stage (or `{ stage }`), clearing the close. */
implement(Deal, 'reopen', ({ entity, input, $, now }) => {
  const deal = entity!
  if (!isClosed(deal)) throw new AppError('invalid_transition', `Deal ${deal.$id} is open; only won or lost deals reopen`)
  const stage = input.stage ? openStageNamed($, String(input.stage)) : firstOpenStage($)
  return { patch: { ...stagePatch(stage, now), wonAt: null, lostAt: null, lostReason: null } }
})

/**
 * Seed 000: a won deal becomes a billing customer with a subscription, and its contact a Customer.
 * Won again after a reopen, it keeps the customer and the subscription its first win made (an
 * ended one is reactivated), so a deal never bills twice.
 */
function provisionBilling(deal: EntityRecord, $: TenantHandle) {
  const contact = deal.contact ? $.Contact.get(String(deal.contact)) : undefined
  const customer = billingCustomerOf($, contact, deal)
  const subscription = $.Subscription.find({ deal: deal.$id }, { sort: '-$createdAt', limit: 1 })[0]
  if (!subscription) {
    const plan = (deal.plan as string | undefined) ?? $.settings.defaultPlan
    if (!plan) throw new AppError('rejected', 'the deal has no plan and the tenant has no default plan')
    $.Subscription.create({ customer: customer.$id, plan, deal: deal.$id })
  } else if (subscription.status === 'Cancelled' || subscription.status === 'Paused') {
    $.Subscription.reactivate(subscription.$id)
  }
  if (contact && contact.stage !== 'Customer' && canBecomeCustomer(contact.stage)) $.Contact.update(contact.$id, { stage: 'Customer' })
}
Deal.won(provisionBilling)

const canBecomeCustomer = (stage: unknown) => (Contact.schema.machines.stage![typeof stage === 'string' ? stage : ''] ?? []).includes('Customer')

function logStageChange(deal: EntityRecord, $: TenantHandle, event: EventRecord) {
  const from = event.before?.stage
  if (from === deal.stage) return
  $.Activity.create({
    subject: `Stage: ${String(from)} → ${String(deal.stage)}`,
    type: 'Note',
    deal: deal.$id,
    contact: liveLink($.Contact, deal.contact),
    status: 'Done',
    completedAt: event.at,
    body: event.verb === 'lose' && deal.lostReason ? `Lost: ${String(deal.lostReason)}` : null,
  })
}
for (const register of [Deal.updated, Deal.advanced, Deal.won, Deal.lost, Deal.reopened]) register(logStageChange)
