/**
 * leadFollowUpReminder inside the tenant object (daily 08:00 UTC): overdue tasks (dueAt passed,
 * still Pending) and deals past their stage's SLA → a notification and an email to the owner (the
 * owning user's address: ./owner-email.ts), once per item per day. Works in chunks so a large
 * tenant never holds the object for long.
 */
import { runVerb } from '../../domain/engine/run-verb'
import type { EntityRecord } from '../../domain/engine/types'
import { engineContext, type DispatchContext } from '../context'
import { ownerAddress, sendEmail } from './owner-email'
import { claimEffect } from './runs'

const DAY_MS = 86_400_000
export const REMINDER_CHUNK = 200

interface Overdue {
  item: EntityRecord
  kind: 'task' | 'sla'
  ownerId: string | undefined
  title: string
  body: string
}

/** One chunk: tasks first (cursor "task:<dueAt>|<id>"), then deals (cursor "deal:<stage index>|<id>"). */
export function remind(ctx: DispatchContext, job: { day: string; cursor?: string }, now = new Date()) {
  const engine = engineContext(ctx)
  const noun = (name: string) => ctx.nouns.byName(name)!
  const overdue: Overdue[] = []
  let next: string | undefined
  const cursor = job.cursor ?? 'task:'

  if (cursor.startsWith('task:')) {
    const after = cursor.slice(5)
    const [afterDue, afterId] = after ? after.split('|') : ['', '']
    const tasks = ctx.store.find(
      noun('Activity'),
      {
        and: [
          { field: 'type', op: '$eq', value: 'Task' },
          { field: 'status', op: '$eq', value: 'Pending' },
          { field: 'dueAt', op: '$lt', value: now.toISOString() },
          ...(after ? [{ or: [{ field: 'dueAt', op: '$gt' as const, value: afterDue }, { and: [{ field: 'dueAt', op: '$eq' as const, value: afterDue }, { field: '$id', op: '$gt' as const, value: afterId }] }] }] : []),
        ],
      },
      { sort: [{ field: 'dueAt', dir: 'asc' }], limit: REMINDER_CHUNK },
    )
    for (const task of tasks)
      overdue.push({ item: task, kind: 'task', ownerId: task.owner as string | undefined, title: `Overdue task: ${String(task.subject)}`, body: `Due ${String(task.dueAt).slice(0, 16).replace('T', ' ')} UTC.` })
    next = tasks.length === REMINDER_CHUNK ? `task:${String(tasks.at(-1)!.dueAt)}|${tasks.at(-1)!.$id}` : 'deal:0|'
  } else {
    const [indexText, afterText] = cursor.slice(5).split('|')
    let afterId = afterText ?? ''
    const stages = ctx.store.find(noun('Stage'), { and: [{ field: 'status', op: '$eq', value: 'Active' }, { field: 'kind', op: '$eq', value: 'Open' }, { field: 'slaDays', op: '$exists', value: true }] }, { sort: [{ field: 'order', dir: 'asc' }], limit: 200 })
    let index = Number(indexText) || 0
    while (index < stages.length && overdue.length < REMINDER_CHUNK) {
      const stage = stages[index]!
      const deadline = new Date(now.getTime() - Number(stage.slaDays) * DAY_MS).toISOString()
      const deals = ctx.store.find(
        noun('Deal'),
        { and: [{ field: 'stage', op: '$eq', value: stage.name }, { field: 'stageEnteredAt', op: '$lt', value: deadline }, ...(afterId ? [{ field: '$id', op: '$gt' as const, value: afterId }] : [])] },
        { sort: [{ field: '$id', dir: 'asc' }], limit: REMINDER_CHUNK - overdue.length },
      )
      for (const deal of deals)
        overdue.push({ item: deal, kind: 'sla', ownerId: deal.owner as string | undefined, title: `Deal past its ${String(stage.name)} SLA: ${String(deal.name)}`, body: `In ${String(stage.name)} since ${String(deal.stageEnteredAt).slice(0, 10)}; the SLA is ${String(stage.slaDays)} days.` })
      if (overdue.length >= REMINDER_CHUNK && deals.length > 0) {
        next = `deal:${index}|${deals.at(-1)!.$id}`
        break
      }
      index++
      afterId = ''
    }
  }

  let reminded = 0
  let unassigned = 0
  ctx.transaction(() => {
    for (const o of overdue) {
      const owner = o.ownerId ? ctx.store.get(noun('Contact'), o.ownerId) : undefined
      if (!owner) {
        unassigned++
        continue
      }
      if (!claimEffect(ctx.store.sql, `reminder:${o.item.$id}:${job.day}`)) continue
      const link = o.kind === 'task' ? { activity: o.item.$id } : { deal: o.item.$id }
      runVerb(engine, { noun: noun('Notification'), verb: 'create', input: { recipient: owner.$id, title: o.title, body: o.body, kind: 'reminder', cause: `reminders:${job.day}`, ...link } })
      const to = ownerAddress(ctx, owner, { contactAlso: true })
      if (to) sendEmail(engine, ctx, { to, subject: o.title, body: `${o.body}\n\nThis is your daily follow-up reminder.`, kind: 'reminder', cause: `reminders:${job.day}`, contact: owner.$id, ...link }, null)
      reminded++
    }
  })
  return { items: overdue.length, reminded, unassigned, next }
}
