/**
 * A proposal as a printable HTML page (seed 004's proposal generator), shared by the API route
 * (`GET /proposals/{id}/document`, key-authenticated) and the dashboard's (session-authenticated,
 * whose strict CSP admits the page's style by the response's nonce).
 */
import { raw } from 'hono/html'
import type { EntityRecord } from '../domain/engine/types'
import { roundAmount } from '../domain/money'
import type { LineItem } from '../domain/settings'

const money = (amount: number, currency: string) => new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount)
const day = (iso: unknown) => (typeof iso === 'string' ? iso.slice(0, 10) : '')

export interface ProposalView {
  proposal: EntityRecord
  deal?: EntityRecord
  contact?: EntityRecord
}

/** The proposal with its deal expanded, and the deal's contact when it has one (a contact deleted since is left out). */
export async function loadProposal(id: string, read: <T>(op: { kind: 'get'; noun: string; id: string; include: string[] }) => Promise<T>): Promise<ProposalView> {
  const proposal = await read<EntityRecord>({ kind: 'get', noun: 'Proposal', id, include: ['deal'] })
  const deal = typeof proposal.deal === 'object' ? (proposal.deal as EntityRecord) : undefined
  const contact = deal?.contact ? await read<EntityRecord>({ kind: 'get', noun: 'Contact', id: String(deal.contact), include: [] }).catch(() => undefined) : undefined
  return { proposal, deal, contact }
}

export function ProposalDocument({ proposal, deal, contact, nonce }: ProposalView & { nonce?: string }) {
  const currency = String(proposal.currency ?? 'USD')
  const items = (proposal.lineItems ?? []) as LineItem[]
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{String(proposal.title ?? 'Proposal')}</title>
          <style nonce={nonce}>{`
            body { font: 15px/1.5 system-ui, sans-serif; color: #0f172a; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }
            h1 { font-size: 1.6rem; margin-bottom: .25rem; } .meta { color: #475569; }
            table { width: 100%; border-collapse: collapse; margin: 1.5rem 0; }
            th, td { text-align: left; padding: .5rem; border-bottom: 1px solid #cbd5e1; } td.n, th.n { text-align: right; }
            tfoot td { font-weight: 700; border-bottom: 0; }
            @media print { body { margin: 0; } }
          `}</style>
        </head>
        <body>
          <h1>{String(proposal.title ?? 'Proposal')}</h1>
          <p class="meta">
            Proposal {proposal.$id} · tier <strong>{String(proposal.tier)}</strong> · status {String(proposal.status)}
            {proposal.sentAt ? ` · sent ${day(proposal.sentAt)}` : ''}
            {proposal.validUntil ? ` · valid until ${day(proposal.validUntil)}` : ''}
          </p>
          {deal && <p>For: <strong>{String(deal.name)}</strong>{contact ? ` — ${String(contact.name)}${contact.email ? ` <${String(contact.email)}>` : ''}` : ''}</p>}
          <table>
            <thead>
              <tr><th scope="col">Item</th><th scope="col" class="n">Qty</th><th scope="col" class="n">Unit price</th><th scope="col" class="n">Amount</th></tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr>
                  <td>{item.description}</td>
                  <td class="n">{item.quantity}</td>
                  <td class="n">{money(item.unitPrice, currency)}</td>
                  <td class="n">{money(roundAmount(item.quantity * item.unitPrice, currency), currency)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr><td colspan={3}>Total</td><td class="n">{money(Number(proposal.total ?? 0), currency)}</td></tr>
            </tfoot>
          </table>
          {proposal.notes ? <p>{String(proposal.notes)}</p> : null}
        </body>
      </html>
    </>
  )
}
