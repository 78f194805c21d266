/**
 * The SDK's live feed against `wrangler dev`: `events.subscribe`, the seeds' hook style on the client
 * (`Deal.won(async (deal) => …)`), `events.follow`, resuming after connections cut by a proxy in
 * the middle, durable cursors across restarts, and the typed end on a refused key.
 * The server runs with 8 feed connections per key, so the 429 path is reachable in a few lines.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { createClient, RevlineError, ServerSideHookError, type CursorStore, type Entity, type EventSubscription, type FeedErrorContext, type FetchLike, type RevlineClient, type RevlineEvent } from '../../sdk'
import { startDevServer, type DevServer } from './dev-server'
import { newTenant } from './sdk-support'
import { startSeverableProxy, type SeverableProxy } from './severable-proxy'

let server: DevServer
let proxy: SeverableProxy
let scratch: string
beforeAll(async () => {
  server = await startDevServer({ vars: { FEED_CONNECTIONS_PER_KEY: '8' } })
  proxy = await startSeverableProxy(server.baseUrl)
  scratch = mkdtempSync(path.join(os.tmpdir(), 'revline-feed-'))
}, 90_000)
afterAll(async () => {
  await proxy?.stop()
  await server?.stop()
  if (scratch) rmSync(scratch, { recursive: true, force: true })
})

async function waitFor(what: string, ok: () => boolean, ms = 20_000) {
  const deadline = Date.now() + ms
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

async function fresh(prefix: string, options: { through?: string; fetch?: FetchLike } = {}) {
  const { tenant, apiKey } = await newTenant(server.baseUrl, prefix)
  const direct = createClient({ baseUrl: server.baseUrl, tenant, apiKey })
  const feed = createClient({ baseUrl: options.through ?? server.baseUrl, tenant, apiKey, retryDelayMs: 50, ...(options.fetch ? { fetch: options.fetch } : {}) })
  return { tenant, apiKey, direct, feed }
}

/** Every event of the log (or of one filter), as GET /events pages it. */
async function logOf(client: RevlineClient, type?: string) {
  const out: RevlineEvent[] = []
  for await (const event of client.events.all({ ...(type ? { type } : {}), after: 0 })) out.push(event)
  return out
}

const seqs = (events: { seq: number }[]) => events.map((e) => e.seq)

