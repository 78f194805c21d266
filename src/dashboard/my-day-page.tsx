/**
 * "My day": the signed-in user's open tasks that are overdue or due today, and their deals that have
 * sat in a stage longer than the stage's SLA, each linking to its record. "Mine" is what is owned by
 * the user's Contact (the seeds' `owner` fields).
 */
import type { EntityRecord } from '../domain/engine/types'
import { money } from './crm-page'
import type { Flash } from './flash'
import { recordHref } from './record-parts'
import { Shell } from './shell'
import type { SignedIn } from './signed-in'
import { when } from './timeline'

export interface LateDeal {
  deal: EntityRecord
  stage: string
  slaDays: number
  days: number
}

export interface MyDayProps {
  s: SignedIn
  overdue: EntityRecord[]
  dueToday: EntityRecord[]
  lateDeals: LateDeal[]
  notices: Flash[]
  /** The day the page is for (UTC), e.g. 2026-12-02. */
  today: string
}

export function MyDayPage({ s, overdue, dueToday, lateDeals, notices, today }: MyDayProps) {
  return (
    <Shell s={s} title="My day" heading={`My day · ${today}`} section="my-day" notices={notices}>
      {s.me.contact === null && <p class="notice">Your user has no contact record, so nothing can be assigned to you yet.</p>}
      <TaskList s={s} id="overdue" title="Overdue tasks" tasks={overdue} empty="No overdue tasks." late />
      <TaskList s={s} id="due-today" title="Due today" tasks={dueToday} empty="Nothing else is due today." />
      <section aria-labelledby="late-deals">
        <h2 id="late-deals">
          My deals past their stage SLA <span class="meta">({lateDeals.length})</span>
        </h2>
        {lateDeals.length === 0 ? (
          <p class="empty">Every deal of yours is within its stage’s SLA.</p>
        ) : (
          <ul class="list">
            {lateDeals.map(({ deal, stage, slaDays, days }) => (
              <li data-late-deal={deal.$id}>
                <a href={recordHref(s.slug, deal)}>{String(deal.name)}</a>
                <span class="meta">
                  {money(Number(deal.value ?? 0))} · {stage} for <span class="late">{days} days</span> (SLA {slaDays})
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </Shell>
  )
}

function TaskList({ s, id, title, tasks, empty, late }: { s: SignedIn; id: string; title: string; tasks: EntityRecord[]; empty: string; late?: boolean }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>
        {title} <span class="meta">({tasks.length})</span>
      </h2>
      {tasks.length === 0 ? (
        <p class="empty">{empty}</p>
      ) : (
        <ul class="list">
          {tasks.map((task) => {
            const target = linkOf(s, task)
            return (
              <li data-task={task.$id}>
                <span>
                  <strong>{String(task.subject)}</strong>
                  {target && (
                    <>
                      {' · '}
                      <a href={target.href}>{target.label}</a>
                    </>
                  )}
                </span>
                <span class="meta">
                  {String(task.priority ?? 'Normal')} · due <span class={late ? 'late' : undefined}>{when(String(task.dueAt))}</span>
                </span>
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}

/** The record a task is about (deal, then lead, then contact), with the name it was read with. */
function linkOf(s: SignedIn, task: EntityRecord): { href: string; label: string } | undefined {
  for (const [key, type] of [['deal', 'Deal'], ['lead', 'Lead'], ['contact', 'Contact']] as const) {
    const record = task[key]
    if (record && typeof record === 'object') {
      const r = record as EntityRecord
      return { href: recordHref(s.slug, { ...r, $type: type })!, label: String(r.name ?? r.$id) }
    }
  }
  return undefined
}
