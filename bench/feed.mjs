/**
 * The live change feed under load (issue 17), measured inside Revline alone in a tenant of its own:
 * 10 writers create contacts for `--duration` seconds (one `contact.created` each) while N listeners
 * follow `GET /events/stream` (N = 1, 50, 200) or `GET /events/ws` (N = 200), against the same writes
 * with nobody listening, alternating (A/B) over `--rounds` rounds.
 *
 * Per phase: the writers' rate (writes/s and events/s committed, from the first request to the last
 * answer); the events delivered per second to all listeners together (from the first write to the
 * last arrival), and how well they kept up (`kept up` = that rate ÷ N × the committed event rate: 1.0
 * when every listener's events arrived as fast as they were committed); the drain (last arrival −
 * last write's answer); and latency from commit to delivery. A client cannot see the commit itself,
 * so two proxies are given: the event's `at` (stamped by the tenant object as the write began to run,
 * on the same machine's clock, so it also counts the write's own run time: an upper bound), and the
 * write's answer arriving at the writer (the commit happened before it; a listener can be told
 * before the writer is, so this can be negative). Every listener must receive exactly the log's
 * events of the phase, in order, once (the bench fails otherwise).
 *
 * Listeners run in a worker thread (feed-listeners.mjs) so their parsing does not stall the writers;
 * both share the machine's cores with the server, as a client on the same box would.
 */
import { Worker } from 'node:worker_threads'
import { median } from './same-tenant.mjs'

const SETUPS = [
  { transport: 'sse', count: 1 },
  { transport: 'sse', count: 50 },
  { transport: 'sse', count: 200 },
  { transport: 'ws', count: 200 },
]
const WRITERS = 10
/** Listeners per key: under the per-key limit (100 by default). */
const PER_KEY = 50

const now = () => performance.timeOrigin + performance.now()

function listenerThread() {
  const worker = new Worker(new URL('./feed-listeners.mjs', import.meta.url))
  let failed
  worker.on('error', (error) => (failed = error))
  const ask = (message) =>
    new Promise((resolve, reject) => {
      if (failed) return reject(failed)
      worker.once('message', (answer) => (answer.ok ? resolve(answer) : reject(new Error(answer.error))))
      worker.postMessage(message)
    })
  return { ask, stop: () => worker.terminate() }
}

/** `WRITERS` loops creating contacts until `seconds` have passed; each answer's arrival time by entity id. */
async function writePhase(t, slug, seconds, tag) {
  const answered = []
  const start = now()
  const stopAt = start + seconds * 1000
  let n = 0
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (now() < stopAt) {
        const i = n++
        const res = await fetch(`${t.server.origin}/~${slug}/contacts`, { method: 'POST', headers: t.headers, body: JSON.stringify({ name: `Feed ${tag} ${i}`, email: `feed-${tag}-${i}@bench.dev` }) })
        const body = await res.json()
        if (res.status !== 201) throw new Error(`POST /contacts answered ${res.status} ${JSON.stringify(body)}`)
        answered.push([body.$id, now()])
      }
    }),
  )
  const lastAnswer = Math.max(...answered.map(([, time]) => time))
  return { writes: answered.length, start, lastAnswer, seconds: (lastAnswer - start) / 1000, answered }
}

/** The seqs of the log after `after`, to its end. */
async function seqsAfter(ctx, t, slug, after) {
  const seqs = []
  for (;;) {
    const res = await ctx.request(t.server, 'GET', `/~${slug}/events?after=${seqs.at(-1) ?? after}&limit=500`, t.headers)
    if (res.status !== 200) throw new Error(`GET /events answered ${res.status}`)
    seqs.push(...res.json.data.map((e) => e.seq))
    if (res.json.data.length < 500) return seqs
  }
}

const range = (xs, digits = 0) => {
  const s = xs.filter((x) => x != null).sort((a, b) => a - b)
  if (s.length === 0) return '–'
  const f = (x) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
  return s.length > 1 ? `${f(median(s))} (${f(s[0])}–${f(s.at(-1))})` : f(s[0])
}

