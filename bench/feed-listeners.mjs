/**
 * The live feed bench's listeners (feed.mjs), in a worker thread of their own so that reading and
 * parsing hundreds of streams does not hold up the writers' event loop (the two still share the
 * machine's cores with the server: that is part of what is measured). Each listener keeps only the
 * seq and arrival time of every event; an event's `at` and entity id are read once per seq.
 *
 * Messages from feed.mjs, each answered with `{ ok: true, … }` or `{ ok: false, error }`:
 *   { op: 'open', origin, slug, keys, count, transport: 'sse' | 'ws' }  → { starts } once every listener is live
 *   { op: 'collect', after, seqs, written: [[entityId, ms]…], deadlineMs } → delivery figures (see collect())
 *   { op: 'close' }
 */
import { parentPort } from 'node:worker_threads'

const now = () => performance.timeOrigin + performance.now()
let listeners = []
/** seq → { at (ms), entityId }, from the first listener that received it. */
let meta = new Map()

function remember(seq, json) {
  if (meta.has(seq)) return
  const event = JSON.parse(json)
  meta.set(seq, { at: Date.parse(event.at), entityId: event.entityId })
}

function newListener() {
  return { start: undefined, seqs: [], times: [], outOfOrder: 0, ended: false, close: () => {} }
}

function receive(listener, seq, time, json) {
  if (seq <= (listener.seqs.at(-1) ?? listener.start)) listener.outOfOrder++
  listener.seqs.push(seq)
  listener.times.push(time)
  remember(seq, json)
}

async function openSse(origin, slug, key) {
  const listener = newListener()
  const controller = new AbortController()
  listener.close = () => controller.abort()
  const response = await fetch(`${origin}/~${slug}/events/stream`, { headers: { authorization: `Bearer ${key}` }, signal: controller.signal })
  if (response.status !== 200) throw new Error(`GET /events/stream answered ${response.status} ${await response.text()}`)
  void (async () => {
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of response.body) {
        const time = now()
        buffer += decoder.decode(chunk, { stream: true })
        let end
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          if (block.startsWith('id: ')) {
            const seq = Number(block.slice(4, block.indexOf('\n')))
            receive(listener, seq, time, block.slice(block.indexOf('\ndata: ') + 7))
          } else {
            const opening = /^: live feed of events after (\d+)$/m.exec(block)
            if (opening) listener.start = Number(opening[1])
          }
        }
      }
    } catch {
      // closed by close()
    }
    listener.ended = true
  })()
  return listener
}

function openWs(origin, slug, key) {
  const listener = newListener()
  // Node's WebSocket (undici's) takes request headers in its second argument.
  const socket = new WebSocket(`${origin.replace(/^http/, 'ws')}/~${slug}/events/ws`, { headers: { authorization: `Bearer ${key}` } })
  listener.close = () => socket.close(1000, 'bench done')
  socket.addEventListener('message', (m) => {
    const time = now()
    const text = String(m.data)
    const head = /^\{"op":"(\w+)","(?:seq":(\d+)|filter)/.exec(text)
    if (head?.[1] === 'event') receive(listener, Number(head[2]), time, text.slice(text.indexOf('"event":') + 8, -1))
    else if (head?.[1] === 'subscribed') listener.start = JSON.parse(text).after
  })
  socket.addEventListener('close', () => (listener.ended = true))
  return new Promise((resolve, reject) => {
    socket.addEventListener('open', () => resolve(listener))
    socket.addEventListener('error', () => reject(new Error('the WebSocket did not open')))
  })
}

async function waitFor(what, holds, deadlineMs) {
  const deadline = Date.now() + deadlineMs
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${deadlineMs / 1000} s waiting for ${what()}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function open({ origin, slug, keys, count, transport }) {
  meta = new Map()
  // In waves of 50: a burst of hundreds of handshakes on a busy machine only queues.
  for (let i = 0; i < count; i += 50) {
    const wave = Array.from({ length: Math.min(50, count - i) }, (_, j) => (transport === 'ws' ? openWs : openSse)(origin, slug, keys[(i + j) % keys.length]))
    listeners.push(...(await Promise.all(wave)))
  }
  await waitFor(() => `${listeners.filter((l) => l.start === undefined).length} listeners to go live`, () => listeners.every((l) => l.start !== undefined), 60_000)
  return { starts: [...new Set(listeners.map((l) => l.start))] }
}

const quantile = (sorted, q) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))])

/**
 * Waits until every listener has received the last of `seqs` (the log's events after `after`: the
 * write phase's), then: whether each received exactly `seqs` there (in order, once), the deliveries, the first and last
 * arrival, and p50/p99 of arrival − the event's `at` and of arrival − the write's answer at the writer.
 */
async function collect({ after, seqs, written, deadlineMs }) {
  const last = seqs.at(-1)
  const inPhase = (seq) => seq > after && seq <= last
  await waitFor(() => `every listener to reach seq ${last} (${listeners.filter((l) => (l.seqs.at(-1) ?? 0) < last).length} behind)`, () => listeners.every((l) => (l.seqs.at(-1) ?? 0) >= last), deadlineMs)
  const want = seqs.join()
  const wrong = listeners.filter((l) => l.outOfOrder > 0 || l.seqs.filter(inPhase).join() !== want).length
  const answered = new Map(written)
  const fromAt = []
  const fromAnswer = []
  let first = Infinity
  let lastArrival = 0
  let deliveries = 0
  for (const l of listeners) {
    for (let i = 0; i < l.seqs.length; i++) {
      if (!inPhase(l.seqs[i])) continue
      const time = l.times[i]
      const { at, entityId } = meta.get(l.seqs[i])
      deliveries++
      first = Math.min(first, time)
      lastArrival = Math.max(lastArrival, time)
      fromAt.push(time - at)
      const answer = answered.get(entityId)
      if (answer !== undefined) fromAnswer.push(time - answer)
    }
  }
  const sortedAt = Float64Array.from(fromAt).sort()
  const sortedAnswer = Float64Array.from(fromAnswer).sort()
  return {
    listeners: listeners.length,
    wrong,
    deliveries,
    firstArrival: first,
    lastArrival,
    fromAt: { p50: quantile(sortedAt, 0.5), p99: quantile(sortedAt, 0.99), max: sortedAt.at(-1) ?? null },
    fromAnswer: { p50: quantile(sortedAnswer, 0.5), p99: quantile(sortedAnswer, 0.99), max: sortedAnswer.at(-1) ?? null },
  }
}

async function close() {
  for (const l of listeners) l.close()
  await waitFor(() => 'the listeners to close', () => listeners.every((l) => l.ended), 30_000).catch(() => {})
  listeners = []
  return {}
}

parentPort.on('message', async (message) => {
  try {
    const ops = { open, collect, close }
    parentPort.postMessage({ ok: true, ...(await ops[message.op](message)) })
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String(error?.stack ?? error) })
  }
})
