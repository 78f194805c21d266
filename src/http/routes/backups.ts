/**
 * `POST /backups` writes the tenant's backup to R2 (the log and what it does not hold, gzip NDJSON;
 * src/durable/backup.ts) and answers what it holds; `GET /backups` lists the tenant's backups,
 * newest first, from R2's listing of the tenant's own prefix. Admin keys only; a restore is the
 * operator's (`POST /tenants` with `restoreFrom`, src/http/routes/operator.ts).
 */
import { Hono } from 'hono'
import { listBackups } from '../../durable/backup-store'
import { requires } from '../tenant'
import type { AppEnv } from '../types'

export const backups = new Hono<AppEnv>()

backups.post('/backups', requires('admin'), async (c) => c.json(await c.var.tenant.backup(), 201))

backups.get('/backups', requires('admin'), async (c) => c.json({ data: await listBackups(c.env.BACKUPS, c.var.tenant.slug) }))
