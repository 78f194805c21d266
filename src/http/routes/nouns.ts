/**
 * `/nouns`: the tenant's schema in the seeds' Noun DSL; `/manifest`: its whole configuration. Anyone with a key reads it; an admin adds
 * custom fields to a built-in noun or defines a noun of the tenant's own with `PUT`, and deletes
 * one with `DELETE`. Stored values are never lost silently: `?drop=field,…` names what may go.
 */
import { Hono, type Context } from 'hono'
import { AppError } from '../../domain/errors'
import type { SchemaChangeResult, NounView } from '../../durable/schema-ops'
import { readJsonValue } from '../body'
import { tenantOpenApiJson } from '../openapi/document'
import { requires } from '../tenant'
import type { AppEnv } from '../types'

export const nounRoutes = new Hono<AppEnv>()

const NAME = /^[A-Za-z][A-Za-z0-9]{0,59}$/

/** The path's noun name; a name no noun could have is simply not found. */
function nameOf(c: Context<AppEnv>): string {
  const name = c.req.param('name') ?? ''
  if (!NAME.test(name)) throw new AppError('not_found', `there is no noun '${name}'`)
  return name
}

/** `?drop=shoeSize,tier` (a manifest: `Contact.shoeSize,Project`): what the change may delete. */
function dropOf(c: Context<AppEnv>, qualified = false): string[] {
  const raw = c.req.queries('drop') ?? []
  const names = raw.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)
  if (names.length > 250) throw new AppError('invalid_query', 'drop names at most 250 fields', [{ path: 'drop', message: 'too many names' }])
  const shape = qualified ? QUALIFIED : NAME
  for (const name of names) if (!shape.test(name)) throw new AppError('invalid_query', `drop names '${name}', which is no ${qualified ? 'Noun.field or noun' : 'field or noun'} name`, [{ path: 'drop', message: `not a name: ${name}` }])
  return names
}

const QUALIFIED = /^[A-Z][A-Za-z0-9]{0,59}(\.[a-z][A-Za-z0-9]{0,59})?$/

/** `?dryRun=true`: report, change nothing. */
function dryRunOf(c: Context<AppEnv>): boolean {
  const value = c.req.query('dryRun')
  if (value === undefined || value === 'false') return false
  if (value === 'true' || value === '') return true
  throw new AppError('invalid_query', 'dryRun is true or false', [{ path: 'dryRun', message: 'must be true or false' }])
}

/** The tenant's own OpenAPI document: Revline's nouns with the tenant's fields, and its own nouns, under its own server. */
nounRoutes.get('/openapi.json', async (c) => {
  const nouns = await c.var.tenant.nouns()
  return c.body(tenantOpenApiJson(c.env.BASE_HOST, nouns, c.var.tenant.slug), 200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'private, no-cache' })
})

nounRoutes.get('/nouns', async (c) => c.json(await c.var.tenant.run({ kind: 'schema.get' })))

nounRoutes.get('/nouns/:name', async (c) => c.json(await c.var.tenant.run<NounView>({ kind: 'schema.get', name: nameOf(c) })))

nounRoutes.put('/nouns/:name', requires('admin'), async (c) => {
  const name = nameOf(c)
  const drop = dropOf(c)
  const body = await readJsonValue(c)
  const result = await c.var.tenant.run<SchemaChangeResult & { created: boolean }>({ kind: 'schema.put', name, body, drop })
  const { created, ...rest } = result
  return c.json(rest, created ? 201 : 200)
})

nounRoutes.delete('/nouns/:name', requires('admin'), async (c) => {
  const name = nameOf(c)
  return c.json(await c.var.tenant.run<SchemaChangeResult>({ kind: 'schema.delete', name, drop: dropOf(c) }))
})

nounRoutes.get('/manifest', requires('admin'), async (c) => c.json(await c.var.tenant.run({ kind: 'manifest.get' })))

nounRoutes.put('/manifest', requires('admin'), async (c) => {
  const dryRun = dryRunOf(c)
  const drop = dropOf(c, true)
  const body = await readJsonValue(c)
  return c.json(await c.var.tenant.run({ kind: 'manifest.put', body, dryRun, drop }))
})
