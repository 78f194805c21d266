/** `POST/GET /keys`, `DELETE /keys/{id}` (admin): issue a key (shown once), list without secrets, revoke at once. */
import { Hono } from 'hono'
import { z } from 'zod'
import { AppError } from '../../domain/errors'
import { isIdOf, newId } from '../../domain/ids'
import { toFieldErrors } from '../../domain/noun/validators'
import { readJsonObject } from '../body'
import { sha256Hex } from '../crypto'
import { requires } from '../tenant'
import type { AppEnv } from '../types'
import { newApiKey } from './operator'

const NewKey = z.strictObject({ role: z.enum(['admin', 'member']), name: z.string().trim().min(1).max(100) })

export const keys = new Hono<AppEnv>()

keys.post('/keys', requires('admin'), async (c) => {
  const parsed = NewKey.safeParse(await readJsonObject(c))
  if (!parsed.success) throw new AppError('validation_failed', 'the key is not valid', toFieldErrors(parsed.error))
  const key = newApiKey()
  const created = await c.var.tenant.run<{ id: string; role: string; name: string; createdAt: string }>({
    kind: 'keys.create',
    id: newId('key'),
    ...parsed.data,
    hash: await sha256Hex(key),
  })
  // Only a replayed Idempotency-Key answer lacks the secret: it was shown once, the first time.
  return c.json(c.get('replayed') ? created : { ...created, key }, 201)
})

keys.get('/keys', requires('admin'), async (c) => c.json(await c.var.tenant.run({ kind: 'keys.list' })))

keys.delete('/keys/:id', requires('admin'), async (c) => {
  const id = c.req.param('id')
  if (!isIdOf('key', id)) throw new AppError('not_found', `key ${id} not found`)
  return c.json(await c.var.tenant.run({ kind: 'keys.revoke', id }))
})
