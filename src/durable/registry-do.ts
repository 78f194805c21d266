/**
 * The tenant registry: one object (`getByName('registry')`) listing every tenant's slug, name and
 * status. Tenant data never lives here; it answers "which tenants exist" for the operator API and
 * the cron fan-out. Its schema is one table, created idempotently on start.
 */
import { DurableObject } from 'cloudflare:workers'
import { AppError } from '../domain/errors'
import { failureOf } from './failure'
import type { Outcome } from './operations'

export interface TenantEntry {
  slug: string
  name: string
  status: 'active' | 'suspended'
  createdAt: string
}

type Row = { slug: string; name: string; status: TenantEntry['status']; created_at: string }

export class RegistryDO extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS tenants (
      slug TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL)`)
  }

  /** Reserves a slug; 409 if it is taken. */
  async claim(slug: string, name: string): Promise<Outcome<TenantEntry>> {
    try {
      if (await this.has(slug))
        throw new AppError('conflict', `tenant '${slug}' already exists`, [{ path: 'slug', message: 'is taken' }])
      const entry: TenantEntry = { slug, name, status: 'active', createdAt: new Date().toISOString() }
      this.ctx.storage.sql.exec('INSERT INTO tenants (slug, name, status, created_at) VALUES (?, ?, ?, ?)', slug, name, entry.status, entry.createdAt)
      return { ok: true, value: entry }
    } catch (error) {
      return { ok: false, failure: failureOf(error) }
    }
  }

  /** Undoes a claim whose tenant object could not be created. */
  async release(slug: string): Promise<void> {
    this.ctx.storage.sql.exec('DELETE FROM tenants WHERE slug = ?', slug)
  }

  /** Every tenant, or only those with a status (the cron fan-out asks for the active ones). */
  async list(status?: TenantEntry['status']): Promise<TenantEntry[]> {
    const rows = status
      ? this.ctx.storage.sql.exec<Row>('SELECT slug, name, status, created_at FROM tenants WHERE status = ? ORDER BY slug', status)
      : this.ctx.storage.sql.exec<Row>('SELECT slug, name, status, created_at FROM tenants ORDER BY slug')
    return rows.toArray().map((r) => ({ slug: r.slug, name: r.name, status: r.status, createdAt: r.created_at }))
  }

  async has(slug: string): Promise<boolean> {
    return this.ctx.storage.sql.exec('SELECT 1 FROM tenants WHERE slug = ?', slug).toArray().length > 0
  }

  async setStatus(slug: string, status: TenantEntry['status']): Promise<boolean> {
    return this.ctx.storage.sql.exec('UPDATE tenants SET status = ? WHERE slug = ?', status, slug).rowsWritten > 0
  }
}
