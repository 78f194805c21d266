/** `revline pipeline` (seed 004's `crm pipeline`): stages with deal counts, value and weighted value. */
import type { Command } from 'commander'
import { contextOf, emit, UsageError, type Io } from '../context'
import { money, percent, table } from '../format'

const DAY = /^\d{4}-\d{2}-\d{2}$/

export function register(program: Command, io: Io) {
  program
    .command('pipeline')
    .description('the pipeline by stage: deals, value, probability and weighted value')
    .option('--from <date>', 'deals created from this day (YYYY-MM-DD)')
    .option('--to <date>', 'deals created up to this day (YYYY-MM-DD)')
    .action(async (opts: { from?: string; to?: string }, command: Command) => {
      for (const [flag, value] of [['--from', opts.from], ['--to', opts.to]] as const) if (value !== undefined && !DAY.test(value)) throw new UsageError(`${flag} must be a day as YYYY-MM-DD`)
      const ctx = contextOf(command, io)
      const [summary, stages] = await Promise.all([
        ctx.client.pipeline.summary({ ...(opts.from ? { dateFrom: opts.from } : {}), ...(opts.to ? { dateTo: opts.to } : {}) }),
        ctx.client.Stage.find({}, { sort: 'order' }),
      ])
      const byId = new Map(stages.map((s) => [s.$id, s]))
      const rows = summary.byStage.map((row) => {
        const stage = byId.get(row.stageId)
        const probability = stage?.probability ?? 0
        const kind = stage?.kind ?? 'Open'
        return { stage: row.stageName, kind, deals: row.count, value: row.value, probability, weighted: Math.round(row.value * probability) / 100 }
      })
      const open = rows.filter((r) => r.kind === 'Open')
      const totals = { deals: open.reduce((n, r) => n + r.deals, 0), value: open.reduce((n, r) => n + r.value, 0), weighted: open.reduce((n, r) => n + r.weighted, 0) }
      emit(ctx, { stages: rows, openTotals: totals, summary }, () => {
        const body = table(
          ['Stage', { header: 'Deals', align: 'right' }, { header: 'Value', align: 'right' }, { header: 'Prob.', align: 'right' }, { header: 'Weighted', align: 'right' }],
          [
            ...rows.map((r) => [r.kind === 'Open' || r.stage === r.kind ? r.stage : `${r.stage} (${r.kind.toLowerCase()})`, r.deals, money(r.value), `${r.probability}%`, money(r.weighted)]),
            ['Open pipeline', totals.deals, money(totals.value), '', money(totals.weighted)],
          ],
        )
        const leads = `Leads: ${summary.total} (${summary.active} active) · conversion ${percent(summary.conversionRate)} · average score ${summary.avgScore}`
        const deals = `Deals: ${summary.won} won, ${summary.lost} lost · weighted pipeline (per-deal probabilities) ${money(summary.weightedPipelineValue)}`
        return `${body}\n\n${leads}\n${deals}`
      })
    })
}
