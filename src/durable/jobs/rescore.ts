/**
 * leadScoreRefresh inside the tenant object (daily 03:00 UTC): one chunk of leads, in id order,
 * the open ones rescored with the current ruleset. Only leads whose score changed are written (through
 * the `rescore` verb, so each change has its event and its LeadScore row). Contacts and
 * organizations are read once per chunk.
 */
import { runVerb } from '../../domain/engine/run-verb'
import type { Condition } from '../../domain/query/filter'
import type { SortKey } from '../../domain/query/list-query'
import { scoreLead } from '../../domain/scoring/score'
import { engineContext, type DispatchContext } from '../context'

export const RESCORE_CHUNK = 2_000

const OPEN = new Set(['New', 'Contacted', 'Qualified'])

/**
 * The next `limit` leads after `cursor`, by primary key. Closed leads are left out by the caller:
 * with `status IN (…)` in the WHERE, SQLite (no statistics) picks the status index and sorts every
 * open lead for each chunk.
 */
export function rescoreChunkQuery(cursor: string | undefined, limit: number): [Condition, { sort: SortKey[]; limit: number }] {
  return [cursor ? { field: '$id', op: '$gt', value: cursor } : { and: [] }, { sort: [{ field: '$id', dir: 'asc' }], limit }]
}

export function rescoreChunk(ctx: DispatchContext, cursor: string | undefined, limit = RESCORE_CHUNK, now = new Date()) {
  const noun = (name: string) => ctx.nouns.byName(name)!
  const page = ctx.store.find(noun('Lead'), ...rescoreChunkQuery(cursor, limit))
  // A manual score (given by a person or an integration) stands until it is cleared.
  const leads = page.filter((lead) => OPEN.has(lead.status as string) && lead.scoreSource !== 'manual')
  const ruleset = ctx.tenant.settings().scoring
  // Each chunk's contacts and organizations in one query per noun, not one per lead.
  const relatedOf = (name: 'Contact' | 'Organization', field: string) => {
    const ids = new Set<string>()
    for (const lead of leads) if (typeof lead[field] === 'string') ids.add(lead[field])
    return ctx.store.getMany(noun(name), [...ids])
  }
  const related = { Contact: relatedOf('Contact', 'contact'), Organization: relatedOf('Organization', 'organization') }
  const load = (name: 'Contact' | 'Organization', id: unknown) => (typeof id === 'string' ? related[name].get(id) : undefined)
  const changed = leads.filter((lead) => scoreLead({ lead, contact: load('Contact', lead.contact), organization: load('Organization', lead.organization), now }, ruleset).score !== lead.score)
  if (changed.length > 0) {
    const engine = engineContext(ctx)
    ctx.transaction(() => {
      for (const lead of changed) runVerb(engine, { noun: noun('Lead'), verb: 'rescore', id: lead.$id })
    })
  }
  return { processed: leads.length, changed: changed.length, next: page.length === limit ? page.at(-1)!.$id : undefined }
}
