/**
 * Proposals and contracts (seed 004). A proposal's line items come from the tenant's tier and its
 * total is always computed (money in its currency); a signed contract wins the deal and opens onboarding.
 */
import { z } from 'zod'
import type { TenantHandle } from '../engine/tenant-handle'
import { AppError } from '../errors'
import { toFieldErrors } from '../noun/validators'
import { Contract, Proposal } from '../nouns'
import { LineItem, lineItemProblems, lineItemsTotal } from '../settings'
import { isClosed } from './pipeline'
import { liveLink } from './live-link'

const LineItems = z.array(LineItem).min(1).max(100)


function tierNamed($: TenantHandle, name: string) {
  const tier = $.settings.tiers.find((t) => t.name === name)
  if (!tier) throw new AppError('validation_failed', `no tier '${name}'`, [{ path: 'tier', message: `use one of: ${$.settings.tiers.map((t) => t.name).join(', ')}` }])
  return tier
}

function priced(input: Record<string, unknown>, $: TenantHandle, fromTier: boolean) {
  const tier = tierNamed($, String(input.tier))
  const raw = input.lineItems ?? (fromTier ? tier.lineItems : undefined)
  const parsed = LineItems.safeParse(raw)
  if (!parsed.success) throw new AppError('validation_failed', 'the line items are not valid', toFieldErrors(parsed.error).map((e) => ({ ...e, path: `lineItems.${e.path}` })))
  const currency = input.currency ?? tier.currency
  const problems = lineItemProblems(parsed.data, currency)
  if (problems.length > 0) throw new AppError('validation_failed', 'the line items are not valid', problems.map((p) => ({ path: p.path ? `lineItems.${p.path}` : 'lineItems', message: p.message })))
  return { lineItems: parsed.data, total: lineItemsTotal(parsed.data, currency), currency }
}

Proposal.creating((_draft, input, { $ }) => {
  const deal = $.Deal.get(String(input.deal))
  const tier = tierNamed($, String(input.tier))
  return { ...input, ...priced(input, $, true), title: input.title ?? `${deal?.name ?? 'Proposal'} — ${tier.label}` }
})

Proposal.updating((proposal, input, { $ }) => {
  if (!('lineItems' in input || 'tier' in input || 'total' in input)) return
  if (proposal.status !== 'Draft') throw new AppError('invalid_transition', `a ${String(proposal.status)} proposal cannot be repriced`)
  const tierChanged = 'tier' in input && input.tier !== proposal.tier
  return { ...input, ...priced({ ...proposal, ...input, lineItems: input.lineItems ?? (tierChanged ? undefined : proposal.lineItems) }, $, true) }
})

/**
 * Seed 004: proposal → contract → signature → onboarding. Accepting a proposal draws up its
 * contract at once, for the proposal's deal, total and currency; it is sent, then signed.
 */
Proposal.accepted((proposal, $) => {
  $.Contract.create({ proposal: proposal.$id, title: `Contract: ${String(proposal.title ?? 'Proposal')}` })
})

/** A contract belongs to a deal; made from a proposal, it takes the proposal's deal, total and currency when not given. */
Contract.creating((_draft, input, { $ }) => {
  const proposal = input.proposal ? $.Proposal.get(String(input.proposal)) : undefined
  if (proposal && input.deal && input.deal !== proposal.deal)
    throw new AppError('validation_failed', 'the contract and its proposal name different deals', [{ path: 'deal', message: `the proposal is for ${proposal.deal}` }])
  const deal = input.deal ?? proposal?.deal
  if (!deal) throw new AppError('validation_failed', 'a contract needs a deal', [{ path: 'deal', message: 'is required (or give a proposal)' }])
  const currency = input.currency ?? proposal?.currency ?? $.Deal.get(String(deal))?.currency ?? null
  return { ...input, deal, value: input.value ?? proposal?.total ?? null, currency }
})
Contract.updating((_contract, input) => {
  if ('deal' in input && input.deal == null) throw new AppError('validation_failed', 'a contract needs a deal', [{ path: 'deal', message: 'cannot be unset' }])
})

/**
 * Seed 004: contract signed → Closed-Won → client onboarding. The signed contract is what the deal
 * is worth: its value (and currency) become the deal's before the deal is won.
 */
Contract.signed((contract, $, event) => {
  let deal = $.Deal.get(String(contract.deal))
  if (deal && typeof contract.value === 'number' && (deal.value !== contract.value || deal.currency !== contract.currency))
    deal = $.Deal.update(deal.$id, { value: contract.value, currency: (contract.currency as string) ?? deal.currency })
  if (deal && !isClosed(deal)) $.Deal.win(deal.$id)
  $.Activity.create({
    subject: `Client onboarding: ${deal?.name ?? String(contract.deal)}`,
    type: 'Task',
    deal: String(contract.deal),
    contact: liveLink($.Contact, deal?.contact),
    owner: liveLink($.Contact, deal?.owner),
    status: 'Pending',
    priority: 'High',
    dueAt: new Date(new Date(event.at).getTime() + 2 * 86_400_000).toISOString(),
    body: 'Kick-off call, access and onboarding checklist (seed 004 client-onboarding).',
  })
})
