/**
 * REST over every noun: `/{collection}`, `/{collection}/{id}`, `/{collection}/{id}/{verb}`,
 * `/{collection}/{verb}` for collection verbs, `/{collection}/{id}/history`. Routes only parse,
 * call the tenant object and shape the response.
 */
import { Hono, type Context } from 'hono'
import type { EntityRecord } from '../../domain/engine/types'
import { AppError } from '../../domain/errors'
import { apiVerbs, type NounSchema } from '../../domain/noun/noun'
import { own } from '../../domain/own'
import { nouns } from '../../domain/nouns'
import { parseListQuery } from '../../domain/query/list-query'
import { parseIncludes } from '../../durable/reads'
import { readJsonObject } from '../body'
import type { AppEnv } from '../types'
import { isIdOf } from '../../domain/ids'
import { actionFor } from '../../domain/access'

export const collections = new Hono<AppEnv>()

function nounOf(c: Context<AppEnv>): NounSchema {
  const plural = c.req.param('collection') ?? ''
  const noun = nouns.byPlural(plural)
  if (!noun) throw new AppError('not_found', `there is no collection '${plural}'`)
  return noun
}

/** Ids that cannot belong to this noun are simply not found (as are other tenants' ids). */
function idOf(c: Context<AppEnv>, noun: NounSchema): string {
  const id = c.req.param('id') ?? ''
  if (!isIdOf(noun.idPrefix, id)) throw new AppError('not_found', `${noun.name} ${id} not found`)
  return id
}

/** The noun of the path, once the key may run `verb` on it: a member learns nothing of an admin-only request but 403. */
async function authorizedNoun(c: Context<AppEnv>, verb: string): Promise<NounSchema> {
  const noun = nounOf(c)
  await c.var.tenant.authorize(actionFor(noun, verb))
  return noun
}

function onlyParams(c: Context<AppEnv>, allowed: string[]) {
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
  const noun = nounOf(c)
  const query = parseListQuery(noun, new URL(c.req.url).searchParams, nouns)
  return c.json(await c.var.tenant.run({ kind: 'list', noun: noun.name, query }))
})

collections.post('/:collection', async (c) => {
  const noun = await authorizedNoun(c, 'create')
  if (!apiVerbs(noun).create) throw new AppError('method_not_allowed', `${noun.name} cannot be created over the API`)
  const input = await readJsonObject(c)
  const entity = await c.var.tenant.run<EntityRecord>({ kind: 'verb', noun: noun.name, verb: 'create', input })
  c.header('Location', `${c.req.path}/${entity.$id}`)
  return entityResponse(c, entity, 201)
})

collections.get('/:collection/:id', async (c) => {
  const noun = nounOf(c)
  onlyParams(c, ['include', 'asOf'])
  const id = idOf(c, noun)
  const asOfParam = c.req.query('asOf')
  let asOf: string | undefined
  if (asOfParam !== undefined) {
    const ms = Date.parse(asOfParam)
    if (Number.isNaN(ms)) throw new AppError('invalid_query', 'asOf must be an ISO date-time', [{ path: 'asOf', message: 'is not a date' }])
    asOf = new Date(ms).toISOString()
  }
  const include = parseIncludes(noun, c.req.query('include'))
  const entity = await c.var.tenant.run<EntityRecord>({ kind: 'get', noun: noun.name, id, include, ...(asOf ? { asOf } : {}) })
  return entityResponse(c, entity)
})

collections.patch('/:collection/:id', async (c) => {
  const noun = await authorizedNoun(c, 'update')
  const id = idOf(c, noun)
  const input = await readJsonObject(c)
  const entity = await c.var.tenant.run<EntityRecord>({ kind: 'verb', noun: noun.name, verb: 'update', id, input, expectedVersion: expectedVersion(c) })
  return entityResponse(c, entity)
})

collections.delete('/:collection/:id', async (c) => {
  const noun = await authorizedNoun(c, 'delete')
  const id = idOf(c, noun)
  await c.var.tenant.run({ kind: 'verb', noun: noun.name, verb: 'delete', id, expectedVersion: expectedVersion(c) })
  return c.body(null, 204)
})

collections.get('/:collection/:id/history', async (c) => {
  const noun = nounOf(c)
  onlyParams(c, [])
  return c.json(await c.var.tenant.run({ kind: 'history', noun: noun.name, id: idOf(c, noun) }))
})

/** `POST /contacts/capture`: a collection verb (no id). */
collections.post('/:collection/:id', async (c) => {
  const name = c.req.param('id') ?? ''
  const noun = await authorizedNoun(c, name)
  const verb = own(apiVerbs(noun), name)
  if (!verb || verb.kind !== 'custom' || verb.scope !== 'collection') throw new AppError('not_found', `${noun.name} has no collection verb '${name}'`)
  const input = await readJsonObject(c, { optional: true })
  const entity = await c.var.tenant.run<EntityRecord>({ kind: 'verb', noun: noun.name, verb: name, input })
  return entityResponse(c, entity)
})

/** `POST /leads/{id}/convert`: an instance verb. CRUD verbs have their own methods. */
collections.post('/:collection/:id/:verb', async (c) => {
  const name = c.req.param('verb') ?? ''
  const noun = await authorizedNoun(c, name)
  const verb = own(apiVerbs(noun), name)
  if (!verb || (verb.kind !== 'custom' && verb.kind !== 'restore') || verb.scope !== 'instance') throw new AppError('not_found', `${noun.name} has no verb '${name}'`)
  const id = idOf(c, noun)
  const input = await readJsonObject(c, { optional: true })
  const entity = await c.var.tenant.run<EntityRecord>({ kind: 'verb', noun: noun.name, verb: name, id, input, expectedVersion: expectedVersion(c) })
  return entityResponse(c, entity)
})