export async function feedScenario(ctx) {
  const slug = `feed-${Date.now().toString(36)}`
  const { revline: t } = await ctx.tenant(slug)
  const keys = [t.headers.authorization.slice('Bearer '.length)]
  while (keys.length * PER_KEY < Math.max(...SETUPS.map((s) => s.count))) {
    const res = await ctx.request(t.server, 'POST', `/~${slug}/keys`, t.headers, { role: 'member', name: `feed listener ${keys.length}` })
    if (res.status !== 201) throw new Error(`POST /keys answered ${res.status} ${JSON.stringify(res.json)}`)
    keys.push(res.json.key)
  }
  let head = (await seqsAfter(ctx, t, slug, 0)).at(-1) ?? 0
  let phase = 0
  const thread = listenerThread()
  try {
    /** One phase of writes, with `setup`'s listeners (or none): its figures. */
    const run = async (setup, seconds) => {
      const tag = `${phase++}`
      if (setup) await thread.ask({ op: 'open', origin: t.server.origin, slug, keys: keys.slice(0, Math.ceil(setup.count / PER_KEY)), count: setup.count, transport: setup.transport })
      const after = head
      const cpu = { server: ctx.cpu(t.server), client: process.cpuUsage() }
      const writes = await writePhase(t, slug, seconds, tag)
      const seqs = await seqsAfter(ctx, t, slug, after)
      head = seqs.at(-1) ?? head
      const result = { writesPerSecond: writes.writes / writes.seconds, eventsPerSecond: seqs.length / writes.seconds, events: seqs.length }
      // CPU per write, to the moment every listener has its events: the server's processes (workerd
      // and wrangler's proxy, which relays every stream) and this process (writers and listeners).
      const cpuPerWrite = () => {
        const server = ctx.cpuSince(t.server, cpu.server).ms
        const client = process.cpuUsage(cpu.client)
        return { serverCpuMsPerWrite: server == null ? null : server / writes.writes, clientCpuMsPerWrite: (client.user + client.system) / 1000 / writes.writes }
      }
      if (!setup) return { ...result, ...cpuPerWrite() }
      const got = await thread.ask({ op: 'collect', after, seqs, written: writes.answered, deadlineMs: 300_000 })
      Object.assign(result, cpuPerWrite())
      await thread.ask({ op: 'close' })
      if (got.wrong > 0) throw new Error(`${got.wrong} of ${setup.count} ${setup.transport} listeners did not receive exactly the log's ${seqs.length} events in order`)
      const deliveredPerSecond = got.deliveries / ((got.lastArrival - writes.start) / 1000)
      return { ...result, deliveredPerSecond, keptUp: deliveredPerSecond / (setup.count * result.eventsPerSecond), drainMs: got.lastArrival - writes.lastAnswer, fromAt: got.fromAt, fromAnswer: got.fromAnswer }
    }

    if (ctx.config.warmup > 0) await run(null, ctx.config.warmup)
    const summaries = []
    for (const setup of SETUPS) {
      const rounds = []
      for (let round = 0; round < ctx.config.rounds; round++) {
        const pair = {}
        for (const side of round % 2 === 0 ? ['alone', 'listened'] : ['listened', 'alone']) pair[side] = await run(side === 'alone' ? null : setup, ctx.config.duration)
        rounds.push(pair)
        const { alone: a, listened: l } = pair
        ctx.log(
          `  feed ${setup.count} ${setup.transport} round ${round + 1}: writes ${a.writesPerSecond.toFixed(0)}/s alone, ${l.writesPerSecond.toFixed(0)}/s listened (${(l.writesPerSecond / a.writesPerSecond).toFixed(2)}); ` +
            `delivered ${l.deliveredPerSecond.toFixed(0)} events/s (kept up ${l.keptUp.toFixed(2)}, drain ${l.drainMs.toFixed(0)} ms); ` +
            `from at p50 ${l.fromAt.p50.toFixed(0)} p99 ${l.fromAt.p99.toFixed(0)} ms, from the answer p50 ${l.fromAnswer.p50.toFixed(0)} p99 ${l.fromAnswer.p99.toFixed(0)} ms; ` +
            `server CPU ${a.serverCpuMsPerWrite?.toFixed(1)} → ${l.serverCpuMsPerWrite?.toFixed(1)} ms/write`,
        )
      }
      // With --profile: one more, unmeasured phase with these listeners under Revline's V8 profiler.
      if (ctx.config.profile) await ctx.profile(`feed-${setup.count}-${setup.transport}`, () => run(setup, ctx.config.duration))
      const listened = rounds.map((r) => r.listened)
      summaries.push({
        ...setup,
        rounds,
        writeRatio: median(rounds.map((r) => r.listened.writesPerSecond / r.alone.writesPerSecond)),
        deliveredPerSecond: median(listened.map((r) => r.deliveredPerSecond)),
        aloneEventsPerSecond: median(rounds.map((r) => r.alone.eventsPerSecond)),
        row: [
          `${setup.count} ${setup.transport === 'sse' ? 'SSE' : 'WebSocket'}`,
          range(rounds.map((r) => r.alone.writesPerSecond)),
          range(listened.map((r) => r.writesPerSecond)),
          range(rounds.map((r) => r.listened.writesPerSecond / r.alone.writesPerSecond), 2),
          range(listened.map((r) => r.deliveredPerSecond)),
          range(rounds.map((r) => r.listened.deliveredPerSecond / r.alone.eventsPerSecond), 1),
          range(listened.map((r) => r.keptUp), 2),
          `${range(listened.map((r) => r.fromAt.p50))} / ${range(listened.map((r) => r.fromAt.p99))}`,
          `${range(listened.map((r) => r.fromAnswer.p50))} / ${range(listened.map((r) => r.fromAnswer.p99))}`,
          range(listened.map((r) => r.drainMs)),
          `${range(rounds.map((r) => r.alone.serverCpuMsPerWrite), 1)} → ${range(listened.map((r) => r.serverCpuMsPerWrite), 1)}`,
          range(rounds.map((r) => (r.listened.serverCpuMsPerWrite == null || r.alone.serverCpuMsPerWrite == null ? null : ((r.listened.serverCpuMsPerWrite - r.alone.serverCpuMsPerWrite) * 1000) / setup.count))),
          `${range(rounds.map((r) => r.alone.clientCpuMsPerWrite), 1)} → ${range(listened.map((r) => r.clientCpuMsPerWrite), 1)}`,
        ],
      })
    }
    const table = [
      '| listeners | writes/s alone | writes/s listened | ratio | delivered events/s | ÷ events/s alone | kept up | from `at` p50 / p99 ms | from the answer p50 / p99 ms | drain ms | server CPU ms/write alone → listened | server CPU µs per delivery | client CPU ms/write alone → listened |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...summaries.map((s) => `| ${s.row.join(' | ')} |`),
      `  feed: medians (min–max) over ${ctx.config.rounds} rounds of ${ctx.config.duration} s, ${WRITERS} writers creating contacts`,
    ].join('\n')
    const top = summaries.find((s) => s.transport === 'sse' && s.count === 200)
    return {
      unit: 'events/s',
      what: `live feed: ${WRITERS} writers creating contacts, 200 SSE listeners on the tenant vs none (per listener count: the table below)`,
      revline: { rate: top.deliveredPerSecond, summaries: summaries.map(({ row, ...s }) => s) },
      baseline: { rate: top.aloneEventsPerSecond },
      revlineText: `${top.deliveredPerSecond.toFixed(0)} events/s delivered; writers ${median(top.rounds.map((r) => r.listened.writesPerSecond)).toFixed(0)} writes/s`,
      baselineText: `writers alone ${median(top.rounds.map((r) => r.alone.writesPerSecond)).toFixed(0)} writes/s`,
      ratio: top.writeRatio,
      goal: null,
      goalLabel: '–',
      met: null,
      notes: table,
    }
  } finally {
    await thread.stop()
  }
}
