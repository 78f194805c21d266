/**
 * Deals move through the tenant's stages (data, not an enum): create and update check the stage,
 * advance / win / lose / reopen are the verbs that move it, and every move is logged as an Activity
 * on the deal's timeline (seed 003 moveStage). Winning provisions billing (seed 000).
 */
import type { TenantHandle } from '../engine/handle'
import type { EntityRecord, EventRecord } from '../engine/types'
import { AppError } from '../errors'
import { implement } from '../noun/noun'
import { Contact, Deal } from '../nouns'
import { closingStage, firstOpenStage, isClosed, openStageNamed, requireOpenDeal } from './pipeline'

Deal.creating((_draft, input, { $, now }) => {
  const stage = input.stage ? openStageNamed($, String(input.stage)) : firstOpenStage($)
  return { ...input, stage: stage.name, probability: input.probability ?? stage.probability ?? 0, stageEnteredAt: now }
})

Deal.updating((deal, input, { $, now }) => {
  for (const field of ['wonAt', 'lostAt'] as const)
    if (field in input) throw new AppError('invalid_transition', `${field} is set by the win and lose verbs`, [{ path: field, message: 'use POST /deals/{id}/win, /lose or /reopen' }])
  if (input.stage === undefined || input.stage === deal.stage) return
  requireOpenDeal(deal, 'move')
  const stage = openStageNamed($, String(input.stage))
  return { ...input, probability: input.probability ?? stage.probability ?? 0, stageEnteredAt: now }
})

implement(Deal, 'advance', ({ entity, input, $, now }) => {
  const deal = entity!
  requireOpenDeal(deal, 'advance')
  if (input.stage === deal.stage) throw new AppError('invalid_transition', `Deal is already in ${String(deal.stage)}`)
  const stage = openStageNamed($, String(input.stage))
  return { patch: { stage: stage.name, probability: stage.probability ?? 0, stageEnteredAt: now } }
})

implement(Deal, 'win', ({ entity, $, now }) => {
  requireOpenDeal(entity!, 'win')
  const stage = closingStage($, 'Won')
  return { patch: { stage: stage.name, probability: 100, stageEnteredAt: now } }
})

implement(Deal, 'lose', ({ entity, input, $, now }) => {
  requireOpenDeal(entity!, 'lose')
  const stage = closingStage($, 'Lost')
  return { patch: { stage: stage.name, probability: 0, stageEnteredAt: now, lostReason: input.lostReason ?? null } }
})

/** Reopens a won or lost deal into its first open stage (or `{ stage }`), clearing the close. */
implement(Deal, 'reopen', ({ entity, input, $, now }) => {
  const deal = entity!
  if (!isClosed(deal)) throw new AppError('invalid_transition', `Deal ${deal.$id} is open; only won or lost deals reopen`)
  const stage = input.stage ? openStageNamed($, String(input.stage)) : firstOpenStage($)
  return { patch: { stage: stage.name, probability: stage.probability ?? 0, stageEnteredAt: now, wonAt: null, lostAt: null, lostReason: null } }
})

/** Seed 000: a won deal becomes a billing customer with a subscription, and its contact a Customer. */
function provisionBilling(deal: EntityRecord, $: TenantHandle) {
  const contact = deal.contact ? $.Contact.get(String(deal.contact)) : undefined
  const customer = $.Customer.create({
    name: String(deal.name),
    contact: (deal.contact as string) ?? null,
    organization: (deal.organization as string) ?? null,
    email: contact?.email ?? null,
    deal: deal.$id,
  })
  const plan = (deal.plan as string | undefined) ?? $.settings.defaultPlan
  if (!plan) throw new AppError('rejected', 'the deal has no plan and the tenant has no default plan')
  $.Subscription.create({ customer: customer.$id, plan, deal: deal.$id })
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
    contact: (deal.contact as string) ?? null,
    status: 'Done',
    completedAt: event.at,
    body: event.verb === 'lose' && deal.lostReason ? `Lost: ${String(deal.lostReason)}` : null,
  })
}
for (const register of [Deal.updated, Deal.advanced, Deal.won, Deal.lost, Deal.reopened]) register(logStageChange)