describe('events.subscribe', () => {
  it('hands over every event once, in order, the same as GET /events: all of them, a filter, and from now', async () => {
    const { direct, feed } = await fresh('feed-order')
    const everything: RevlineEvent[] = []
    const deals: RevlineEvent[] = []
    const all = feed.events.subscribe({ after: 0 }, (e) => void everything.push(e))
    const dealsOnly = feed.events.subscribe({ type: 'deal.*', after: 0 }, async (e) => {
      await new Promise((r) => setTimeout(r, 2)) // a handler that takes a moment: still one at a time, in order
      deals.push(e)
    })
    // Writes, some of them at once, while both listen.
    const contact = await direct.Contact.create({ name: 'Order Olive', email: 'olive@order.dev' })
    await direct.Contact.qualify(contact.$id)
    await Promise.all(Array.from({ length: 8 }, (_, i) => direct.Deal.create({ name: `Deal ${i}`, value: 1000 * (i + 1), contact: contact.$id })))
    const list = await direct.Deal.find({}, { sort: 'name' })
    await Promise.all(list.slice(0, 4).map((d) => direct.Deal.win(d.$id)))

    const log = await logOf(direct)
    await waitFor('every event', () => everything.length >= log.length)
    expect(seqs(everything)).toEqual(seqs(log))
    expect(everything.map((e) => e.id)).toEqual(log.map((e) => e.id))
    expect(everything.at(-1)).toEqual(log.at(-1))
    const dealLog = await logOf(direct, 'deal.*')
    await waitFor('every deal event', () => deals.length >= dealLog.length)
    expect(seqs(deals)).toEqual(seqs(dealLog))
    expect(dealLog.filter((e) => e.type === 'deal.won')).toHaveLength(4)
    expect(all.cursor).toBe(log.at(-1)!.seq)
    expect(dealsOnly.cursor).toBe(dealLog.at(-1)!.seq)

    // Without a position it starts at the head: only what happens from now on.
    const fromNow: RevlineEvent[] = []
    const live = feed.events.subscribe({}, (e) => void fromNow.push(e))
    await waitFor('the head as its cursor', () => live.cursor !== undefined)
    expect(live.cursor).toBe(log.at(-1)!.seq)
    const late = await direct.Contact.create({ name: 'Late Larry' })
    await waitFor('the new event', () => fromNow.length === 1)
    expect(fromNow[0]).toMatchObject({ type: 'contact.created', entityId: late.$id })

    await Promise.all([all.close(), dealsOnly.close(), live.close()])
    await expect(all.closed).resolves.toBeUndefined()
    // Closed means closed: nothing more is handed over.
    const before = everything.length
    await direct.Contact.create({ name: 'After Close' })
    await new Promise((r) => setTimeout(r, 300))
    expect(everything).toHaveLength(before)
  })

  it('resumes connections cut in the middle (and a stalled one) with no gap and no duplicate', async () => {
    const resumedFrom: (string | null)[] = []
    const recording: FetchLike = (url, init) => {
      if (url.includes('/events/stream')) resumedFrom.push(new Headers(init.headers).get('last-event-id'))
      return fetch(url, init)
    }
    const { direct, feed } = await fresh('feed-drop', { through: proxy.baseUrl, fetch: recording })
    const got: RevlineEvent[] = []
    const errors: FeedErrorContext[] = []
    const reasons: string[] = []
    const subscription = feed.events.subscribe({ after: 0 }, (e) => void got.push(e), {
      onError: (error, context) => {
        errors.push(context)
        reasons.push(error instanceof Error ? error.message : String(error))
      },
      idleTimeoutMs: 1500,
    })

    // A writer keeps going while the link is cut three times and then goes silent once.
    let writing = true
    let written = 0
    const writer = (async () => {
      while (writing) {
        await direct.Contact.create({ name: `Busy ${written++}` })
        await new Promise((r) => setTimeout(r, 20))
      }
    })()
    for (let cut = 0; cut < 3; cut++) {
      await waitFor(`events before cut ${cut}`, () => got.length >= (cut + 1) * 8)
      proxy.sever()
    }
    await waitFor('events before the stall', () => got.length >= 32)
    proxy.stall() // no bytes, no close: only the idle timeout can tell
    await new Promise((r) => setTimeout(r, 300))
    writing = false
    await writer

    const log = await logOf(direct)
    expect(log.filter((e) => e.type === 'contact.created')).toHaveLength(written)
    await waitFor('every event after the cuts', () => got.length >= log.length, 30_000)
    expect(seqs(got)).toEqual(seqs(log)) // no gap, no duplicate, in order
    // Each reconnect asked to resume after the last event handled before it.
    expect(resumedFrom[0]).toBe('0')
    expect(resumedFrom.length).toBeGreaterThanOrEqual(5)
    for (const id of resumedFrom.slice(1)) expect(got.some((e) => String(e.seq) === id)).toBe(true)
    expect(errors.every((e) => e.phase === 'connection')).toBe(true)
    expect(errors.length).toBeGreaterThanOrEqual(4)
    expect(reasons).toContain('the stream sent nothing for 1500 ms')
    await subscription.close()
  })

  it('a durable cursor: resumes after a restart without repeats; an explicit after wins over it', async () => {
    const { direct, feed } = await fresh('feed-cursor')
    const file = path.join(scratch, 'cursor.json')
    // The caller's store: here a file, as a worker process would keep it.
    const store: CursorStore = {
      load: () => {
        try {
          return JSON.parse(readFileSync(file, 'utf8')).seq as number
        } catch {
          return undefined
        }
      },
      save: (seq) => writeFileSync(file, JSON.stringify({ seq })),
    }
    await direct.Contact.create({ name: 'Before Anyone Listened' })

    const first: string[] = []
    const one = feed.events.subscribe({ type: 'contact.created' }, (e) => void first.push(e.entityId), { cursor: store })
    await waitFor('the start position saved', () => store.load() !== undefined)
    const a = await direct.Contact.create({ name: 'A' })
    const b = await direct.Contact.create({ name: 'B' })
    await waitFor('two events', () => first.length === 2)
    expect(first).toEqual([a.$id, b.$id])
    await one.close()
    expect(store.load()).toBe(one.cursor)

    // While nobody listens.
    const c = await direct.Contact.create({ name: 'C' })
    const d = await direct.Contact.create({ name: 'D' })

    const second: string[] = []
    const two = feed.events.subscribe({ type: 'contact.created' }, (e) => void second.push(e.entityId), { cursor: store })
    await waitFor('the two missed events', () => second.length === 2)
    const e = await direct.Contact.create({ name: 'E' })
    await waitFor('the new one', () => second.length === 3)
    expect(second).toEqual([c.$id, d.$id, e.$id])
    await two.close()

    const replay: string[] = []
    const three = feed.events.subscribe({ type: 'contact.created', after: 0 }, (ev) => void replay.push(ev.entityId), { cursor: store })
    await waitFor('the whole log', () => replay.length === 6)
    expect(replay.slice(1)).toEqual([a.$id, b.$id, c.$id, d.$id, e.$id])
    await three.close()
  })

  it('a refused key ends the subscription with the typed error, as does a bad filter', async () => {
    const { tenant } = await fresh('feed-401')
    const stranger = createClient({ baseUrl: server.baseUrl, tenant, apiKey: 'rvl_not-a-key' })
    const reported: [unknown, FeedErrorContext][] = []
    const handled: RevlineEvent[] = []
    const refused = stranger.events.subscribe({ type: 'deal.*' }, (e) => void handled.push(e), { onError: (error, context) => reported.push([error, context]) })
    const error = await refused.closed.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RevlineError)
    expect(error).toMatchObject({ status: 401, code: 'unauthorized' })
    expect(reported).toEqual([[error, { phase: 'fatal', attempt: 1 }]])
    expect(handled).toEqual([])
    await expect(refused.close()).resolves.toBeUndefined()

    const { feed } = await fresh('feed-400')
    const bad = feed.events.subscribe({ type: 'Deal Won' }, () => {}, { onError: () => {} })
    await expect(bad.closed).rejects.toMatchObject({ status: 400, code: 'invalid_query', errors: [{ path: 'type' }] })
  })

  it('honours 429 Retry-After when the key holds as many streams as allowed', async () => {
    const attempts: number[] = []
    const timed: FetchLike = (url, init) => {
      if (url.includes('/events/stream')) attempts.push(Date.now())
      return fetch(url, init)
    }
    const { feed } = await fresh('feed-429', { fetch: timed })
    const open: EventSubscription[] = []
    for (let i = 0; i < 8; i++) open.push(feed.events.subscribe({}, () => {}))
    await waitFor('eight streams open', () => open.every((s) => s.cursor !== undefined))
    const reported: [unknown, FeedErrorContext][] = []
    const ninth = feed.events.subscribe({}, () => {}, { onError: (error, context) => reported.push([error, context]) })
    await waitFor('two refusals', () => reported.length >= 2, 15_000)
    for (const [error, context] of reported.slice(0, 2)) {
      expect(error).toBeInstanceOf(RevlineError)
      expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryAfterMs: 5000 })
      expect(context).toMatchObject({ phase: 'connection', retryInMs: 5000 })
    }
    // The ninth stream's attempts: the first, then one after the 5 s the server asked for (not 50 ms).
    const mine = attempts.slice(8)
    expect(mine[1]! - mine[0]!).toBeGreaterThanOrEqual(4900)
    expect(ninth.cursor).toBeUndefined()
    await Promise.all([...open, ninth].map((s) => s.close()))
  })
})

