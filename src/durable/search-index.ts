/**
 * The tenant's full-text index (issue 17): FTS5 over every record's title and body (which fields:
 * src/domain/search.ts), written by the entity store in the same statement sequence as the record,
 * so it commits or rolls back with it. `search_docs` maps an entity id to its FTS row.
 */
import { ftsQuery, searchChanged, searchDocument } from '../domain/search'
import type { EntityRecord } from '../domain/engine/types'
import type { NounSchema } from '../domain/noun/noun'
import { lastRowid } from './db'

const FIND = 'SELECT rowid FROM search_docs WHERE entity_id = ?'
const ADD_DOC = 'INSERT INTO search_docs (entity_id, entity_type) VALUES (?, ?)'
const ADD_TEXT = 'INSERT INTO search_fts (rowid, title, body) VALUES (?, ?, ?)'
const SET_TEXT = 'UPDATE search_fts SET title = ?, body = ? WHERE rowid = ?'
const DROP_TEXT = 'DELETE FROM search_fts WHERE rowid = ?'
const DROP_DOC = 'DELETE FROM search_docs WHERE rowid = ?'

/** Indexes a new record. */
export function indexInserted(sql: SqlStorage, noun: NounSchema, entity: EntityRecord) {
  const doc = searchDocument(noun, entity)
  if (!doc) return
  sql.exec(ADD_DOC, entity.$id, noun.name)
  sql.exec(ADD_TEXT, lastRowid(sql), doc.title, doc.body)
}

/** Re-indexes a record whose text (or deletion) changed; a deleted record leaves the index, a restored one comes back. */
export function indexUpdated(sql: SqlStorage, noun: NounSchema, entity: EntityRecord, before: EntityRecord) {
  if (!searchChanged(noun, before, entity)) return
  const doc = searchDocument(noun, entity)
  const row = sql.exec<{ rowid: number }>(FIND, entity.$id).toArray()[0]
  if (row && doc) sql.exec(SET_TEXT, doc.title, doc.body, row.rowid)
  else if (row) {
    sql.exec(DROP_TEXT, row.rowid)
    sql.exec(DROP_DOC, row.rowid)
  } else if (doc) indexInserted(sql, noun, entity)
}

/** Puts a record's current text in the index, whatever it held before (schema changes rewrite rows behind the store). */
export function reindex(sql: SqlStorage, noun: NounSchema, entity: EntityRecord) {
  unindex(sql, entity.$id)
  indexInserted(sql, noun, entity)
}

/** Takes a record out of the index (its noun or the row itself was dropped). */
export function unindex(sql: SqlStorage, entityId: string) {
  const row = sql.exec<{ rowid: number }>(FIND, entityId).toArray()[0]
  if (!row) return
  sql.exec(DROP_TEXT, row.rowid)
  sql.exec(DROP_DOC, row.rowid)
}

export interface SearchHit {
  $type: string
  $id: string
  name: string
  /** A stretch of the matching text, HTML-escaped, the matched words in `<mark>`. */
  snippet: string
  /** Higher is better (bm25, the title weighted 10 to 1 over the body). */
  score: number
}

export interface SearchQuery {
  q: string
  types?: string[]
  limit: number
  offset: number
}

// Control characters mark the matches inside snippet(); the text around them is escaped afterwards.
const OPEN = '\u0002'
const CLOSE = '\u0003'
const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const marked = (text: string) => escapeHtml(text).replaceAll(OPEN, '<mark>').replaceAll(CLOSE, '</mark>')

/** Best matches first; `limit + 1` rows are read so the caller knows whether there is a next page. */
export function searchIndex(sql: SqlStorage, query: SearchQuery): { hits: SearchHit[]; more: boolean } {
  const match = ftsQuery(query.q)
  const types = query.types ?? []
  const rows = sql
    .exec<{ type: string; id: string; title: string; snippet: string; score: number }>(
      `SELECT d.entity_type AS type, d.entity_id AS id, search_fts.title AS title,
              snippet(search_fts, -1, ?, ?, '…', 16) AS snippet, bm25(search_fts, 10.0, 1.0) AS score
         FROM search_fts JOIN search_docs d ON d.rowid = search_fts.rowid
        WHERE search_fts MATCH ?${types.length ? ` AND d.entity_type IN (${types.map(() => '?').join(', ')})` : ''}
        ORDER BY score, d.rowid LIMIT ? OFFSET ?`,
      OPEN,
      CLOSE,
      match,
      ...types,
      query.limit + 1,
      query.offset,
    )
    .toArray()
  const hits = rows.slice(0, query.limit).map((r) => ({ $type: r.type, $id: r.id, name: r.title, snippet: marked(r.snippet), score: Math.round(-r.score * 1000) / 1000 }))
  return { hits, more: rows.length > query.limit }
}
