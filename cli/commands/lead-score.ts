/** `revline lead-score --company "ABC Corp"` (seed 004): the organization's leads, scores, bands and factors. */
import type { Command } from 'commander'
import type { Entity } from '../../sdk'
import { contextOf, emit, RevlineErrorGuard, type Io } from '../context'
import { table } from '../format'
import { findOrganization, notFound } from '../lookup'

interface Factor {
  rule: string
  label: string
  points: number
}

export function register(program: Command, io: Io) {
  program
    .command('lead-score')
    .description("score an organization's leads: score, band and the points of each factor")
    .requiredOption('--company <name>', 'the organization (name or id)')
    .action(async (opts: { company: string }, command: Command) => {
      const ctx = contextOf(command, io)
      const org = await findOrganization(ctx.client, opts.company)
      if (!org) throw notFound('organization', opts.company)
      const leads = await ctx.client.Lead.find({}, { query: { organization: org.$id }, sort: '-score' })
      // The qualified threshold is in the scoring settings (admin keys); members see the default.
      const threshold = await ctx.client.settings
        .get<{ data?: { qualifyThreshold?: number } }>('scoring')
        .then((s) => s.data?.qualifyThreshold ?? 60)
        .catch(RevlineErrorGuard(403, 60))
      const scored = await Promise.all(
        leads.map(async (lead) => {
          const latest = (await ctx.client.Lead.scores(lead.$id, { limit: 1 })).data[0] as Entity<'LeadScore'> | undefined
          const factors = (Array.isArray(latest?.factors) ? latest.factors : []) as Factor[]
          return { lead, score: lead.score ?? latest?.score ?? null, band: lead.band ?? latest?.band ?? null, qualified: (lead.score ?? 0) >= threshold, factors, scoredAt: latest?.$createdAt ?? null }
        }),
      )
      emit(ctx, { organization: org, threshold, leads: scored }, () => {
        const head = `${org.name} (${org.$id}) · ${scored.length === 1 ? '1 lead' : `${scored.length} leads`} · qualified threshold ${threshold}`
        if (scored.length === 0) return `${head}\n\nno leads for this organization`
        const overview = table(
          ['Lead', 'Status', { header: 'Score', align: 'right' }, 'Band', 'Qualified'],
          scored.map((s) => [`${s.lead.name} (${s.lead.$id})`, s.lead.status ?? '', s.score ?? '—', s.band ?? '—', s.score === null ? '—' : s.qualified ? 'yes' : 'no']),
        )
        const details = scored.map((s) => {
          const title = `${s.lead.name}: ${s.score ?? 'not scored'}${s.band ? ` (${s.band})` : ''}`
          if (s.factors.length === 0) return `${title}\n  no factor applies`
          const rows = s.factors.map((f) => [f.label, `+${f.points}`])
          const sum = s.factors.reduce((n, f) => n + f.points, 0)
          return `${title}\n${table(['Factor', { header: 'Points', align: 'right' }], [...rows, ['Total (clamped to 0–100)', String(Math.max(0, Math.min(100, sum)))]], 80)}`
        })
        return [head, '', overview, '', ...details.flatMap((d) => [d, ''])].join('\n').trimEnd()
      })
    })
}