describe('hooks on the client: Deal.won(async (deal, event) => …)', () => {
  it('runs once per win with the deal as won; a handler that throws is retried on the same event, never skipped', async () => {
    const { direct, feed } = await fresh('feed-won')
    const calls: { id: string; stage: unknown; seq: number }[] = []
    const failures: FeedErrorContext[] = []
    let failOnce = true
    const won = feed.Deal.won(
      async (deal, event) => {
        expectTypeOf(deal).toEqualTypeOf<Entity<'Deal'>>()
        expectTypeOf(event.type).toEqualTypeOf<'deal.won'>()
        calls.push({ id: deal.$id, stage: deal.stage, seq: event.seq })
        if (deal.name === 'Second' && failOnce) {
          failOnce = false
          throw new Error('the CRM down the road is down')
        }
      },
      { onError: (_, context) => failures.push(context) },
    )
    await waitFor('the subscription open', () => won.cursor !== undefined)
    const deals = []
    for (const name of ['First', 'Second', 'Third']) {
      const deal = await direct.Deal.create({ name, value: 5000 })
      await direct.Deal.advance(deal.$id, { stage: 'Proposal' })
      deals.push(await direct.Deal.win(deal.$id))
    }
    await direct.Deal.create({ name: 'Never won' })
    await waitFor('three wins handled', () => new Set(calls.map((c) => c.id)).size === 3)
    await new Promise((r) => setTimeout(r, 300))

    const wins = await logOf(direct, 'deal.won')
    expect(calls.map((c) => c.id)).toEqual([deals[0]!.$id, deals[1]!.$id, deals[1]!.$id, deals[2]!.$id])
    expect(calls.map((c) => c.seq)).toEqual([wins[0]!.seq, wins[1]!.seq, wins[1]!.seq, wins[2]!.seq])
    expect(calls.every((c) => c.stage === 'Won')).toBe(true)
    expect(failures).toEqual([expect.objectContaining({ phase: 'handler', attempt: 1, event: expect.objectContaining({ seq: wins[1]!.seq, type: 'deal.won' }) })])
    expect(won.cursor).toBe(wins[2]!.seq)
    await won.close()
  })

  it('"before" hooks still refuse; untyped nouns follow their events by name', async () => {
    const { direct, feed } = await fresh('feed-untyped')
    expect(() => feed.Contact.qualifying(() => {})).toThrow(ServerSideHookError)
    expect(() => feed.Deal.winning(() => {})).toThrow(/runs? inside the server's transaction/)

    await direct.nouns.put('Project', { name: 'string!', status: 'Draft | Active', activate: 'Active' })
    const seen: { id: string; status: unknown; type: string }[] = []
    const byName = feed.noun('Project').on('activated', (project, event) => void seen.push({ id: project.$id, status: project.status, type: event.type }))
    const byCollection = feed.noun('projects').on('created', (project) => void seen.push({ id: project.$id, status: project.status, type: 'via collection' }))
    await waitFor('both open', () => byName.cursor !== undefined && byCollection.cursor !== undefined)
    const project = await direct.noun('Project').create({ name: 'Portal', status: 'Draft' })
    await direct.noun('Project').verb(project.$id, 'activate')
    await waitFor('both events', () => seen.length === 2)
    expect(seen).toEqual(
      expect.arrayContaining([
        { id: project.$id, status: 'Draft', type: 'via collection' },
        { id: project.$id, status: 'Active', type: 'project.activated' },
      ]),
    )
    await Promise.all([byName.close(), byCollection.close()])

    const missing = feed.noun('Nothing').on('created', () => {}, { onError: () => {} })
    await expect(missing.closed).rejects.toMatchObject({ status: 404 })
    expect(() => feed.noun('Contact').on('qualifying', () => {})).toThrow(ServerSideHookError)
  })
})

describe('events.follow reads the stream', () => {
  it('yields the log so far, then new events as they are committed; leaving the loop closes it', async () => {
    const { direct, feed } = await fresh('feed-follow')
    const first = await direct.Contact.create({ name: 'Already There' })
    const seen: string[] = []
    let later: Entity<'Contact'> | undefined
    for await (const event of feed.events.follow({ type: 'contact.created' })) {
      seen.push(event.entityId)
      if (seen.length === 1) later = await direct.Contact.create({ name: 'Came Later' })
      if (seen.length === 2) break
    }
    expect(seen).toEqual([first.$id, later!.$id])

    const stop = new AbortController()
    const stranger = createClient({ baseUrl: server.baseUrl, tenant: 'nobody-here', apiKey: 'rvl_nope' })
    await expect(
      (async () => {
        for await (const _ of stranger.events.follow({}, { signal: stop.signal })) break
      })(),
    ).rejects.toBeInstanceOf(RevlineError)
  })
})
