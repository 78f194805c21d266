/** GET /dashboard/my-day: my tasks due by the end of today (UTC) and my deals past their stage's SLA. */
import { Hono, type Context } from 'hono'
import type { EntityRecord } from '../domain/engine/types'
import type { AppEnv } from '../http/types'
import { takeFlash } from './flash'
import { MyDayPage, type LateDeal } from './my-day-page'
import { openStages } from './records'
import { listOp, page, run, type SignedIn } from './request'

export const myDayRoutes = new Hono<AppEnv>()

const DAY = 86_400_000
/** Tasks and late deals listed at most (the oldest first: those matter most). */
const LIMIT = 100

myDayRoutes.get(
  '/dashboard/my-day',
  page(async (c, s) => {
    const now = Date.now()
    const endOfToday = new Date(Math.floor(now / DAY) * DAY + DAY).toISOString()
    const [tasks, lateDeals] = s.me.contact ? await Promise.all([myTasks(c, s, s.me.contact, endOfToday), myLateDeals(c, s, s.me.contact, now)]) : [[], []]
    const nowIso = new Date(now).toISOString()
    const flash = await takeFlash(c, s.slug)
    return c.html(
      <MyDayPage
        s={s}
        overdue={tasks.filter((t) => String(t.dueAt) < nowIso)}
        dueToday={tasks.filter((t) => String(t.dueAt) >= nowIso)}
        lateDeals={lateDeals}
        notices={flash ? [flash] : []}
        today={nowIso.slice(0, 10)}
      />,
    )
  }),
)

/** Open tasks the user's contact owns, due before the end of today, soonest first; with what they are about. */
async function myTasks(c: Context<AppEnv>, s: SignedIn, contact: string, before: string): Promise<EntityRecord[]> {
  const params = { type: 'Task', owner: contact, status: 'Pending', 'dueAt[$lt]': before, sort: 'dueAt', limit: String(LIMIT), include: 'deal,lead,contact' }
  return (await run<{ data: EntityRecord[] }>(c, s, listOp('Activity', params))).data
}

/** The user's deals that entered their (open) stage longer ago than its SLA: one indexed list per stage with an SLA. */
async function myLateDeals(c: Context<AppEnv>, s: SignedIn, contact: string, now: number): Promise<LateDeal[]> {
  const stages = (await openStages(c, s)).filter((stage) => typeof stage.slaDays === 'number')
  const perStage = await Promise.all(
    stages.map(async (stage) => {
      const since = new Date(now - stage.slaDays! * DAY).toISOString()
      const params = { owner: contact, stageId: stage.$id, 'stageEnteredAt[$lt]': since, sort: 'stageEnteredAt', limit: String(LIMIT) }
      const { data } = await run<{ data: EntityRecord[] }>(c, s, listOp('Deal', params))
      return data.map((deal) => ({ deal, stage: stage.name, slaDays: stage.slaDays!, days: Math.floor((now - Date.parse(String(deal.stageEnteredAt))) / DAY) }))
    }),
  )
  return perStage.flat().sort((a, b) => b.days - a.days)
}
