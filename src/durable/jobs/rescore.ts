/**
 * leadScoreRefresh inside the tenant object (daily 03:00 UTC): one chunk of open leads, in id
 * order, rescored with the current ruleset. Only leads whose score changed are written (through
 * the `rescore` verb, so each change has its event and its LeadScore row). Contacts and
 * organizations are read once per chunk.
 */
import { runVerb } from '../../domain/engine/run-verb'
import type { EntityRecord } from '../../domain/engine/types'
import { nouns } from '../../domain/nouns'
import { scoreLead } from '../../domain/scoring/score'
import { engineContext, type DispatchContext } from '../dispatch'

export const RESCORE_CHUNK = 2_000

export function rescoreChunk(ctx: DispatchContext, cursor: string | undefined, limit = RESCORE_CHUNK, now = new Date()) {
  const noun = (name: string) => nouns.byName(name)!
  const leads = ctx.store.find(
    noun('Lead'),
    { and: [{ field: 'status', op: '$in', value: ['New', 'Contacted', 'Qualified'] }, ...(cursor ? [{ field: '$id', op: '$gt' as const, value: cursor }] : [])] },
    { sort: [{ field: '$id', dir: 'asc' }], limit },
  )
  const ruleset = ctx.tenant.settings().scoring
  const related = new Map<string, EntityRecord | undefined>()
  const load = (name: 'Contact' | 'Organization', id: unknown) => {
    if (typeof id !== 'string') return undefined
    if (!related.has(id)) related.set(id, ctx.store.get(noun(name), id))
    return related.get(id)
  }
  const changed = leads.filter((lead) => scoreLead({ lead, contact: load('Contact', lead.contact), organization: load('Organization', lead.organization), now }, ruleset).score !== lead.score)
  if (changed.length > 0) {
    const engine = engineContext(ctx)
    ctx.transaction(() => {
      for (const lead of changed) runVerb(engine, { noun: noun('Lead'), verb: 'rescore', id: lead.$id })
    })
  }
  return { processed: leads.length, changed: changed.length, next: leads.length === limit ? leads.at(-1)!.$id : undefined }
}
