/**
 * Restoring a backup into a new tenant object (`POST /tenants` with `restoreFrom`). A restore is a
 * replay: the log written back verbatim up to the restore point, each link checked
 * (src/durable/restore-log.ts), then everything else folded from it (src/durable/restore-fold.ts),
 * then the tenant row, its new admin key and a `tenant.restored` event. No provisioning runs: the
 * log brings the stages, plans and users it made.
 *
 * A large tenant does not fit one invocation's CPU budget, so the restore advances in bounded steps:
 * each `step` call does one (a few seconds of work, each batch its own transaction) and saves where
 * it is in the object's KV storage; the operator route calls again until `done`, and an alarm set by
 * every step carries on if the caller goes away. Until the tenant row exists the object answers 404
 * to everyone. A restore that fails deletes everything it wrote.
 */
import { drizzle } from 'drizzle-orm/durable-sqlite'
import type { Actor } from '../domain/engine/types'
import { AppError } from '../domain/errors'
import { appendAudit } from './audit'
import { LATEST_MIGRATION } from './backup'
import { decodeLine, type BackupLine, type Row } from './backup-format'
import { backupKey } from './backup-store'
import { reconcileStorage } from './custom-storage'
import type { Db } from './db'
import { EntityStore } from './entity-store'
import { foldPage, pointInTime, type PointInTime } from './restore-fold'
import { backupLines, LogWriter, startProgress, type LogProgress } from './restore-log'
import * as schema from './schema'
import { entityTables } from './schema/tables'
import { tenantRegistry } from './tenant-nouns'
import type { TenantState } from './tenant-state'
import { forgetChainHead } from './chain-head'

export interface RestoreInit {
  slug: string
  name: string
  adminKey: { id: string; hash: string }
  from: { tenant: string; backup: string }
  untilSeq?: number
  /** ISO instant (normalised by the edge): the last event at or before it ends the log. */
  untilTime?: string
  /** Smaller steps than the defaults: tests use them to see a restore resume between calls. */
  budget?: { lines?: number; entities?: number }
}

export interface Restored {
  tenant: string
  backup: string
  /** The last event restored and the chain's hash at it: the source's `GET /events/verify` head at that seq. */
  seq: number
  head: string
  events: number
  entities: number
  /** Settings sections reset to defaults: they named fields or nouns the schema at the point lacks. */
  settingsReset?: string[]
  /** The point cuts a write in two: the source's next event came from the same request at the same instant. */
  midWrite?: true
}

export interface RestoreProgress {
  done: boolean
  phase: 'log' | 'fold' | 'finish' | 'done'
  events: number
  entities: number
  tenant?: { slug: string; name: string; status: 'active'; createdAt: string }
  restored?: Restored
}

interface RestoreState {
  init: RestoreInit
  phase: 'log' | 'fold' | 'finish'
  log: LogProgress
  fold: { after: string; entities: number }
}

export interface RestorePorts {
  ctx: DurableObjectState
  bucket: R2Bucket
  state: TenantState
  transaction: <T>(fn: () => T) => T
  /** Applies the migrations; the object then counts as provisioned (it answers 404 until its tenant row exists). */
  provision(): Promise<void>
  /** Called once the object's storage is deleted: it is an empty object again. */
  wiped(): void
  /** Gives the slug back in the registry (a restore the caller no longer waits for, and which failed). */
  release(slug: string): Promise<void>
}

/** Backup lines per step, and per transaction within it. */
const STEP_LINES = 400_000
const BATCH_LINES = 2_000
/** Entity streams folded per step (about 6 s of work here), and per transaction within it. */
const STEP_ENTITIES = 50_000
const FOLD_PAGE = 500
/** A step also stops at a batch boundary after this long (the clock moves with each read of the backup). */
const STEP_MS = 10_000
/** The alarm that carries on a restore nobody calls for. */
const WATCHDOG_MS = 30_000

const STATE = 'restore'
const SOURCE = 'restore:tenant'
const POINT = 'restore:point'
const OPERATOR: Actor = { id: 'operator', role: 'system' }

