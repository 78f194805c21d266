/** The operator API (`Authorization: Bearer {ADMIN_TOKEN}`): create tenants, each with its first admin key. */
import { Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import { z } from 'zod'
import { tenantBaseUrl } from '../session-cookie'
import { AppError } from '../../domain/errors'
import { newId, randomBase62 } from '../../domain/ids'
import { toFieldErrors } from '../../domain/noun/validators'
import { readJsonObject } from '../body'
import { secretsEqual, sha256Hex } from '../crypto'
import { cleanQuery } from '../query-text'
import { SLUG_PATTERN } from '../tenant'
import type { AppEnv } from '../types'
import { checkRestoreFrom, RestoreFrom, restoreTenant } from '../restore'

const operatorOnly = createMiddleware<AppEnv>(async (c, next) => {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1]
  if (!c.env.ADMIN_TOKEN) throw new AppError('forbidden', 'the operator API is disabled: set the ADMIN_TOKEN secret')
  if (!token || !(await secretsEqual(token, c.env.ADMIN_TOKEN))) throw new AppError('unauthorized', 'send the operator token as Authorization: Bearer <ADMIN_TOKEN>')
  await next()
})

const NewTenant = z.strictObject({
  slug: z.string().regex(SLUG_PATTERN, 'lowercase letters, digits and inner hyphens, 1 to 40 characters'),
  name: z.string().trim().min(1).max(200),
  /** The team's first owner: invited by email (a sign-in link to the dashboard). */
  owner: z.strictObject({ email: z.string().trim().email().max(254), name: z.string().trim().min(1).max(200) }).optional(),
  /** Build the tenant from a backup instead of provisioning it (src/http/restore.ts). */
  restoreFrom: RestoreFrom.optional(),
})

/** API keys: `rvl_` + 32 base62 characters (~190 bits). Shown once; only the hash is stored. */
export const newApiKey = () => `rvl_${randomBase62(32)}`

export const operator = new Hono<AppEnv>()
operator.use('/tenants', operatorOnly, cleanQuery)
operator.use('/tenants/*', operatorOnly, cleanQuery)

operator.get('/tenants', async (c) => {
  const status = c.req.query('status')
  if (status !== undefined && status !== 'active' && status !== 'suspended') throw new AppError('invalid_query', 'status is active or suspended', [{ path: 'status', message: 'must be active or suspended' }])
  return c.json({ data: await c.env.REGISTRY.getByName('registry').list(status) })
})

/** Suspend or reactivate: the tenant object answers 403 to keys (404 to the public) while suspended. */
for (const [action, status] of [['suspend', 'suspended'], ['reactivate', 'active']] as const) {
  operator.post(`/tenants/:slug/${action}`, async (c) => {
    const slug = c.req.param('slug')
    if (!SLUG_PATTERN.test(slug)) throw new AppError('not_found', `tenant '${slug}' not found`)
    const registry = c.env.REGISTRY.getByName('registry')
    if (!(await registry.has(slug))) throw new AppError('not_found', `tenant '${slug}' not found`)
    const result = await c.env.TENANT.getByName(slug).setStatus(status)
    if (!result.ok) throw new AppError(result.failure.code, result.failure.detail, result.failure.errors)
    await registry.setStatus(slug, status)
    return c.json({ slug, status })
  })
}

/** A restore under way: `POST /tenants` with `restoreFrom` waits for it; this answers whoever stopped waiting. */
operator.get('/tenants/:slug/restore', async (c) => {
  const slug = c.req.param('slug')
  if (!SLUG_PATTERN.test(slug) || !(await c.env.REGISTRY.getByName('registry').has(slug))) throw new AppError('not_found', `tenant '${slug}' not found`)
  const progress = await c.env.TENANT.getByName(slug).restoreStatus()
  return c.json(progress ? { slug, restoring: true, phase: progress.phase, events: progress.events, entities: progress.entities } : { slug, restoring: false })
})

operator.post('/tenants', async (c) => {
  const parsed = NewTenant.safeParse(await readJsonObject(c))
  if (!parsed.success) throw new AppError('validation_failed', 'the tenant is not valid', toFieldErrors(parsed.error))
  const { slug, name, owner, restoreFrom } = parsed.data
  if (restoreFrom && owner) throw new AppError('validation_failed', 'a restored tenant brings its own users', [{ path: 'owner', message: 'cannot be given with restoreFrom' }])
  // The backup is found (and the restore point checked against it) before the slug is taken.
  const source = restoreFrom ? await checkRestoreFrom(c.env.BACKUPS, restoreFrom) : undefined
  const registry = c.env.REGISTRY.getByName('registry')
  const claimed = await registry.claim(slug, name)
  if (!claimed.ok) throw new AppError(claimed.failure.code, claimed.failure.detail, claimed.failure.errors)

  const apiKey = newApiKey()
  const adminKey = { id: newId('key'), hash: await sha256Hex(apiKey) }
  try {
    if (source) {
      const { tenant, restored } = await restoreTenant(c.env.TENANT.getByName(slug), { slug, name, adminKey, ...source })
      return c.json({ tenant, apiKey, keyId: adminKey.id, restored }, 201)
    }
    const created = await c.env.TENANT.getByName(slug).init({ slug, name, adminKey, ...(owner ? { owner, baseUrl: tenantBaseUrl(c, slug) } : {}) })
    if (!created.ok) throw new AppError(created.failure.code, created.failure.detail, created.failure.errors)
    return c.json({ tenant: created.value, apiKey, keyId: adminKey.id }, 201)
  } catch (error) {
    await registry.release(slug)
    throw error
  }
})
