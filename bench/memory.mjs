/**
 * The memory a Revline operation costs its tenant object, sampled while it runs.
 *
 * Under `wrangler dev` the Worker and every Durable Object of a class live in one V8 isolate inside
 * the `workerd` process, so two figures describe "the object's memory" from outside:
 *   - heap: the isolate's V8 heap in use (`Runtime.getHeapUsage` over wrangler's inspector port),
 *     the JavaScript memory the object and the Worker hold (what a streamed import or export must
 *     keep bounded; Cloudflare's limit is 128 MB per isolate);
 *   - rss: the resident memory of the wrangler group's workerd processes (/proc/<pid>/status),
 *     which adds SQLite's page cache and workerd itself.
 * Both are sampled every `intervalMs` (inspector answers arrive between the isolate's tasks, so a
 * long synchronous transaction delays a heap sample, never skips the peak that follows it).
 * Reported: the value before, the peak during, and the peak minus before. Linux only for rss.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { connect } from './profile.mjs'

const MB = 1024 * 1024

/** The pids of the `workerd` processes in a process group. */
function workerdPids(pgid) {
  if (!existsSync('/proc/self/stat')) return []
  const pids = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (comm === 'workerd' && Number(fields[2]) === pgid) pids.push(entry)
    } catch {
      // exited meanwhile
    }
  }
  return pids
}

function rssBytes(pids) {
  let total = 0
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
      if (m) total += Number(m[1]) * 1024
    } catch {
      // exited meanwhile
    }
  }
  return total
}

/**
 * Runs `fn` while sampling the memory of `server` (a wrangler dev started by run.mjs).
 *
 * V8's used heap includes garbage not yet collected, so a peak of it says more about when V8 chose
 * to collect than about what the operation holds. The heap is sampled every `intervalMs`; whenever
 * a sample is lower than the one before, a collection ran in between, and that sample is close to
 * the live heap at that moment. The highest of those post-collection samples (`liveHeapPeak`) is
 * what the operation kept alive at its worst; `heapPeak` is the worst case V8 let the heap reach.
 * (workerd's inspector does not answer `HeapProfiler.collectGarbage`, so a collection cannot be
 * forced.) Returns `{ result, memory }`, memory in MB; heap figures are null without the inspector
 * or with `heap: false` (the inspector takes one client at a time: `--profile` runs use it).
 */
export async function sampleMemory(server, fn, { intervalMs = 50, heap = true } = {}) {
  const pids = workerdPids(server.child.pid)
  let session = null
  try {
    if (heap) session = await connect(server.inspectorPort)
  } catch (error) {
    process.stderr.write(`memory: ${error.message}; the heap is not sampled\n`)
  }
  const heapUsed = async () => {
    if (!session) return null
    try {
      return (await session.send('Runtime.getHeapUsage')).usedSize
    } catch {
      return null
    }
  }
  const before = { heap: await heapUsed(), rss: rssBytes(pids) }
  const peak = { heap: before.heap, live: null, rss: before.rss }
  let samples = 0
  let collections = 0
  let running = true
  const rssTimer = setInterval(() => (peak.rss = Math.max(peak.rss, rssBytes(pids))), intervalMs)
  // One inspector call at a time: the isolate answers between its tasks.
  const heapLoop = (async () => {
    let previous = before.heap
    while (running && session) {
      await new Promise((resolve) => setTimeout(resolve, intervalMs))
      const used = await heapUsed()
      if (used == null) continue
      samples++
      peak.heap = Math.max(peak.heap, used)
      if (previous != null && used < previous) (collections++, (peak.live = Math.max(peak.live ?? 0, used)))
      previous = used
    }
  })()
  let result
  try {
    result = await fn()
  } finally {
    running = false
    clearInterval(rssTimer)
    await heapLoop
    session?.close()
  }
  const mb = (bytes) => (bytes == null ? null : Math.round((bytes / MB) * 10) / 10)
  // No collection seen: the heap never dropped, so its peak bounds the live heap as well.
  const live = peak.live ?? peak.heap
  return {
    result,
    memory: {
      heapBefore: mb(before.heap),
      heapPeak: mb(peak.heap),
      heapGrowth: before.heap == null ? null : mb(peak.heap - before.heap),
      liveHeapPeak: mb(live),
      liveGrowth: before.heap == null ? null : mb(live - before.heap),
      collections,
      rssBefore: mb(before.rss),
      rssPeak: mb(peak.rss),
      rssGrowth: mb(peak.rss - before.rss),
      samples,
    },
  }
}

/** "heap 80.1 → 98.3 MB peak (+18.2), after collections ≤ 85.0 (+4.9, 12 seen); rss 900 → 950 MB (+50)" */
export function describeMemory(m) {
  if (!m) return '–'
  const heap =
    m.heapPeak == null ? 'heap –' : `heap ${m.heapBefore} → ${m.heapPeak} MB peak (${signed(m.heapGrowth)}), after collections ≤ ${m.liveHeapPeak} (${signed(m.liveGrowth)}, ${m.collections} seen)`
  return `${heap}; rss ${m.rssBefore} → ${m.rssPeak} MB (${signed(m.rssGrowth)})`
}

const signed = (x) => (x == null ? '–' : x >= 0 ? `+${x}` : `${x}`)
