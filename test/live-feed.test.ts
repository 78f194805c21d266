/**
 * Issue 17, the live change feed: `GET /events/stream` (SSE) and `GET /events/ws` (a hibernatable
 * WebSocket) deliver committed events in log order, resume after a seq with no gap and no duplicate,
 * filter as `/events` does, stay inside their tenant, emit nothing for a rolled-back write, and
 * refuse connections past the limits (set small for tests in vitest.config.ts: 3 per key, 5 per tenant).
 */
import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { callTool, createTenant, expectProblem, issueKey, request } from './helpers'

interface Frame {
  id?: string
  event?: string
  data?: any
  comment?: string
}

/** An SSE client over the real Worker: frames as they arrive, comments (heartbeats) included. */
async function openStream(slug: string, key: string | null, query = '', headers: Record<string, string> = {}) {
  const response = await exports.default.fetch(new Request(`http://revline.test/~${slug}/events/stream${query}`, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } }))
  const frames: Frame[] = []
  let buffer = ''
  let ended = false
  const waiters: Array<() => void> = []
  const reader = response.ok ? response.body!.getReader() : undefined
  const decoder = new TextDecoder()
  const pump = async () => {
    if (!reader) return
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        buffer += decoder.decode(value, { stream: true })
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const frame: Frame = {}
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) frame.comment = line.slice(1).trim()
            else if (line.startsWith('id: ')) frame.id = line.slice(4)
            else if (line.startsWith('event: ')) frame.event = line.slice(7)
            else if (line.startsWith('data: ')) frame.data = JSON.parse(line.slice(6))
          }
          frames.push(frame)
          for (const wake of waiters.splice(0)) wake()
        }
      }
    } catch {
      // cancelled by close()
    }
    ended = true
    for (const wake of waiters.splice(0)) wake()
  }
  void pump()
  const events = () => frames.filter((f) => f.event !== undefined)
  return {
    response,
    frames,
    events,
    get ended() {
      return ended
    },
    /** Waits until `n` events have arrived (or the stream ended) and returns all events so far. */
    async waitForEvents(n: number, timeoutMs = 20_000): Promise<Frame[]> {
      const deadline = Date.now() + timeoutMs
      while (events().length < n && !ended) {
        if (Date.now() > deadline) throw new Error(`timed out with ${events().length} of ${n} events: ${JSON.stringify(events().map((f) => f.event))}`)
        await new Promise<void>((resolve) => {
          waiters.push(resolve)
          setTimeout(resolve, 200)
        })
      }
      return events()
    },
    async waitFor(predicate: () => boolean, what: string, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    async close() {
      await reader?.cancel().catch(() => {})
    },
  }
}

/** The log as `/events` pages it, for comparing with what the feed delivered. */
async function logAfter(slug: string, key: string, after: number, query = '') {
  return (await request('GET', `/~${slug}/events?after=${after}&limit=500${query}`, { key })).body.data as any[]
}

const head = async (slug: string, key: string) => (await logAfter(slug, key, 0)).at(-1)?.seq ?? 0

