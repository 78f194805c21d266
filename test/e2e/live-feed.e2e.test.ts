/**
 * Issue 17's proof of the live feed through `wrangler dev`, as programs outside the Worker use it:
 * 200 Server-Sent Events listeners on one tenant while 50 writers run (each listener sees every
 * committed event once, in seq order, the same frames as GET /events), listeners dropped mid-run
 * resuming with Last-Event-ID, 300 idle WebSockets that one write reaches, and another tenant's key
 * refused over both transports. Deadlines are generous (a busy 2-core machine); nothing waits a
 * fixed time.
 */
import { request as httpRequest } from 'node:http'
import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, callJson } from './dev-server'
import { devServerForFile } from './dev-server-for-file'
import { openSocket, openSse, until, type FeedSocket, type FrameBook, type SseListener } from './feed-clients'

const server = devServerForFile()

const call = (method: string, path: string, key: string, body?: unknown) => callJson(server.baseUrl, method, path, key, body)

/** A tenant and `count` keys of it (its admin key first, then member keys): listeners spread over them. */
async function tenantWithKeys(slug: string, count: number) {
  const created = await call('POST', '/tenants', ADMIN_TOKEN, { slug, name: slug })
  expect(created.status).toBe(201)
  const keys = [created.body.apiKey as string]
  while (keys.length < count) {
    const res = await call('POST', `/~${slug}/keys`, keys[0]!, { role: 'member', name: `listener ${keys.length}` })
    expect(res.status).toBe(201)
    keys.push(res.body.key)
  }
  return keys
}

/** The log as GET /events pages it, after `after` (to the end). */
async function logAfter(slug: string, key: string, after: number) {
  const events: Array<{ seq: number; type: string }> = []
  for (;;) {
    const page = await call('GET', `/~${slug}/events?after=${events.at(-1)?.seq ?? after}&limit=500`, key)
    expect(page.status).toBe(200)
    events.push(...page.body.data)
    if (page.body.data.length < 500) return events
  }
}

/** One writer: a contact qualified, a lead for it converted to a deal, the deal advanced and won (6 writes). */
async function writer(slug: string, key: string, n: number, written: { count: number }) {
  const ok = (res: { status: number; body: any }, what: string) => {
    if (res.status >= 300) throw new Error(`writer ${n}: ${what} answered ${res.status} ${JSON.stringify(res.body)}`)
    written.count++
    return res.body
  }
  const contact = ok(await call('POST', `/~${slug}/contacts`, key, { name: `Writer ${n}`, email: `writer-${n}@feed.dev`, stage: 'Lead' }), 'create contact')
  ok(await call('POST', `/~${slug}/contacts/${contact.$id}/qualify`, key), 'qualify')
  const lead = ok(await call('POST', `/~${slug}/leads`, key, { name: `Lead ${n}`, contact: contact.$id, source: 'website', budget: 1000 + n }), 'create lead')
  const converted = ok(await call('POST', `/~${slug}/leads/${lead.$id}/convert`, key), 'convert')
  ok(await call('POST', `/~${slug}/deals/${converted.deal}/advance`, key, { stage: 'Negotiation' }), 'advance')
  ok(await call('POST', `/~${slug}/deals/${converted.deal}/win`, key), 'win')
}

/** The first place two seq lists part, for a readable failure. */
function firstDifference(got: number[], want: number[]) {
  const i = got.findIndex((seq, j) => seq !== want[j])
  const at = i < 0 ? Math.min(got.length, want.length) : i
  return `at index ${at}: got ${JSON.stringify(got.slice(Math.max(0, at - 2), at + 3))}, the log has ${JSON.stringify(want.slice(Math.max(0, at - 2), at + 3))} (${got.length} vs ${want.length} events)`
}

