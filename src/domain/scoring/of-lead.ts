/** A lead's score as the tenant's rules give it now, read with its contact and organization (no side effects). */
import type { TenantHandle } from '../engine/tenant-handle'
import { scoreLead, type Score } from './score'

export function scoreOf(lead: Record<string, unknown>, $: TenantHandle, now: string): Score {
  const contact = typeof lead.contact === 'string' ? $.Contact.get(lead.contact) : undefined
  const organization = typeof lead.organization === 'string' ? $.Organization.get(lead.organization) : undefined
  return scoreLead({ lead, contact, organization, now: new Date(now) }, $.settings.scoring)
}
