/**
 * The signed-in person (issue 16), by key or session cookie:
 *   GET /me                       who am I: the user (null for a service key), role, and the key or session used
 *   GET /me/sessions              my live sessions; DELETE /me/sessions/{id} ends one
 *   GET/POST /me/keys             my API keys (a key never has more rights than I do); DELETE /me/keys/{id}
 *   POST /users/{id}/keys         (admin) a key for a user
 * Users themselves are the `/users` collection (create = invite; deactivate, reactivate; PATCH role).
 */
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { AppError } from '../../domain/errors'
import { isIdOf, newId } from '../../domain/ids'
import { toFieldErrors } from '../../domain/noun/validators'
import { readJsonObject } from '../body'
import { sha256Hex } from '../crypto'
import { requires } from '../tenant'
import type { AppEnv } from '../types'
import { newApiKey } from './operator'

const NewUserKey = z.strictObject({ name: z.string().trim().min(1).max(100), role: z.enum(['admin', 'member']).optional() })

export const people = new Hono<AppEnv>()

people.get('/me', async (c) => c.json(await c.var.tenant.run({ kind: 'me' })))
people.get('/me/sessions', async (c) => c.json(await c.var.tenant.run({ kind: 'me.sessions' })))
people.delete('/me/sessions/:id', async (c) => {
  const id = c.req.param('id')
  if (!isIdOf('ses', id)) throw new AppError('not_found', `session ${id} not found`)
  return c.json(await c.var.tenant.run({ kind: 'me.sessions.revoke', id }))
})

people.get('/me/keys', async (c) => c.json(await c.var.tenant.run({ kind: 'keys.list', user: 'me' })))
people.post('/me/keys', async (c) => issueKey(c, 'me'))
people.delete('/me/keys/:id', async (c) => {
  const id = c.req.param('id')
  if (!isIdOf('key', id)) throw new AppError('not_found', `key ${id} not found`)
  return c.json(await c.var.tenant.run({ kind: 'keys.revoke', id, user: 'me' }))
})

people.post('/users/:id/keys', requires('admin'), async (c) => {
  const id = c.req.param('id')
  if (!isIdOf('user', id)) throw new AppError('not_found', `User ${id} not found`)
  return issueKey(c, id)
})

/** Issues a key for a user ('me' or an id): the secret is shown once, in this answer. */
async function issueKey(c: Context<AppEnv>, user: string) {
  const parsed = NewUserKey.safeParse(await readJsonObject(c))
  if (!parsed.success) {
    await c.var.tenant.authenticate()
    throw new AppError('validation_failed', 'the key is not valid', toFieldErrors(parsed.error))
  }
  const key = newApiKey()
  const created = await c.var.tenant.run<Record<string, unknown>>({ kind: 'keys.create', id: newId('key'), ...parsed.data, hash: await sha256Hex(key), user })
  return c.json(c.get('replayed') ? created : { ...created, key }, 201)
}
