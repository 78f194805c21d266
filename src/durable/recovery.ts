/**
 * A tenant object's backups (src/durable/backup-ops.ts) and restores (src/durable/restore.ts), wired
 * to what the object's shell hands them: its tenant state, its transactions, provisioning.
 */
import { Backups, type BackupRequest } from './backup-ops'
import type { BackupSummary } from './backup-store'
import { Restorer, type RestoreInit, type RestoreProgress } from './restore'
import type { TenantState } from './tenant-state'

export type { BackupRequest, BackupSummary, RestoreInit, RestoreProgress }

export interface RecoveryShell {
  state: TenantState
  transaction: <T>(fn: () => T) => T
  /** Applies the migrations to a new object (a restore's first step). */
  provision(): Promise<void>
  /** The object's storage was deleted (a failed restore): it must forget what it cached. */
  wiped(): void
}

export class Recovery {
  private readonly backups: Backups
  private readonly restorer: Restorer

  constructor(ctx: DurableObjectState, env: Env, shell: RecoveryShell) {
    const { state, transaction } = shell
    this.backups = new Backups({ sql: ctx.storage.sql, bucket: env.BACKUPS, state, transaction })
    this.restorer = new Restorer({ ctx, bucket: env.BACKUPS, state, transaction, provision: shell.provision, wiped: shell.wiped, release: (slug) => env.REGISTRY.getByName('registry').release(slug) })
  }

  backup(request: BackupRequest): Promise<BackupSummary> {
    return this.backups.run(request)
  }

  restore(init: RestoreInit): Promise<RestoreProgress> {
    return this.restorer.step(init)
  }

  restoreStatus(): RestoreProgress | undefined {
    return this.restorer.status()
  }

  /** The alarm's part: carries on a restore under way (false when there is none). */
  resume(): Promise<boolean> {
    return this.restorer.resume()
  }
}
