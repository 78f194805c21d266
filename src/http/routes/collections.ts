/**
 * REST over every noun: `/{collection}`, `/{collection}/{id}`, `/{collection}/{id}/{verb}`,
 * `/{collection}/{verb}` for collection verbs, `/{collection}/{id}/history`. Routes only parse,
 * call the tenant object and shape the response.
 */
import { Hono, type Context } from 'hono'
import type { EntityRecord } from '../../domain/engine/types'
import { AppError } from '../../domain/errors'
import { checkVerbRoute, type NounSchema } from '../../domain/noun/noun'
import { nouns } from '../../domain/nouns'
import { readJsonObject } from '../body'
import { COLLECTION_NAME, RESERVED_COLLECTIONS } from '../../domain/schema/registry'
import type { AppEnv } from '../types'
import { isIdOf } from '../../domain/ids'
import { actionFor } from '../../domain/access'

export const collections = new Hono<AppEnv>()

/**
 * The collection of the path. Revline's own nouns are known here, so their routes are checked at
 * the edge (and an admin-only one refused before its body is read); a tenant's own nouns and
 * fields are known only to its object, which resolves the collection, the verb and the id itself.
 */
export function collectionOf(c: Context<AppEnv>): { plural: string; builtIn?: NounSchema } {
  const plural = c.req.param('collection') ?? ''
  const builtIn = nouns.byPlural(plural)
  // A path that is not a collection (`/settings/…`) never reaches the object, nor reads a body.
  if (!builtIn && (RESERVED_COLLECTIONS.has(plural) || !COLLECTION_NAME.test(plural))) throw new AppError('not_found', `there is no collection '${plural}'`)
  return { plural, builtIn }
}

/** The key may run `verb` on the collection: a member learns nothing of an admin-only request but 403. */
async function authorizedCollection(c: Context<AppEnv>, verb: string) {
  const collection = collectionOf(c)
  if (collection.builtIn) await c.var.tenant.authorize(actionFor(collection.builtIn, verb))
  return collection
}

/** A built-in noun's id must look like one (other tenants' ids and garbage are simply not found). */
function idOf(c: Context<AppEnv>, builtIn: NounSchema | undefined): string {
  const id = c.req.param('id') ?? ''
  if (builtIn && !isIdOf(builtIn.idPrefix, id)) throw new AppError('not_found', `${builtIn.name} ${id} not found`)
  return id
}

/** 400 for query parameters the route does not take. */
export function onlyParams(c: Context<AppEnv>, allowed: string[]) {
  const unknown = Object.keys(c.req.queries()).filter((k) => !allowed.includes(k))
  if (unknown.length > 0) throw new AppError('invalid_query', 'unknown query parameters', unknown.map((path) => ({ path, message: `is not a parameter here (allowed: ${allowed.join(', ') || 'none'})` })))
}

/** `If-Match: "3"` (or `3`) → 3; a malformed value is a 400, not silently ignored. */
function expectedVersion(c: Context<AppEnv>): number | undefined {
  const header = c.req.header('if-match')
  if (header === undefined) return undefined
  const match = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(header)
  if (!match) throw new AppError('bad_request', 'If-Match must be an entity version such as "3"')
  return Number(match[1])
}

function entityResponse(c: Context<AppEnv>, entity: EntityRecord, status: 200 | 201 = 200) {
  c.header('ETag', `"${entity.$version}"`)
  return c.json(entity, status)
}

collections.get('/:collection', async (c) => {
  const { plural } = collectionOf(c)
  const params = [...new URL(c.req.url).searchParams.entries()]
  return c.json(await c.var.tenant.run({ kind: 'list', noun: plural, params }))
})

collections.post('/:collection', async (c) => {
  const { plural, builtIn } = await authorizedCollection(c, 'create')
  if (builtIn) checkVerbRoute(builtIn, 'create', 'crud')
  const input = await readJsonObject(c)
  const entity = await c.var.tenant.run<EntityRecord>({ kind: 'verb', noun: plural, verb: 'create', input, route: 'crud' })
  c.header('Location', `${c.req.path}/${entity.$id}`)
  return entityResponse(c, entity, 201)
})

collections.get('/:collection/:id', async (c) => {
  const { plural, builtIn } = collectionOf(c)
  onlyParams(c, ['include', 'asOf'])
  const id = idOf(c, builtIn)
  const asOfParam = c.req.query('asOf')
  let asOf: string | undefined
  if (asOfParam !== undefined) {
    const ms = Date.parse(asOfParam)
    if (Number.isNaN(ms)) throw new AppError('invalid_query', 'asOf must be an ISO date-time', [{ path: 'asOf', message: 'is not a date' }])
    asOf = new Date(ms).toISOString()
  }
  const includeParam = c.req.query('include')
  const entity = await c.var.tenant.run<EntityRecord>({ kind: 'get', noun: plural, id, ...(includeParam !== undefined ? { includeParam } : {}), ...(asOf ? { asOf } : {}) })
  return entityResponse(c, entity)
})

collections.patch('/:collection/:id', async (c) => {
  const { plural, builtIn } = await authorizedCollection(c, 'update')
  const id = idOf(c, builtIn)
  const input = await readJsonObject(c)
  const entity = await c.var.tenant.run<EntityRecord>({ kind: 'verb', noun: plural, verb: 'update', id, input, expectedVersion: expectedVersion(c), route: 'crud' })
  return entityResponse(c, entity)
})

collections.delete('/:collection/:id', async (c) => {
  const { plural, builtIn } = await authorizedCollection(c, 'delete')
  const id = idOf(c, builtIn)
  await c.var.tenant.run({ kind: 'verb', noun: plural, verb: 'delete', id, expectedVersion: expectedVersion(c), route: 'crud' })
  return c.body(null, 204)
})

collections.get('/:collection/:id/history', async (c) => {
  const { plural, builtIn } = collectionOf(c)
  onlyParams(c, [])
  return c.json(await c.var.tenant.run({ kind: 'history', noun: plural, id: idOf(c, builtIn) }))
})

/** `POST /contacts/capture`: a collection verb (no id). */
collections.post('/:collection/:id', async (c) => {
  const name = c.req.param('id') ?? ''
  const { plural, builtIn } = await authorizedCollection(c, name)
  if (builtIn) checkVerbRoute(builtIn, name, 'collection')
  const input = await readJsonObject(c, { optional: true })
  const entity = await c.var.tenant.run<EntityRecord>({ kind: 'verb', noun: plural, verb: name, input, route: 'collection' })
  return entityResponse(c, entity)
})

/** `POST /leads/{id}/convert`: an instance verb. CRUD verbs have their own methods. */
collections.post('/:collection/:id/:verb', async (c) => {
  const name = c.req.param('verb') ?? ''
  const { plural, builtIn } = await authorizedCollection(c, name)
  if (builtIn) checkVerbRoute(builtIn, name, 'instance')
  const id = idOf(c, builtIn)
  const input = await readJsonObject(c, { optional: true })
  const entity = await c.var.tenant.run<EntityRecord>({ kind: 'verb', noun: plural, verb: name, id, input, expectedVersion: expectedVersion(c), route: 'instance' })
  return entityResponse(c, entity)
})
