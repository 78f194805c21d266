/** `GET /proposals/{id}/document`: a proposal as a printable HTML page (seed 004's proposal generator). */
import { Hono } from 'hono'
import { AppError } from '../../domain/errors'
import { loadProposal, ProposalDocument } from '../proposal-document'
import type { AppEnv } from '../types'

export const documents = new Hono<AppEnv>()

documents.get('/proposals/:id/document', async (c) => {
  const id = c.req.param('id')
  if (!/^proposal_[0-9A-Za-z]{9}$/.test(id)) throw new AppError('not_found', `Proposal ${id} not found`)
  return c.html(<ProposalDocument {...await loadProposal(id, (op) => c.var.tenant.run(op))} />)
})
