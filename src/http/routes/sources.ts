/** Admin management of webhook sources: `POST/GET /sources`, `DELETE /sources/{id}`. */
import { Hono } from 'hono'
import { z } from 'zod'
import { AppError } from '../../domain/errors'
import { toFieldErrors } from '../../domain/noun/validators'
import { SourceMapping } from '../../domain/capture'
import { readJsonObject } from '../body'
import { requires } from '../tenant'
import type { AppEnv } from '../types'
import { isIdOf } from '../../domain/ids'

const NewSource = z.strictObject({
  name: z.string().trim().min(1).max(100),
  /** Standard Webhooks secret (`whsec_` + base64); generated when omitted. */
  secret: z.string().regex(/^(whsec_)?[A-Za-z0-9+/]{24,}={0,2}$/, 'a Standard Webhooks secret: whsec_ followed by base64').optional(),
  /** Field → dotted path in the provider's JSON payload, e.g. { "email": "data.email", "message": "data.comments" }. */
  mapping: SourceMapping,
})

/** 32 random bytes, base64: what Standard Webhooks secrets look like. */
function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32))
  return `whsec_${btoa(String.fromCharCode(...bytes))}`
}

export const sourcesAdmin = new Hono<AppEnv>()

sourcesAdmin.post('/sources', requires('admin'), async (c) => {
  const parsed = NewSource.safeParse(await readJsonObject(c))
  if (!parsed.success) throw new AppError('validation_failed', 'the source is not valid', toFieldErrors(parsed.error))
  const secret = parsed.data.secret ?? newSecret()
  const source = await c.var.tenant.run<{ id: string }>({ kind: 'sources.create', name: parsed.data.name, secret, mapping: parsed.data.mapping as Record<string, string> })
  const ingestUrl = new URL(`/~${c.var.tenant.slug}/sources/${source.id}/ingest`, c.req.url).toString()
  // The secret is shown once, like an API key.
  return c.json({ ...source, ingestUrl, ...(c.get('replayed') ? {} : { secret }) }, 201)
})

sourcesAdmin.get('/sources', requires('admin'), async (c) => c.json(await c.var.tenant.run({ kind: 'sources.list' })))

sourcesAdmin.delete('/sources/:id', requires('admin'), async (c) => {
  const id = c.req.param('id')
  if (!isIdOf('source', id)) throw new AppError('not_found', `source ${id} not found`)
  return c.json(await c.var.tenant.run({ kind: 'sources.revoke', id }))
})