describe('GET /events/stream (Server-Sent Events)', () => {
  it('delivers each committed event once, in log order, as id/event/data frames equal to /events', async () => {
    const { slug, key, api } = await createTenant('feed')
    const start = await head(slug, key)
    const stream = await openStream(slug, key)
    expect(stream.response.status).toBe(200)
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(stream.response.headers.get('cache-control')).toMatch(/no-cache/)

    const contact = (await api.post('/contacts', { name: 'Ada Live', email: 'ada@live.dev' })).body
    const lead = (await api.post('/leads', { name: 'Ada Live', contact: contact.$id, source: 'website' })).body
    expect((await api.post(`/leads/${lead.$id}/convert`)).status).toBe(200)
    const log = await logAfter(slug, key, start)
    expect(log.length).toBeGreaterThanOrEqual(3)

    const received = await stream.waitForEvents(log.length)
    await stream.close()
    expect(received.map((f) => Number(f.id))).toEqual(log.map((e) => e.seq))
    expect(received.map((f) => f.event)).toEqual(log.map((e) => e.type))
    expect(received.map((f) => f.data)).toEqual(log)
    expect(received.map((f) => f.event)).toEqual(expect.arrayContaining(['contact.created', 'lead.created', 'lead.converted', 'deal.created']))
  })

  it('resumes after a dropped connection from Last-Event-ID (or ?after): the backlog, then live, no gap and no duplicate', async () => {
    const { slug, key, api } = await createTenant('feed-resume')
    const first = await openStream(slug, key, '?after=0')
    for (let i = 0; i < 3; i++) await api.post('/contacts', { name: `Before ${i}` })
    const all = await logAfter(slug, key, 0)
    const seen = await first.waitForEvents(all.length)
    expect(seen.map((f) => Number(f.id))).toEqual(all.map((e) => e.seq)) // ?after=0: the whole log, provisioning included
    await first.close()

    // While nobody listens: more writes. The reconnect names the last id it saw.
    const lastId = seen.at(-1)!.id!
    for (let i = 0; i < 4; i++) await api.post('/contacts', { name: `While away ${i}` })
    const second = await openStream(slug, key, '?after=1', { 'last-event-id': lastId })
    await api.post('/contacts', { name: 'After reconnect' })
    const missed = await logAfter(slug, key, Number(lastId))
    expect(missed).toHaveLength(5)
    const resumed = await second.waitForEvents(5)
    await second.close()
    expect(resumed.map((f) => Number(f.id))).toEqual(missed.map((e) => e.seq))
    expect(resumed.map((f) => f.data.after?.name)).toEqual(['While away 0', 'While away 1', 'While away 2', 'While away 3', 'After reconnect'])
  })

  it('walks a backlog longer than one page in order', async () => {
    const { slug, key } = await createTenant('feed-backlog')
    const rows = Array.from({ length: 620 }, (_, i) => JSON.stringify({ name: `Row ${i}` })).join('\n')
    const imported = await exports.default.fetch(new Request(`http://revline.test/~${slug}/contacts/import`, { method: 'POST', body: rows, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' } }))
    expect(imported.status).toBe(200)
    const total = (await request('GET', `/~${slug}/events?limit=1`, { key })).body
    expect(total.data[0].seq).toBe(1)
    const stream = await openStream(slug, key, '?after=0&type=contact.created')
    const received = await stream.waitForEvents(620, 40_000)
    await stream.close()
    expect(received).toHaveLength(620)
    expect(received.map((f) => f.data.after.name)).toEqual(Array.from({ length: 620 }, (_, i) => `Row ${i}`))
    const ids = received.map((f) => Number(f.id))
    expect([...ids].sort((a, b) => a - b)).toEqual(ids)
  })

  it('filters by type (deal.* or one type) and by entity, as /events does', async () => {
    const { slug, key, api } = await createTenant('feed-filter')
    const deals = await openStream(slug, key, '?type=deal.*')
    const won = await openStream(slug, key, '?type=deal.won')
    await api.post('/contacts', { name: 'Not a deal' })
    const deal = (await api.post('/deals', { name: 'Fjordline', value: 5000 })).body
    const other = (await api.post('/deals', { name: 'Other', value: 10 })).body
    const one = await openStream(slug, key, `?entity=${deal.$id}`)
    await api.post(`/deals/${deal.$id}/win`)
    await api.post(`/deals/${other.$id}/lose`, { reason: 'price' })

    const dealLog = await logAfter(slug, key, 0, '&type=deal.*')
    const dealEvents = await deals.waitForEvents(dealLog.length)
    expect(dealEvents.map((f) => f.event)).toEqual(dealLog.map((e) => e.type))
    expect(dealEvents.every((f) => f.event!.startsWith('deal.'))).toBe(true)
    expect((await won.waitForEvents(1)).map((f) => [f.event, f.data.entityId])).toEqual([['deal.won', deal.$id]])
    const entityLog = await logAfter(slug, key, 0, `&entity=${deal.$id}`)
    const mine = await one.waitForEvents(1)
    expect(mine.every((f) => f.data.entityId === deal.$id)).toBe(true)
    expect(mine.map((f) => f.event)).toEqual(entityLog.filter((e) => e.seq > Number(dealEvents[1]!.id)).map((e) => e.type))
    for (const s of [deals, won, one]) await s.close()
  })

  it('takes several types, comma-separated, in the feed, /events and MCP alike; too many is a 400 naming type', async () => {
    const { slug, key, api } = await createTenant('feed-types')
    const stream = await openStream(slug, key, '?type=contact.created,deal.*')
    const contact = (await api.post('/contacts', { name: 'Listed' })).body
    await api.patch(`/contacts/${contact.$id}`, { name: 'Listed again' })
    const deal = (await api.post('/deals', { name: 'Listed deal', value: 1 })).body
    await api.post(`/deals/${deal.$id}/win`)
    const wanted = (await logAfter(slug, key, 0, '&type=contact.created,deal.*')).filter((e) => e.actor !== 'system')
    expect(wanted.map((e) => e.type)).toEqual(['contact.created', 'deal.created', 'deal.won'])
    const received = await stream.waitForEvents(wanted.length)
    await stream.close()
    expect(received.map((f) => Number(f.id))).toEqual(wanted.map((e) => e.seq))

    const many = Array.from({ length: 21 }, (_, i) => `n${i}.created`).join(',')
    for (const path of [`/events?type=${many}`, `/events/stream?type=${many}`, '/events?type=deal.won,', '/events?type=deal.won,,lead.*']) {
      const res = await request('GET', `/~${slug}${path}`, { key })
      expectProblem(res, 400, 'invalid_query', path)
      expect(res.body.errors).toEqual([{ path: 'type', message: expect.any(String) }])
    }
    const tool = await callTool(slug, key, 'events', { type: Array.from({ length: 5000 }, () => 'a.*').join(',') })
    expect(tool.isError).toBe(true)
    expect(tool.body).toMatch(/Input validation error.*type/s)
  })

  it('delivers nothing from a rolled-back write: a failed multi-step call leaves no event in the feed', async () => {
    const { slug, key, api } = await createTenant('feed-rollback')
    const stream = await openStream(slug, key)
    const failed = await callTool(slug, key, 'do', {
      steps: [
        { type: 'Contact', verb: 'create', data: { name: 'Never Stored', email: 'never@rollback.dev' } },
        { type: 'Contact', verb: 'qualify', id: 'contact_doesnotexist' },
      ],
    })
    expect(failed.body).toMatchObject({ applied: false })
    const marker = (await api.post('/contacts', { name: 'Marker' })).body
    const received = await stream.waitForEvents(1)
    // Give a stray event time to show up before asserting there is none.
    await new Promise((resolve) => setTimeout(resolve, 300))
    await stream.close()
    expect(stream.events().map((f) => [f.event, f.data.entityId])).toEqual([['contact.created', marker.$id]])
    expect(received[0]!.data.after.name).toBe('Marker')
  })

  it('keeps an idle stream alive with heartbeat comments', async () => {
    const { slug, key } = await createTenant('feed-heartbeat')
    const stream = await openStream(slug, key)
    await stream.waitFor(() => stream.frames.some((f) => f.comment === 'heartbeat'), 'a heartbeat', 10_000)
    await stream.close()
  })

  it('stays inside its tenant: no key, a bad key and another tenant’s key get 401 before the query is read', async () => {
    const a = await createTenant('feed-a')
    const b = await createTenant('feed-b')
    for (const key of [null, 'rk_not_a_key', b.key]) {
      const res = await request('GET', `/~${a.slug}/events/stream?type=NOT%20VALID`, { key })
      expectProblem(res, 401, 'unauthorized', `key ${key}`)
    }
    // A member key reads the feed like the log.
    const member = await issueKey(a.slug, a.key, 'member')
    const stream = await openStream(a.slug, member.key)
    expect(stream.response.status).toBe(200)
    await b.api.post('/contacts', { name: 'Only in B' })
    const mine = (await a.api.post('/contacts', { name: 'Only in A' })).body
    const received = await stream.waitForEvents(1)
    await stream.close()
    expect(received.map((f) => f.data.entityId)).toEqual([mine.$id])
  })

  it('answers a bad query or Last-Event-ID with 400 naming it, and a suspended tenant with 403', async () => {
    const { slug, key } = await createTenant('feed-bad')
    const badType = await request('GET', `/~${slug}/events/stream?type=DEAL`, { key })
    expectProblem(badType, 400, 'invalid_query')
    expect(badType.body.errors).toEqual([{ path: 'type', message: expect.any(String) }])
    expect((await request('GET', `/~${slug}/events/stream?after=-1`, { key })).body.errors).toEqual([{ path: 'after', message: expect.any(String) }])
    expect((await request('GET', `/~${slug}/events/stream?limit=5`, { key })).body.errors).toEqual([{ path: 'limit', message: expect.any(String) }])
    const badId = await request('GET', `/~${slug}/events/stream`, { key, headers: { 'last-event-id': 'abc' } })
    expectProblem(badId, 400, 'bad_request')
    expect(badId.body.errors).toEqual([{ path: 'Last-Event-ID', message: expect.any(String) }])
    expectProblem(await request('GET', `/~${slug}/events/ws`, { key }), 426, 'upgrade_required')

    expect((await request('POST', `/tenants/${slug}/suspend`, { key: 'test-admin-token' })).status).toBe(200)
    expectProblem(await request('GET', `/~${slug}/events/stream`, { key }), 403, 'forbidden')
  })

  it('limits connections per key and per tenant with a clear 429, and frees a slot when one closes', async () => {
    const { slug, key } = await createTenant('feed-limits')
    const mine = await Promise.all([0, 1, 2].map(() => openStream(slug, key)))
    expect(mine.map((s) => s.response.status)).toEqual([200, 200, 200])
    const fourth = await request('GET', `/~${slug}/events/stream`, { key })
    expectProblem(fourth, 429, 'rate_limited')
    expect(fourth.body.detail).toMatch(/this key already has 3 live feed connections/)
    expect(fourth.headers.get('retry-after')).toBe('5')

    const other = await issueKey(slug, key, 'member')
    const theirs = await Promise.all([0, 1].map(() => openStream(slug, other.key)))
    expect(theirs.map((s) => s.response.status)).toEqual([200, 200])
    const sixth = await request('GET', `/~${slug}/events/stream`, { key: other.key })
    expectProblem(sixth, 429, 'rate_limited')
    expect(sixth.body.detail).toMatch(/this tenant already has 5 live feed connections/)

    await mine[0]!.close()
    // The object learns of the closed stream when its next write to it fails or it is cancelled.
    await mine[0]!.waitFor(() => mine[0]!.ended, 'the stream to end')
    let reopened = await openStream(slug, other.key)
    for (let i = 0; reopened.response.status === 429 && i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      reopened = await openStream(slug, other.key)
    }
    expect(reopened.response.status).toBe(200)
    for (const s of [...mine.slice(1), ...theirs, reopened]) await s.close()
  })

  it('ends the stream of a revoked key', async () => {
    const { slug, key } = await createTenant('feed-revoke')
    const doomed = await issueKey(slug, key, 'member')
    const stream = await openStream(slug, doomed.key)
    expect((await request('DELETE', `/~${slug}/keys/${doomed.id}`, { key })).status).toBe(200)
    await stream.waitFor(() => stream.ended, 'the revoked key’s stream to end')
    expectProblem(await request('GET', `/~${slug}/events/stream`, { key: doomed.key }), 401, 'unauthorized')
  })
})

/** A WebSocket client over the real Worker. */
async function openSocket(slug: string, key: string, query = '') {
  const response = await exports.default.fetch(new Request(`http://revline.test/~${slug}/events/ws${query}`, { headers: { authorization: `Bearer ${key}`, upgrade: 'websocket' } }))
  expect(response.status).toBe(101)
  const socket = response.webSocket!
  socket.accept()
  const messages: any[] = []
  let closed: { code: number } | undefined
  socket.addEventListener('message', (m) => messages.push(typeof m.data === 'string' && m.data.startsWith('{') ? JSON.parse(m.data) : m.data))
  socket.addEventListener('close', (e) => (closed = { code: e.code }))
  const until = async (predicate: () => boolean, what: string) => {
    const deadline = Date.now() + 20_000
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(messages).slice(0, 500)}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  const events = () => messages.filter((m) => m?.op === 'event')
  return { socket, messages, events, until, closed: () => closed }
}

describe('GET /events/ws (WebSocket, hibernation API)', () => {
  it('subscribes from the URL, delivers in order, resubscribes with a new filter and seq, and answers ping', async () => {
    const { slug, key, api } = await createTenant('feed-ws')
    const ws = await openSocket(slug, key, '?type=contact.*')
    await ws.until(() => ws.messages.some((m) => m?.op === 'subscribed'), 'subscribed')
    expect(ws.messages[0]).toMatchObject({ op: 'subscribed', filter: { type: 'contact.*' } })
    const a = (await api.post('/contacts', { name: 'Socket A' })).body
    await api.post('/deals', { name: 'Not for this filter', value: 1 })
    const b = (await api.post('/contacts', { name: 'Socket B' })).body
    await ws.until(() => ws.events().length >= 2, 'two contact events')
    expect(ws.events().map((m) => [m.event.type, m.event.entityId])).toEqual([
      ['contact.created', a.$id],
      ['contact.created', b.$id],
    ])
    expect(ws.events().map((m) => m.seq)).toEqual(ws.events().map((m) => m.event.seq))

    // Resubscribe from the start of the log for deals only: the backlog, then live.
    ws.socket.send(JSON.stringify({ op: 'subscribe', type: 'deal.*', after: 0 }))
    await ws.until(() => ws.events().some((m) => m.event.type === 'deal.created'), 'the deal backlog')
    const deal = (await api.post('/deals', { name: 'Live deal', value: 2 })).body
    await ws.until(() => ws.events().some((m) => m.event.entityId === deal.$id), 'the live deal')
    const afterResubscribe = ws.events().slice(2)
    expect(afterResubscribe.every((m) => m.event.type.startsWith('deal.'))).toBe(true)
    expect(afterResubscribe.map((m) => m.event.after?.name)).toEqual(['Not for this filter', 'Live deal'])

    ws.socket.send('ping')
    await ws.until(() => ws.messages.includes('pong'), 'pong')
    ws.socket.send('{"op":"subscribe","type":"NOPE"}')
    ws.socket.send('not json')
    await ws.until(() => ws.messages.filter((m) => m?.op === 'error').length === 2, 'two errors')
    expect(ws.messages.filter((m) => m?.op === 'error')).toEqual([
      { op: 'error', status: 422, detail: expect.any(String), errors: [{ path: 'type', message: expect.any(String) }] },
      { op: 'error', status: 400, detail: expect.any(String) },
    ])
    ws.socket.close(1000, 'done')
  })

  it('counts sockets toward the limits and closes a revoked key’s socket', async () => {
    const { slug, key } = await createTenant('feed-ws-limits')
    const member = await issueKey(slug, key, 'member')
    const sockets = await Promise.all([0, 1, 2].map(() => openSocket(slug, member.key)))
    expectProblem(await request('GET', `/~${slug}/events/ws`, { key: member.key, headers: { upgrade: 'websocket' } }), 429, 'rate_limited')
    expect((await request('DELETE', `/~${slug}/keys/${member.id}`, { key })).status).toBe(200)
    for (const ws of sockets) await ws.until(() => ws.closed() !== undefined, 'the socket to close')
    expect(sockets.map((ws) => ws.closed()!.code)).toEqual([1008, 1008, 1008])
  })

  it('takes the key as a subprotocol from browsers (which cannot send Authorization) and answers revline', async () => {
    const { slug, key, api } = await createTenant('feed-ws-protocol')
    const open = (protocols: string) => exports.default.fetch(new Request(`http://revline.test/~${slug}/events/ws`, { headers: { upgrade: 'websocket', 'sec-websocket-protocol': protocols } }))
    const response = await open(`revline, bearer.${key}`)
    expect(response.status).toBe(101)
    expect(response.headers.get('sec-websocket-protocol')).toBe('revline')
    const socket = response.webSocket!
    socket.accept()
    const received: any[] = []
    socket.addEventListener('message', (m) => received.push(JSON.parse(m.data as string)))
    const contact = (await api.post('/contacts', { name: 'Browser' })).body
    const deadline = Date.now() + 20_000
    while (!received.some((m) => m.op === 'event') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    expect(received.filter((m) => m.op === 'event').map((m) => m.event.entityId)).toEqual([contact.$id])
    socket.close(1000)
    expectProblem(await request('GET', `/~${slug}/events/ws`, { headers: { upgrade: 'websocket', 'sec-websocket-protocol': 'revline, bearer.rvl_wrong' } }), 401, 'unauthorized')
    // Only on the socket route: elsewhere a subprotocol is no credential.
    expectProblem(await request('GET', `/~${slug}/contacts`, { headers: { 'sec-websocket-protocol': `revline, bearer.${key}` } }), 401, 'unauthorized')
  })
})
