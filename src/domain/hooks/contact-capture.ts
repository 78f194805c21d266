/**
 * `POST /contacts/capture`: upsert the contact by email (case-insensitive), record the source, and
 * open a Lead for this capture. The contact keeps what it already knew; blanks are filled.
 */
import type { VerbBody } from '../engine/hooks'
import type { AfterHook } from '../engine/hooks'
import type { EntityRecord } from '../engine/types'

const CONTACT_FIELDS = ['firstName', 'lastName', 'phone', 'title', 'organization'] as const

export const captureContact: VerbBody = ({ input, $, now }) => {
  const email = String(input.email).trim().toLowerCase()
  const name = (input.name as string) || [input.firstName, input.lastName].filter(Boolean).join(' ') || email
  const organization = (input.organization as string) ?? (input.company ? findOrCreateCompany($, String(input.company)) : undefined)
  const given: Record<string, unknown> = { ...pick(input, CONTACT_FIELDS), ...(organization ? { organization } : {}) }

  const existing = $.Contact.find({ email }, { limit: 1 })[0] as Record<string, unknown> | undefined
  if (!existing) {
    const contact = $.Contact.create({ name, email, stage: 'Lead', status: 'Active', source: (input.source as string) ?? null, ...given })
    return { target: contact as EntityRecord, patch: { lastEngagement: now } }
  }
  const fill: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(given)) if (existing[key] == null && value != null) fill[key] = value
  if (existing.source == null && input.source) fill.source = input.source
  return { target: existing as EntityRecord, patch: { ...fill, lastEngagement: now } }
}

/** Every capture opens a Lead (status New) carrying the source, campaign and BANT answers. */
export const openLeadFromCapture: AfterHook = (contact, $, event) => {
  const data = event.data ?? {}
  const source = (data.source as string) || 'other'
  $.Lead.create({
    name: `${String(contact.name)} (${source})`,
    contact: contact.$id,
    organization: (contact.organization as string) ?? null,
    source,
    sourceDetail: (data.sourceDetail as string) ?? null,
    campaign: (data.campaign as string) ?? null,
    budget: (data.budget as number) ?? null,
    authority: (data.authority as string) ?? null,
    need: (data.need as string) ?? null,
    timeline: (data.timeline as string) ?? null,
    firstTouchAt: event.at,
  })
}

function findOrCreateCompany($: Parameters<VerbBody>[0]['$'], company: string): string {
  const name = company.trim()
  const existing = $.Organization.find({ name }, { limit: 1 })[0]
  return existing ? existing.$id : $.Organization.create({ name, type: 'Prospect' }).$id
}

function pick(input: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of keys) if (input[key] != null && input[key] !== '') out[key] = input[key]
  return out
}
