/** Job runs (GET /jobs), effect keys (exactly-once side effects) and dead letters (GET /jobs/dead). */
import { desc } from 'drizzle-orm'
import type { Db } from '../db'
import { deadLetters, jobRuns } from '../schema'
import { chainHeadOf } from '../event-chain'

/** Claims an effect key; false if it was done before (a redelivered message). Call inside the effect's transaction. */
export function claimEffect(sql: SqlStorage, key: string): boolean {
  return sql.exec('INSERT OR IGNORE INTO job_effects (key, done_at) VALUES (?, ?)', key, new Date().toISOString()).rowsWritten > 0
}

export function startRun(sql: SqlStorage, id: string, type: string) {
  sql.exec(`INSERT OR IGNORE INTO job_runs (id, type, started_at, outcome) VALUES (?, ?, ?, 'running')`, id, type, new Date().toISOString())
}

/** Adds one chunk's counts to its run, once: a redelivered chunk message does not count twice. */
export function progressRun(sql: SqlStorage, id: string, chunk: string, counts: { items: number; changed: number; skipped?: number }) {
  if (!claimEffect(sql, `run:${id}:${chunk}`)) return
  sql.exec('UPDATE job_runs SET items = items + ?, changed = changed + ?, skipped = skipped + ? WHERE id = ?', counts.items, counts.changed, counts.skipped ?? 0, id)
}

/** Ends a run, noting the log's chain head at that moment (an auditor compares heads taken at different times). */
export function finishRun(sql: SqlStorage, id: string, outcome: 'ok' | 'failed', detail: string | null = null) {
  const head = chainHeadOf(sql)
  sql.exec(
    'UPDATE job_runs SET outcome = ?, finished_at = coalesce(finished_at, ?), detail = ?, chain_seq = ?, chain_head = ? WHERE id = ?',
    outcome,
    new Date().toISOString(),
    detail,
    head.seq,
    head.hash,
    id,
  )
}

export function skippedIn(sql: SqlStorage, id: string): number {
  return sql.exec<{ skipped: number }>('SELECT skipped FROM job_runs WHERE id = ?', id).toArray()[0]?.skipped ?? 0
}

export function listRuns(db: Db, limit: number) {
  return db.select().from(jobRuns).orderBy(desc(jobRuns.startedAt)).limit(limit).all()
}

export function recordDeadLetter(db: Db, letter: { id: string; type: string; body: unknown; attempts: number }) {
  db.insert(deadLetters).values({ ...letter, receivedAt: new Date().toISOString() }).onConflictDoNothing().run()
}

export function listDeadLetters(db: Db, limit: number) {
  return db.select().from(deadLetters).orderBy(desc(deadLetters.receivedAt)).limit(limit).all()
}