describe('the live feed through wrangler dev', () => {
  it('200 SSE listeners on one tenant while 50 writers run: each sees every committed event once, in order, as GET /events has it; dropped listeners resume from Last-Event-ID', async () => {
    const slug = 'feed-load'
    // The default limit is 100 connections per key: 50 listeners on each of 4 keys (and room to reconnect).
    const keys = await tenantWithKeys(slug, 4)
    const book: FrameBook = new Map()
    const listeners: SseListener[] = await Promise.all(Array.from({ length: 200 }, (_, i) => openSse({ baseUrl: server.baseUrl, slug, key: keys[i % 4]!, book })))
    expect(listeners.map((l) => l.status)).toEqual(listeners.map(() => 200))
    await until(() => `${listeners.filter((l) => l.start() === undefined).length} streams to open`, () => listeners.every((l) => l.start() !== undefined), 60_000)

    const written = { count: 0 }
    const writers = Promise.all(Array.from({ length: 50 }, (_, n) => writer(slug, keys[n % 4]!, n, written)))

    // A tenth of the listeners lose their connection a third of the way in and come back once more
    // events have been committed while they were away: the backlog from the log, then live again.
    const dropped = listeners.filter((_, i) => i % 10 === 3)
    await until(() => `100 writes (${written.count} so far)`, () => written.count >= 100, 60_000)
    for (const l of dropped) l.drop()
    await until(() => 'the dropped streams to end', () => dropped.every((l) => l.ended()), 30_000)
    const away = written.count
    await until(() => `writes while 20 listeners are away (${written.count - away})`, () => written.count >= away + 30, 60_000)
    // Events were committed while they were away: each resumes from the last id it received.
    const lastSeen = dropped.map((l) => l.last()!)
    expect((await logAfter(slug, keys[0]!, Math.max(...lastSeen))).length).toBeGreaterThan(0)
    await Promise.all(dropped.map((l) => l.resume()))
    expect(dropped.map((l) => l.status)).toEqual(dropped.map(() => 200))
    await until(() => 'the resumed streams to open', () => dropped.every((l) => l.start() !== undefined), 60_000)
    expect(dropped.map((l) => l.start())).toEqual(lastSeen)

    await writers
    expect(written.count).toBe(300)
    const head = (await logAfter(slug, keys[0]!, 0)).at(-1)!.seq
    await until(
      () => `every listener to reach seq ${head} (behind: ${listeners.filter((l) => (l.last() ?? 0) < head).length}, furthest behind at ${Math.min(...listeners.map((l) => l.last() ?? 0))})`,
      () => listeners.every((l) => (l.last() ?? 0) >= head),
      90_000,
    )

    const from = Math.min(...listeners.map((l) => l.first()!))
    const log = await logAfter(slug, keys[0]!, from)
    const logSeqs = log.map((e) => e.seq)
    // Lead conversion, the stage-change activities and Deal.won's customer and subscription:
    // more events than writes, all of them in every listener's view.
    expect(log.length).toBeGreaterThan(300)
    for (const [i, l] of listeners.entries()) {
      const want = logSeqs.filter((seq) => seq > l.first()! && seq <= l.last()!)
      if (l.seqs.join() !== want.join()) throw new Error(`listener ${i}${dropped.includes(l) ? ' (dropped and resumed)' : ''}: ${firstDifference(l.seqs, want)}`)
      expect(l.differing, `listener ${i} received a frame different from the others'`).toEqual([])
    }
    // Every frame (one per seq, identical across listeners) is the log's event: id = seq, event = type, data = the item.
    for (const event of log.filter((e) => book.has(e.seq))) {
      const [id, type, data] = book.get(event.seq)!.split('\n')
      expect([id, type, JSON.parse(data!.slice('data: '.length))]).toEqual([`id: ${event.seq}`, `event: ${event.type}`, event])
    }
    for (const l of listeners) l.drop()
  }, 240_000)

  it('300 idle WebSockets across keys (Node’s own WebSocket, the key in Authorization): one write reaches every one of them', async () => {
    const slug = 'feed-sockets'
    const keys = await tenantWithKeys(slug, 4)
    const sockets: FeedSocket[] = []
    // Opened in waves of 50, so the handshakes do not all queue on a busy machine at once.
    for (let wave = 0; wave < 6; wave++) {
      const batch = Array.from({ length: 50 }, (_, i) => openSocket(server.baseUrl, slug, keys[(wave * 50 + i) % 4]!, '?type=contact.*'))
      await Promise.all(batch.map((s) => s.opened))
      sockets.push(...batch)
    }
    await until(() => `${sockets.filter((s) => !s.messages.some((m) => m.op === 'subscribed')).length} sockets to subscribe`, () => sockets.every((s) => s.messages.some((m) => m.op === 'subscribed')), 60_000)

    const contact = (await call('POST', `/~${slug}/contacts`, keys[1]!, { name: 'Everyone Hears', email: 'hears@feed.dev' })).body
    await until(
      () => `${sockets.filter((s) => !s.messages.some((m) => m.op === 'event')).length} sockets to get the event`,
      () => sockets.every((s) => s.messages.some((m) => m.op === 'event')),
      60_000,
    )
    const [logged] = (await call('GET', `/~${slug}/events?entity=${contact.$id}`, keys[0]!)).body.data
    for (const s of sockets) {
      expect(s.messages.filter((m) => m.op === 'event')).toEqual([{ op: 'event', seq: logged.seq, event: logged }])
      expect(s.closed()).toBe(false)
    }
    for (const s of sockets) s.socket.close(1000, 'done')
  }, 120_000)

  it('keeps tenants apart: B’s key on A’s feed gets 401 over SSE and over the WebSocket handshake', async () => {
    const [aKey] = await tenantWithKeys('feed-iso-a', 1)
    const [bKey] = await tenantWithKeys('feed-iso-b', 1)

    const sse = await fetch(`${server.baseUrl}/~feed-iso-a/events/stream`, { headers: { authorization: `Bearer ${bKey}` } })
    expect(sse.status).toBe(401)
    expect(sse.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await sse.json()).toMatchObject({ status: 401 })

    // The handshake as a raw HTTP request, to read the status a WebSocket client does not expose.
    const handshake = (key: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(`${server.baseUrl}/~feed-iso-a/events/ws`, {
          headers: { authorization: `Bearer ${key}`, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
        })
        req.on('upgrade', (res, socket) => {
          socket.destroy()
          resolve({ status: res.statusCode!, body: '' })
        })
        req.on('response', async (res) => {
          let body = ''
          for await (const chunk of res) body += chunk
          resolve({ status: res.statusCode!, body })
        })
        req.on('error', reject)
        req.end()
      })
    const refused = await handshake(bKey!)
    expect(refused.status).toBe(401)
    expect(JSON.parse(refused.body)).toMatchObject({ status: 401 })
    expect((await handshake(aKey!)).status).toBe(101)

    // And a WebSocket client with B's key never opens.
    const socket = openSocket(server.baseUrl, 'feed-iso-a', bKey!)
    await expect(socket.opened).rejects.toThrow(/failed to open/)
  }, 60_000)
})
