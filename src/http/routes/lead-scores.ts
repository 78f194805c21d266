/** `GET /leads/{id}/scores`: the lead's score history, newest first (seed 003 lead_scores). */
import { Hono } from 'hono'
import { AppError } from '../../domain/errors'
import { parseListQuery } from '../../domain/query/list-query'
import { nouns } from '../../domain/nouns'
import type { AppEnv } from '../types'
import { isIdOf } from '../../domain/ids'

export const leadScores = new Hono<AppEnv>()

leadScores.get('/leads/:id/scores', async (c) => {
  const id = c.req.param('id')
  if (!isIdOf('lead', id)) throw new AppError('not_found', `Lead ${id} not found`)
  await c.var.tenant.run({ kind: 'get', noun: 'Lead', id, include: [] })
  const params = new URLSearchParams(new URL(c.req.url).search)
  params.set('lead', id)
  if (!params.has('sort')) params.set('sort', '-$createdAt')
  const query = parseListQuery(nouns.byName('LeadScore')!, params, nouns)
  return c.json(await c.var.tenant.run({ kind: 'list', noun: 'LeadScore', query }))
})
