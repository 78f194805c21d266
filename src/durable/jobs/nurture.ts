/**
 * leadNurtureFollowUp inside the tenant object: render the stage's template, email the deal's
 * contact and notify its owner (in the app, and by email when the owner is an active user),
 * exactly once per stage entry (keyed by the entering event).
 */
import { runVerb } from '../../domain/engine/run-verb'
import { own } from '../../domain/own'
import { DEFAULT_NURTURE, renderTemplate } from '../../domain/nurture'
import { engineContext, type DispatchContext } from '../context'
import { ownerAddress, sendEmail } from './owner-email'
import { claimEffect } from './runs'

export interface EmailSetting {
  /** 'local' stores messages as Sent (the dev/test outbox); anything else leaves them Queued for the provider. */
  provider: string
}

export function nurture(ctx: DispatchContext, email: EmailSetting, job: { event: string; deal: string; stage: string }) {
  return ctx.transaction(() => {
    if (!claimEffect(ctx.store.sql, `nurture:${job.event}`)) return { skipped: true, messages: [] as string[] }
    const engine = engineContext(ctx)
    const noun = (name: string) => ctx.nouns.byName(name)!
    const deal = ctx.store.get(noun('Deal'), job.deal)
    if (!deal) return { skipped: true, messages: [] }
    const contact = typeof deal.contact === 'string' ? ctx.store.get(noun('Contact'), deal.contact) : undefined
    const owner = typeof deal.owner === 'string' ? ctx.store.get(noun('Contact'), deal.owner) : undefined
    // Stage names are tenant text: a stage called 'constructor' has no template unless one is saved under it.
    const template = own(ctx.tenant.settings().templates, job.stage) ?? DEFAULT_NURTURE
    const rendered = renderTemplate(template, { deal, contact: contact ?? {}, stage: { name: job.stage }, owner: owner ?? {} })
    const messages: string[] = []
    if (contact?.email) {
      const local = email.provider === 'local'
      const message = runVerb(engine, {
        noun: noun('Message'),
        verb: 'create',
        input: { to: contact.email, ...rendered, kind: 'nurture', status: local ? 'Sent' : 'Queued', provider: email.provider, sentAt: local ? new Date().toISOString() : null, cause: job.event, contact: contact.$id, deal: deal.$id },
      })
      messages.push(message.entity.$id)
    }
    if (owner) {
      const title = `${String(deal.name)} entered ${job.stage}`
      const body = contact?.email ? `Nurture email sent to ${String(contact.email)}.` : 'No contact email: nothing was sent.'
      runVerb(engine, { noun: noun('Notification'), verb: 'create', input: { recipient: owner.$id, title, body, kind: 'nurture', cause: job.event, deal: deal.$id, link: `/deals/${deal.$id}` } })
      // The rep hears of it by email too, when the owner is a user of the team (a plain contact gets the notification only).
      const to = ownerAddress(ctx, owner, { contactAlso: false })
      if (to) sendEmail(engine, ctx, { to, subject: title, body, kind: 'notification', cause: job.event, contact: owner.$id, deal: deal.$id }, job.event)
    }
    return { skipped: false, messages }
  })
}
