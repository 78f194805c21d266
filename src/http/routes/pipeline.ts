/**
 * Seed 003's analytics: `GET /pipeline/summary` (pipelineSummary + weightedPipelineValue),
 * `/pipeline/funnel`, `/pipeline/attribution`, `/pipeline/cycle`, `/pipeline/billing` (MRR).
 * Amounts are in major units (`48000` is $48,000), like every amount in the API. `dateFrom` / `dateTo` (YYYY-MM-DD, by creation day) narrow summary and funnel.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { AppError } from '../../domain/errors'
import { toFieldErrors } from '../../domain/noun/validators'
import type { AppEnv } from '../types'

const Day = z.iso.date()
const RangeQuery = z.strictObject({ dateFrom: Day.optional(), dateTo: Day.optional() })
const NoQuery = z.strictObject({})

export const pipeline = new Hono<AppEnv>()

for (const report of ['summary', 'funnel', 'attribution', 'cycle', 'billing'] as const) {
  pipeline.get(`/pipeline/${report}`, async (c) => {
    const schema = report === 'summary' || report === 'funnel' ? RangeQuery : NoQuery
    const parsed = schema.safeParse(c.req.query())
    if (!parsed.success) throw new AppError('invalid_query', 'the query is not valid', toFieldErrors(parsed.error))
    const range = parsed.data as { dateFrom?: string; dateTo?: string }
    if (range.dateFrom && range.dateTo && range.dateFrom > range.dateTo) throw new AppError('invalid_query', 'dateFrom is after dateTo', [{ path: 'dateFrom', message: 'must not be after dateTo' }])
    return c.json(await c.var.tenant.run({ kind: 'analytics', report, ...range }))
  })
}
