/**
 * The workspace's record pages and the board:
 *   GET  /dashboard/contacts/:id       a contact, related records, timeline
 *   GET  /dashboard/deals/:id          a deal, related records, timeline, the move control
 *   GET  /dashboard/board              the pipeline board
 *   POST /dashboard/deals/:id/advance  moves a deal (`advance`, at the version the page showed)
 *   POST /dashboard/contacts/:id/forget  forgets a person (admins; typed confirmation)
 */
import { Hono } from 'hono'
import { AppError } from '../domain/errors'
import type { EntityRecord } from '../domain/engine/types'
import { isIdOf } from '../domain/ids'
import type { AppEnv } from '../http/types'
import { BoardPage } from './board-page'
import { FORGET_CONFIRMATION } from './forget-form'
import { ContactPage } from './contact-page'
import { DealPage } from './deal-page'
import { takeFlash } from './flash'
import { openStages, related, timelineOf } from './records'
import { action, field, listOp, page, run } from './request'

export const recordRoutes = new Hono<AppEnv>()

/** Deals shown per column (the largest first); the rest are counted. */
export const CARDS_PER_COLUMN = 50

const checked = (prefix: string, id: string | undefined) => {
  if (!id || !isIdOf(prefix, id)) throw new AppError('not_found', `there is no ${prefix} ${id ?? ''} on this team`)
  return id
}

recordRoutes.get(
  '/dashboard/contacts/:id',
  page(async (c, s) => {
    const id = checked('contact', c.req.param('id'))
    const [contact, leads, deals, activities, timeline] = await Promise.all([
      run<EntityRecord>(c, s, { kind: 'get', noun: 'Contact', id, include: ['organization', 'owner'] }),
      related(c, s, 'Lead', { contact: id }),
      related(c, s, 'Deal', { contact: id }),
      related(c, s, 'Activity', { contact: id }),
      timelineOf(c, s, id),
    ])
    const flash = await takeFlash(c, s.slug)
    return c.html(<ContactPage s={s} contact={contact} leads={leads} deals={deals} activities={activities} timeline={timeline} notices={flash ? [flash] : []} />)
  }),
)

recordRoutes.get(
  '/dashboard/deals/:id',
  page(async (c, s) => {
    const id = checked('deal', c.req.param('id'))
    const [deal, stages, leads, activities, proposals, timeline] = await Promise.all([
      run<EntityRecord>(c, s, { kind: 'get', noun: 'Deal', id, include: ['contact', 'organization', 'owner'] }),
      openStages(c, s),
      related(c, s, 'Lead', { deal: id }),
      related(c, s, 'Activity', { deal: id }),
      related(c, s, 'Proposal', { deal: id }),
      timelineOf(c, s, id),
    ])
    const flash = await takeFlash(c, s.slug)
    return c.html(<DealPage s={s} deal={deal} stages={stages} leads={leads} activities={activities} proposals={proposals} timeline={timeline} notices={flash ? [flash] : []} now={Date.now()} />)
  }),
)

recordRoutes.get(
  '/dashboard/board',
  page(async (c, s) => {
    const stages = await openStages(c, s)
    const columns = await Promise.all(
      stages.map(async (stage) => {
        const { data, total } = await run<{ data: EntityRecord[]; total: number }>(c, s, listOp('Deal', { stageId: stage.$id, sort: '-value', limit: String(CARDS_PER_COLUMN) }))
        return { stage, deals: data, total }
      }),
    )
    const flash = await takeFlash(c, s.slug)
    return c.html(<BoardPage s={s} columns={columns} notices={flash ? [flash] : []} now={Date.now()} />)
  }),
)

recordRoutes.post(
  '/dashboard/deals/:id/advance',
  action(
    (c, form) => (form.back === 'deal' && isIdOf('deal', c.req.param('id') ?? '') ? `deals/${c.req.param('id')}` : 'board'),
    async (c, s, form) => {
      const id = checked('deal', c.req.param('id'))
      const stage = field(form, 'stage')
      const version = Number.parseInt(field(form, 'version'), 10)
      if (!stage) throw new AppError('validation_failed', 'pick the stage to move the deal to', [{ path: 'stage', message: 'is required' }])
      try {
        const deal = await run<EntityRecord>(c, s, { kind: 'verb', noun: 'Deal', verb: 'advance', id, input: { stage }, ...(Number.isSafeInteger(version) && version > 0 ? { expectedVersion: version } : {}) })
        return { flash: { kind: 'ok', text: `“${String(deal.name)}” moved to ${String(deal.stage)}.` } }
      } catch (error) {
        // Someone moved or changed it since this page was drawn: say so rather than the version numbers.
        if (error instanceof AppError && error.code === 'precondition_failed')
          throw new AppError('conflict', 'this deal changed since the page was loaded (someone else moved or edited it); here it is as it is now, try again')
        throw error
      }
    },
  ),
)

recordRoutes.post(
  '/dashboard/contacts/:id/forget',
  action(
    (c) => `contacts/${checked('contact', c.req.param('id'))}`,
    async (c, s, form) => {
      const id = checked('contact', c.req.param('id'))
      if (field(form, 'confirm').trim().toLowerCase() !== FORGET_CONFIRMATION)
        throw new AppError('validation_failed', `type “${FORGET_CONFIRMATION}” to confirm: nothing was erased`)
      const done = await run<{ records: Record<string, string[]> }>(c, s, { kind: 'contacts.forget', id })
      const others = Object.values(done.records).reduce((n, ids) => n + ids.length, 0)
      return { flash: { kind: 'ok', text: `The person is forgotten: their personal data is erased from this contact and ${others} related record${others === 1 ? '' : 's'}.` } }
    },
    { admin: true },
  ),
)