export class Restorer {
  private queue: Promise<unknown> = Promise.resolve()
  private db: Db | undefined
  private store: { version: number; store: EntityStore } | undefined

  constructor(private readonly ports: RestorePorts) {}

  private get kv() {
    return this.ports.ctx.storage.kv
  }

  /** One step of the restore `init` describes (the first call starts it). */
  step(init: RestoreInit): Promise<RestoreProgress> {
    return this.exclusive(async () => {
      const state = await this.begin(init)
      try {
        return await this.advance(state)
      } catch (error) {
        await this.abandon()
        throw error
      }
    })
  }

  /** Where a restore under way stands (none: undefined). */
  status(): RestoreProgress | undefined {
    const state = this.kv.get<RestoreState>(STATE)
    return state && { done: false, phase: state.phase, events: state.log.events, entities: state.fold.entities }
  }

  /** The alarm's part: one more step of a restore under way; false when there is none. */
  async resume(): Promise<boolean> {
    if (this.kv.get(STATE) === undefined) return false
    await this.exclusive(async () => {
      const state = this.kv.get<RestoreState>(STATE)
      if (!state) return
      try {
        const progress = await this.advance(state)
        if (!progress.done) await this.ports.ctx.storage.setAlarm(Date.now() + 1_000)
      } catch (error) {
        console.error('restore failed', state.init.slug, error)
        await this.abandon()
        await this.ports.release(state.init.slug)
      }
    })
    return true
  }

  private async begin(init: RestoreInit): Promise<RestoreState> {
    const state = this.kv.get<RestoreState>(STATE)
    if (state) {
      if (JSON.stringify(state.init) !== JSON.stringify(init)) throw new AppError('conflict', `another restore is under way into '${init.slug}'`)
      return state
    }
    // Migrating is a no-op for an object that already is a tenant, and lets the question be asked of one that is not.
    await this.ports.provision()
    if (this.ports.state.info()) throw new AppError('conflict', `tenant '${init.slug}' already exists`)
    const fresh: RestoreState = { init, phase: 'log', log: startProgress(), fold: { after: '', entities: 0 } }
    this.kv.put(STATE, fresh)
    return fresh
  }

  private async advance(state: RestoreState): Promise<RestoreProgress> {
    await this.ports.ctx.storage.setAlarm(Date.now() + WATCHDOG_MS)
    if (state.phase === 'log') await this.logStep(state)
    else if (state.phase === 'fold') this.foldStep(state)
    else return this.finish(state)
    return this.status()!
  }

  /** Writes the next stretch of the backup's lines (those before `state.log.lines` were written by earlier steps). */
  private async logStep(state: RestoreState) {
    const { init } = state
    const object = await this.ports.bucket.get(backupKey(init.from.tenant, init.from.backup))
    if (!object) throw new AppError('not_found', `backup ${init.from.backup} of ${init.from.tenant} not found`, [{ path: 'restoreFrom.backup', message: 'not found' }])
    const point = { ...(init.untilSeq !== undefined ? { untilSeq: init.untilSeq } : {}), ...(init.untilTime !== undefined ? { untilTime: init.untilTime } : {}) }
    const writer = new LogWriter({ sql: this.ports.ctx.storage.sql, keepTenantRow: (row) => this.kv.put(SOURCE, row), latestMigration: LATEST_MIGRATION, source: init.from, point }, state.log)
    const budget = init.budget?.lines ?? STEP_LINES
    const started = Date.now()
    const from = state.log.lines
    let batch: [BackupLine, number][] = []
    const commit = () => {
      this.ports.transaction(() => {
        for (const [line, n] of batch) writer.write(line, n)
        state.log.lines = batch.at(-1)![1]
        this.kv.put(STATE, state)
      })
      batch = []
    }
    let stopped = false
    for await (const [text, n] of backupLines(object.body, from)) {
      const line = decodeLine(text, n)
      batch.push([line, n])
      // An event and its link (the next line) are committed together.
      if (batch.length < Math.min(BATCH_LINES, budget) || (line.kind === 'row' && line.table === 'events')) continue
      commit()
      if (state.log.complete || n - from >= budget || Date.now() - started > STEP_MS) {
        stopped = true
        break
      }
    }
    if (!stopped) {
      if (batch.length > 0) commit()
      writer.finish()
    }
    if (state.log.complete) {
      state.phase = 'fold'
      this.kv.put(STATE, state)
    }
  }

