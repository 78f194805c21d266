/**
 * The records of one person: everything the tenant's person links (src/domain/person-links.ts) reach
 * from their contact, soft-deleted records included (they are still held). Shared by the subject
 * access export and forgetting a person, so both see exactly the same set.
 *
 * Only ids are read, one statement per link and batch of ids found, each served by an index: the
 * relation indexes for live rows, the log's type index (`lead.deleted`) for soft-deleted ones (the
 * tables' indexes hold live rows only). Copies of an email in a column without an index
 * (`Message.to`, `Customer.email`) are the exception: those tables are scanned once per batch.
 */
import { and, asc, isNotNull, isNull, sql, type SQL } from 'drizzle-orm'
import { personLinks } from '../domain/person-links'
import { own } from '../domain/own'
import type { EntityStore } from './entity-store'
import { column, fieldRef, type QueryTarget } from './query/compile'

/** Ids per statement: the list is one bound JSON parameter, so this bounds work, not parameters. */
const BATCH = 500

/**
 * Ids of the person's records by noun name, each noun's in creation order: every noun the tenant's
 * person links name (an empty list when it holds nothing of theirs), `Contact` first, with `contactId` in it.
 *
 *   personRecords(store, 'contact_fX9bL5nRd') // Map { 'Contact' => ['contact_fX9bL5nRd'], 'Lead' => ['lead_…'], … }
 */
export function personRecords(store: EntityStore, contactId: string): Map<string, string[]> {
  const links = personLinks(store.nouns)
  const found = new Map<string, Set<string>>([['Contact', new Set()], ...Object.keys(links).map((noun): [string, Set<string>] => [noun, new Set()])])
  const queue: { noun: string; ids: string[] }[] = []
  const add = (noun: string, ids: Iterable<string>) => {
    const held = found.get(noun)!
    const fresh: string[] = []
    for (const id of ids) {
      if (held.has(id)) continue
      held.add(id)
      fresh.push(id)
    }
    if (fresh.length > 0) queue.push({ noun, ids: fresh })
  }
  add('Contact', [contactId])
  // Each batch of newly found ids is followed once along every link that starts from its noun.
  for (let next = queue.shift(); next; next = queue.shift()) {
    const source = store.resolve(next.noun)
    for (const batch of batches(next.ids)) {
      const emails = next.noun === 'Contact' ? emailsOf(store, source, batch) : []
      for (const [noun, nounLinks] of Object.entries(links)) {
        const target = store.resolve(noun)
        for (const link of nounLinks) {
          if ('from' in link && link.from === next.noun) add(noun, pointingAt(store, target, link.field, batch))
          else if ('pointedBy' in link && link.pointedBy === next.noun) add(noun, named(store, source, link.field, batch))
          else if ('email' in link && emails.length > 0) add(noun, holdingEmail(store, target, link.email, emails))
        }
      }
    }
  }
  return new Map([...found].map(([noun, ids]) => [noun, inCreationOrder(store, store.resolve(noun), [...ids])]))
}

function* batches<T>(items: T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += BATCH) yield items.slice(i, i + BATCH)
}

const jsonList = (values: readonly unknown[]) => JSON.stringify(values)
const isIn = (expression: SQL | ReturnType<typeof column>, values: readonly unknown[]) => sql`${expression} IN (SELECT value FROM json_each(${jsonList(values)}))`

/** The first column of a drizzle-built query's rows, read raw. */
function firstColumn<T>(store: EntityStore, query: { toSQL(): { sql: string; params: unknown[] } }): T[] {
  const { sql: text, params } = query.toSQL()
  const out: T[] = []
  for (const row of store.sql.exec(text, ...(params as SqlStorageValue[])).raw()) out.push(row[0] as T)
  return out
}

/** Ids of the rows matching `match`, live ones through the table's (partial) indexes, soft-deleted ones through the log. */
function idsWhere(store: EntityStore, { table, noun }: QueryTarget, match: SQL): string[] {
  const id = column(table, '$id')
  const deletedAt = column(table, '$deletedAt')
  const live = firstColumn<string>(store, store.db.select({ id }).from(table).where(and(isNull(deletedAt), match)))
  const deletedType = `${noun.name.toLowerCase()}.deleted`
  const deleted = firstColumn<string>(
    store,
    store.db
      .select({ id })
      .from(table)
      .where(and(sql`${id} IN (SELECT e."entity_id" FROM "events" e WHERE e."type" = ${deletedType})`, isNotNull(deletedAt), match)),
  )
  return [...live, ...deleted]
}

/** Rows whose relation `field` points at one of `ids` (a list relation: holds one of them). */
function pointingAt(store: EntityStore, target: QueryTarget, field: string, ids: string[]): string[] {
  const ref = fieldRef(target, field)
  const match = ref.isList ? sql`EXISTS (SELECT 1 FROM json_each(${ref.sql}) AS item WHERE item.value IN (SELECT value FROM json_each(${jsonList(ids)})))` : isIn(ref.sql, ids)
  return idsWhere(store, target, match)
}

/** The ids the rows `ids` of `source` name in their relation `field`. */
function named(store: EntityStore, source: QueryTarget, field: string, ids: string[]): string[] {
  const ref = fieldRef(source, field)
  const values = firstColumn<string | null>(store, store.db.select({ value: sql`${ref.sql}` }).from(source.table).where(isIn(column(source.table, '$id'), ids)))
  return values.flatMap((value) => (value === null ? [] : ref.isList ? (JSON.parse(value) as string[]) : [value]))
}

/** The emails of these contacts, lowercased as contacts store them. */
function emailsOf(store: EntityStore, contacts: QueryTarget, ids: string[]): string[] {
  if (!own(contacts.noun.fields, 'email')) return []
  const values = firstColumn<string | null>(store, store.db.select({ email: column(contacts.table, 'email') }).from(contacts.table).where(isIn(column(contacts.table, '$id'), ids)))
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== '').map((v) => v.toLowerCase()))]
}

/**
 * Rows whose `field` holds one of `emails`. An indexed field (Contact.email, User.email, which are
 * stored lowercased) is matched exactly through its index; a field without one is scanned anyway,
 * so it is matched without regard to case (`Alice@Acme.dev` typed into a message).
 */
function holdingEmail(store: EntityStore, target: QueryTarget, field: string, emails: string[]): string[] {
  const ref = fieldRef(target, field)
  if (own(target.noun.fields, field)!.index !== 'none') return idsWhere(store, target, isIn(ref.sql, emails))
  return firstColumn<string>(store, store.db.select({ id: column(target.table, '$id') }).from(target.table).where(isIn(sql`lower(${ref.sql})`, emails)))
}

function inCreationOrder(store: EntityStore, { table }: QueryTarget, ids: string[]): string[] {
  if (ids.length === 0) return ids
  const id = column(table, '$id')
  return firstColumn<string>(store, store.db.select({ id }).from(table).where(isIn(id, ids)).orderBy(asc(column(table, '$createdAt')), asc(id)))
}
