/**
 * The transactional outbox: jobs are written with the verb that causes them and sent to the queue
 * after commit by the object's alarm, which retries until the queue accepts them. A rolled-back
 * call leaves no row, so nothing is sent for it; a committed one is never lost.
 */
import type { OutboxJob } from '../domain/engine/types'
import { newId } from '../domain/ids'

export function writeOutbox(sql: SqlStorage, job: OutboxJob, cause: string | null) {
  sql.exec('INSERT INTO outbox (id, topic, payload, cause, created_at) VALUES (?, ?, ?, ?, ?)', newId('job'), job.type, JSON.stringify(job), cause, new Date().toISOString())
}

export function hasPending(sql: SqlStorage): boolean {
  return sql.exec('SELECT 1 FROM outbox WHERE sent_at IS NULL LIMIT 1').toArray().length > 0
}

/** Sends up to `limit` pending jobs; returns how many were sent. Throws (leaving them pending) if the queue refuses. */
export async function flushOutbox(sql: SqlStorage, queue: Queue, tenant: string, limit = 100): Promise<number> {
  const rows = sql.exec<{ seq: number; payload: string }>('SELECT seq, payload FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT ?', limit).toArray()
  if (rows.length === 0) return 0
  try {
    await queue.sendBatch(rows.map((row) => ({ body: { ...(JSON.parse(row.payload) as OutboxJob), tenant } })))
  } catch (error) {
    sql.exec('UPDATE outbox SET attempts = attempts + 1 WHERE seq IN (SELECT value FROM json_each(?))', seqs(rows))
    throw error
  }
  sql.exec('UPDATE outbox SET sent_at = ? WHERE seq IN (SELECT value FROM json_each(?))', new Date().toISOString(), seqs(rows))
  return rows.length
}

/** The rows' seqs as one JSON parameter: a full batch of 100 plus the timestamp would pass SQLite's 100 bound parameters. */
const seqs = (rows: { seq: number }[]) => JSON.stringify(rows.map((r) => r.seq))