  /** Folds the next stretch of entity streams; the first fold step settles the schema and settings at the point. */
  private foldStep(state: RestoreState) {
    const { transaction } = this.ports
    const sql = this.ports.ctx.storage.sql
    // A database handle of its own: its upcasters are read after the log (and its event_upcasts) is written.
    const db = (this.db ??= drizzle(this.ports.ctx.storage, { schema }))
    let point = this.kv.get<PointInTime>(POINT)
    if (!point) {
      const source = this.kv.get<Row>(SOURCE)
      if (!source) throw new AppError('validation_failed', 'the backup holds no tenant row', [{ path: 'restoreFrom.backup', message: 'is not a whole backup' }])
      const at = pointInTime(db, { settings: source.settings, schema: source.schema, schemaVersion: Number(source.schema_version ?? 0) })
      transaction(() => {
        reconcileStorage(sql, tenantRegistry(at.schema))
        this.kv.put(POINT, at)
      })
      point = at
    }
    if (this.store?.version !== point.schemaVersion) this.store = { version: point.schemaVersion, store: new EntityStore(db, sql, entityTables, tenantRegistry(point.schema)) }
    const store = this.store.store
    const budget = state.init.budget?.entities ?? STEP_ENTITIES
    for (let read = 0; read < budget && state.phase === 'fold'; read += FOLD_PAGE) {
      transaction(() => {
        const page = foldPage(store, db, state.fold.after, Math.min(FOLD_PAGE, budget - read))
        state.fold.entities += page.entities
        if (page.next) state.fold.after = page.next
        else state.phase = 'finish'
        this.kv.put(STATE, state)
      })
    }
  }

  /** The tenant row, the new admin key and the `tenant.restored` event, in one transaction: from then on it is a tenant. */
  private async finish(state: RestoreState): Promise<RestoreProgress> {
    const { init, log, fold } = state
    const point = this.kv.get<PointInTime>(POINT)!
    const createdAt = new Date().toISOString()
    const restored: Restored = {
      tenant: init.from.tenant,
      backup: init.from.backup,
      seq: log.lastSeq,
      head: log.head,
      events: log.events,
      entities: fold.entities,
      ...(point.settingsReset.length > 0 ? { settingsReset: point.settingsReset } : {}),
      ...(log.midWrite ? { midWrite: true as const } : {}),
    }
    const db = (this.db ??= drizzle(this.ports.ctx.storage, { schema }))
    this.ports.transaction(() => {
      db.insert(schema.tenant).values({ id: 1, slug: init.slug, name: init.name, status: 'active', createdAt, settings: point.settings, schema: point.schema, schemaVersion: point.schemaVersion }).run()
      this.ports.state.invalidate()
      this.ports.state.addKey({ id: init.adminKey.id, name: 'initial admin key', role: 'admin', hash: init.adminKey.hash, createdAt, createdBy: 'operator' })
      appendAudit(this.ports.ctx.storage.sql, OPERATOR, 'operator', { type: 'tenant.restored', entityType: 'Tenant', entityId: 'tenant', verb: 'restore', data: { ...restored } })
      for (const key of [STATE, SOURCE, POINT]) this.kv.delete(key)
    })
    await this.ports.ctx.storage.deleteAlarm()
    return { done: true, phase: 'done', events: log.events, entities: fold.entities, tenant: { slug: init.slug, name: init.name, status: 'active', createdAt }, restored }
  }

  /** Deletes everything the restore wrote: the object is as if never created. */
  private async abandon() {
    await this.ports.ctx.storage.deleteAlarm()
    await this.ports.ctx.storage.deleteAll()
    forgetChainHead(this.ports.ctx.storage.sql)
    this.db = undefined
    this.store = undefined
    this.ports.wiped()
  }

  /** One step at a time (the alarm and the caller may both ask for one). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn)
    this.queue = run.catch(() => {})
    return run
  }
}
