/** Reads the workspace pages share: a record's events for its timeline, and users' names by id. */
import type { Context } from 'hono'
import type { EntityRecord, EventRecord } from '../domain/engine/types'
import type { AppEnv } from '../http/types'
import { listOp, run, type SignedIn } from './request'
import type { StageView } from './deal-move'
import type { TimelineData } from './timeline'

/** Events shown on a timeline (the newest); older ones are counted. */
export const TIMELINE_EVENTS = 50
const PAGE = 200
/** Pages of the log read for one record at most: a record this busy shows its latest events among the first 4,000. */
const MAX_PAGES = 20

/** The record's events (`/events?entity=`), newest first, with the names of the users who acted. */
export async function timelineOf(c: Context<AppEnv>, s: SignedIn, entity: string): Promise<TimelineData> {
  let latest: EventRecord[] = []
  let total = 0
  let after: number | undefined
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const page = await run<{ data: EventRecord[]; next: string | null }>(c, s, { kind: 'events', query: { entity, limit: PAGE, ...(after === undefined ? {} : { after }) } })
    total += page.data.length
    latest = [...latest, ...page.data].slice(-TIMELINE_EVENTS)
    if (!page.next) break
    after = Number(page.next)
  }
  const events = latest.reverse()
  return { events, total, users: await userNames(c, s, events.map((e) => e.actor)) }
}

/** The names of the users among `ids` (other ids are not users and are left out). */
export async function userNames(c: Context<AppEnv>, s: SignedIn, ids: readonly unknown[]): Promise<Map<string, string>> {
  const users = [...new Set(ids.filter((id): id is string => typeof id === 'string' && id.startsWith('user_')))]
  if (users.length === 0) return new Map()
  const { data } = await run<{ data: EntityRecord[] }>(c, s, listOp('User', { filter: JSON.stringify({ $id: { $in: users } }), limit: String(users.length) }))
  return new Map(data.map((u) => [u.$id, String(u.name)]))
}

/** The live open stages in pipeline order: the board's columns, where a deal may be moved. */
export async function openStages(c: Context<AppEnv>, s: SignedIn): Promise<StageView[]> {
  const { data } = await run<{ data: EntityRecord[] }>(c, s, listOp('Stage', { status: 'Active', kind: 'Open', sort: 'order', limit: '200' }))
  return data as unknown as StageView[]
}

/** A page of `noun` records matching `params` (newest first unless `sort` says otherwise). */
export const related = (c: Context<AppEnv>, s: SignedIn, noun: string, params: Record<string, string>) =>
  run<{ data: EntityRecord[]; total: number }>(c, s, listOp(noun, { sort: '-$createdAt', limit: '20', ...params }))
