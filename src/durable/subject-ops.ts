/**
 * Subject access (GDPR art. 15) inside the tenant object: what Revline holds about the person behind
 * a contact. `startSubjectExport` takes the log's chain head and finds the person's records and the
 * seqs of their events, all in one turn, so the export is one consistent cut of the log; the edge
 * then reads the records and events in pages (`subjectPage`) and streams the document as it goes,
 * so no call holds more than a page of it.
 */
import { and, asc, lte, sql } from 'drizzle-orm'
import type { EntityRecord } from '../domain/engine/types'
import { AppError, notFound } from '../domain/errors'
import type { DispatchContext } from './context'
import { chainHeadOf } from './event-chain'
import { selectEvents, toEventRecord } from './event-log'
import { personRecords } from './person-records'
import { historyEntry } from './reads'
import { events } from './schema'

/** Records or events per page: each page is one call to the tenant object. */
export const SUBJECT_PAGE = 500

export interface SubjectExportStart {
  exportedAt: string
  tenant: { slug: string; name: string }
  /** The log's newest link when the export began: every event listed is at or before it. */
  chainHead: { seq: number; hash: string }
  /** The contact as it is now (a soft-deleted one too, with its `$deletedAt`). */
  contact: EntityRecord
  /** The person's other records, by collection, in creation order: ids only, read in pages. */
  related: { noun: string; collection: string; ids: string[] }[]
  /** Seqs of the contact's own events (its history) and of every event of the person's records. */
  historySeqs: number[]
  eventSeqs: number[]
}

/** A page of an export in progress: events (as `/events` or as `/history` shows them) or records, by id. */
export type SubjectPage = { of: 'events' | 'history'; seqs: number[] } | { of: 'records'; noun: string; ids: string[] }

export function startSubjectExport(ctx: DispatchContext, contactId: string): SubjectExportStart {
  const { store, nouns } = ctx
  const contact = store.getAny(nouns.byName('Contact')!, contactId)
  if (!contact) throw notFound(`Contact ${contactId}`)
  const chainHead = chainHeadOf(store.sql)
  const records = personRecords(store, contactId)
  const related = [...records].map(([noun, ids]) => ({ noun, collection: nouns.byName(noun)!.plural, ids: noun === 'Contact' ? ids.filter((id) => id !== contactId) : ids }))
  const info = ctx.tenant.info()!
  return {
    exportedAt: ctx.now(),
    tenant: { slug: info.slug, name: info.name },
    chainHead,
    contact,
    related,
    historySeqs: seqsOf(ctx, [contactId], chainHead.seq),
    eventSeqs: seqsOf(ctx, [...records.values()].flat(), chainHead.seq),
  }
}

/** Seqs of the events of these entities up to `head`, in order, through the log's (entity, version) index. */
function seqsOf(ctx: DispatchContext, ids: string[], head: number): number[] {
  const { sql: text, params } = ctx.store.db
    .select({ seq: events.seq })
    .from(events)
    .where(and(sql`${events.entityId} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`, lte(events.seq, head)))
    .orderBy(asc(events.seq))
    .toSQL()
  return ctx.store.sql
    .exec<{ seq: number }>(text, ...(params as SqlStorageValue[]))
    .toArray()
    .map((row) => row.seq)
}

export function subjectPage(ctx: DispatchContext, page: SubjectPage): unknown[] {
  const { store } = ctx
  if (page.of === 'records') {
    const noun = ctx.nouns.byName(page.noun)
    if (!noun) throw new AppError('not_found', `there is no noun '${page.noun}'`)
    const ids = checkedPage(page.ids, (id) => typeof id === 'string')
    // Soft-deleted records too: they are still held.
    return store.getAnyMany(noun, ids)
  }
  const seqs = checkedPage(page.seqs, (seq) => Number.isSafeInteger(seq))
  // Through the log's own reader, as `/events` serves them (upcast, links in the chain).
  const rows = selectEvents(store.db)
    .where(sql`${events.seq} IN (SELECT value FROM json_each(${JSON.stringify(seqs)}))`)
    .orderBy(asc(events.seq))
    .all()
  const records = rows.map((row) => toEventRecord(store.db, row))
  return page.of === 'history' ? records.map(historyEntry) : records
}

function checkedPage<T>(items: T[], valid: (item: T) => boolean): T[] {
  if (!Array.isArray(items) || items.length > SUBJECT_PAGE || !items.every(valid)) throw new AppError('bad_request', `a page names at most ${SUBJECT_PAGE} records or events`)
  return items
}
