/** Pieces of the record pages: the facts list, links to records, and the related lists. */
import type { Child } from 'hono/jsx'
import type { EntityRecord } from '../domain/engine/types'
import { money } from './crm-page'
import { when } from './timeline'

export type Fact = [label: string, value: Child | undefined]

export const text = (value: unknown): string | undefined => (value == null || value === '' ? undefined : String(value))
export const day = (value: unknown): string | undefined => (typeof value === 'string' ? when(value) : undefined)
export const amount = (value: unknown): string | undefined => (typeof value === 'number' ? money(value) : undefined)

/** An expanded relation (`include`): the record, or undefined when it was not set or not found. */
export const expanded = (value: unknown): EntityRecord | undefined => (value && typeof value === 'object' ? (value as EntityRecord) : undefined)

export function Facts({ facts }: { facts: Fact[] }) {
  return (
    <dl class="facts">
      {facts
        .filter(([, value]) => value !== undefined)
        .map(([label, value]) => (
          <>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </>
        ))}
    </dl>
  )
}

/** Where a record of each kind opens on the dashboard. */
export function recordHref(slug: string, record: EntityRecord): string | undefined {
  const base = `/~${slug}/dashboard`
  if (record.$type === 'Contact') return `${base}/contacts/${record.$id}`
  if (record.$type === 'Deal') return `${base}/deals/${record.$id}`
  if (record.$type === 'Lead') return `${base}/leads/${record.$id}`
  return undefined
}

export function RecordLink({ slug, record }: { slug: string; record: EntityRecord | undefined }) {
  if (!record) return null
  const href = recordHref(slug, record)
  const name = String(record.name ?? record.subject ?? record.$id)
  return href ? <a href={href}>{name}</a> : <>{name}</>
}

/** A related list: each record with a line of what matters about it. */
export function Related({ title, id, records, total, empty, line, slug }: { title: string; id: string; records: EntityRecord[]; total: number; empty: string; line: (r: EntityRecord) => Child; slug: string }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>
        {title} <span class="meta">({total})</span>
      </h2>
      {records.length === 0 ? (
        <p class="empty">{empty}</p>
      ) : (
        <ul class="list">
          {records.map((record) => (
            <li data-related={record.$id}>
              <RecordLink slug={slug} record={record} />
              <span class="meta">{line(record)}</span>
            </li>
          ))}
        </ul>
      )}
      {total > records.length && <p class="hint">Showing the latest {records.length} of {total}.</p>}
    </section>
  )
}

/** An activity's line: its type and status, when it is due or was done. */
export const activityLine = (a: EntityRecord) =>
  [a.type, a.status, typeof a.dueAt === 'string' && a.status === 'Pending' ? `due ${when(a.dueAt)}` : undefined, typeof a.completedAt === 'string' ? `done ${when(a.completedAt)}` : undefined]
    .filter(Boolean)
    .map(String)
    .join(' · ')
