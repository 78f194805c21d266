/**
 * Fields an immutable record keeps only in its creation event. A LeadScore is never updated nor
 * deleted (no verb, and triggers in SQLite), so its `created` event's `after` holds every value it
 * will ever have; its factor breakdown and facts, about 450 bytes of JSON, were written twice, in
 * the row and in the event, on every lead create and every rescore. The row keeps the scalars
 * lists filter and sort on (lead, score, band, …); these fields are stored NULL and read back from
 * the event (through the log's (entity_id, version) index) wherever a row is read. The log stays
 * whole: the hash chain, backups and restore carry the values, and a restore folds the same rows.
 *
 * Rows written before this keep their values in place, and a stored value always wins.
 */
const EVENT_HELD_FIELDS: Readonly<Record<string, readonly string[]>> = {
  LeadScore: ['factors', 'facts'],
}

/** The fields a built-in noun keeps in its creation event only (none for most). */
export const eventHeldFields = (noun: { name: string; tenantDefined?: boolean }): readonly string[] =>
  (!noun.tenantDefined && Object.hasOwn(EVENT_HELD_FIELDS, noun.name) && EVENT_HELD_FIELDS[noun.name]) || []

/**
 * The creation events' `after` as stored (their `$` fields may be absent), by record id, in one
 * query through the log's (entity_id, version) index however many records a page holds.
 */
export function creationAfters(sql: SqlStorage, entityIds: readonly string[]): Map<string, Record<string, unknown>> {
  const found = new Map<string, Record<string, unknown>>()
  const rows = sql.exec<{ id: string; after: string | null }>(
    'SELECT entity_id AS id, after FROM events WHERE version = 1 AND entity_id IN (SELECT value FROM json_each(?))',
    JSON.stringify(entityIds),
  )
  for (const row of rows) if (row.after) found.set(row.id, JSON.parse(row.after) as Record<string, unknown>)
  return found
}
