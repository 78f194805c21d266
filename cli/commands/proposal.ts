/** `revline proposal --client "ABC Corp" --tier warrior` (seed 004): a proposal for the client's open deal, saved as HTML. */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import type { Entity } from '../../sdk'
import { CommandFailed, contextOf, emit, UsageError, type Io } from '../context'
import { money } from '../format'
import { findContact, findOrganization } from '../lookup'

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'client'

export function register(program: Command, io: Io) {
  program
    .command('proposal')
    .description("create a proposal for the client's open deal from a pricing tier and save its HTML document")
    .requiredOption('--client <name>', 'the client organization (or contact) by name or id')
    .requiredOption('--tier <tier>', 'a pricing tier (GET /settings/tiers): starter, warrior, general, …')
    .option('--deal <id>', 'the deal, when the client has several open ones')
    .option('--out <file>', 'where to save the document (default ./proposal-<client>-<tier>-<id>.html)')
    .action(async (opts: { client: string; tier: string; deal?: string; out?: string }, command: Command) => {
      const ctx = contextOf(command, io)
      const { client } = ctx
      let deal: Entity<'Deal'>
      if (opts.deal) {
        deal = await client.Deal.get(opts.deal)
      } else {
        const org = await findOrganization(client, opts.client)
        const contact = org ? undefined : await findContact(client, opts.client)
        if (!org && !contact) throw new CommandFailed(`no organization or contact named '${opts.client}'`)
        const closed = (await client.Stage.find({ kind: { $in: ['Won', 'Lost'] } })).map((s) => s.name)
        const open = await client.Deal.find(
          { ...(org ? { organization: org.$id } : { contact: contact!.$id }), ...(closed.length ? { stage: { $nin: closed } } : {}) },
          { sort: '-$updatedAt' },
        )
        if (open.length === 0)
          throw new CommandFailed(`${opts.client} has no open deal`, [`create one: revline create deals name="${opts.client} engagement" ${org ? `organization=${org.$id}` : `contact=${contact!.$id}`}`])
        if (open.length > 1)
          throw new UsageError(`${opts.client} has ${open.length} open deals: ${open.map((d) => `${d.name} (${d.$id}, ${d.stage})`).join(', ')}`, 'choose one with --deal <id>')
        deal = open[0]!
      }
      const proposal = await client.Proposal.create({ deal: deal.$id, tier: opts.tier })
      const html = await client.Proposal.document(proposal.$id)
      const file = path.resolve(opts.out ?? `proposal-${slug(opts.client)}-${slug(opts.tier)}-${proposal.$id}.html`)
      writeFileSync(file, html)
      emit(ctx, { proposal, deal: { $id: deal.$id, name: deal.name, stage: deal.stage }, path: file }, () =>
        [`proposal ${proposal.$id} for ${deal.name} (${deal.$id}) · tier ${proposal.tier} · total ${money(proposal.total ?? 0)}`, `saved ${file}`].join('\n'),
      )
    })
}
