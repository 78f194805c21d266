/**
 * The large tenant (`npm run bench -- --scale 1000000`; minutes, never in CI): one tenant of N leads
 * and N/10 contacts, built through the import path exactly as a customer's migration would be, on
 * Revline and on the bare baseline in turn, then what a team at that size meets:
 *
 *   build        each side's import time (contacts, then leads, in 50,000-row requests), rows/s, the
 *                CPU its processes used, and Revline's heap while it imports
 *   storage      the database and WAL sizes on disk, bytes per lead (the tenant's whole file ÷ leads:
 *                each lead's row, its creation event, its LeadScore row and that row's event, and the
 *                tenth of a contact per lead, with all their indexes)
 *   get, list    the usual scenarios (scenarios.mjs), now over N leads
 *   scale-reads  the pipeline summary and a search, one request at a time (the baseline's GROUP BY
 *                and LIKE scan over N leads take seconds each: under autocannon's few seconds and
 *                10 connections they would complete nothing): median latency per side
 *   scale-search (opt-in) the search under autocannon, for Revline's throughput
 *   export       the streamed NDJSON export of every lead, rows/s and heap (bulk.mjs)
 *   scale-writes p99 of lead creates at 10 connections alone, then while a filtered list runs at 2
 *                connections on the same tenant, each side
 *   scale-evict  the first request after the object is evicted (wrangler restarted on the same
 *                data: a new isolate, a new object over the stored database), against the baseline's
 *
 * The constructor of the tenant object must not scan: the first answer after eviction is what shows it.
 */
import autocannon from 'autocannon'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { exportIds, importFile, leadsCsv } from './bulk.mjs'
import { median } from './same-tenant.mjs'
import { seedContact } from './scenarios.mjs'

/** The scenarios `--scale` runs unless `--only` names others. */
export const SCALE_SCENARIOS = ['get', 'list', 'scale-reads', 'export', 'scale-writes', 'scale-evict']

const CHUNK = 50_000
const num = (x) => Math.round(x).toLocaleString('en-US')

/** Imports `rows` rows in CHUNK-row requests (`file(count, start)` makes each body); → the total of the answers' durations. */
async function importChunked(ctx, t, collection, rows, file, contentType) {
  const ids = []
  for (let start = 0; start < rows; start += CHUNK) {
    const count = Math.min(CHUNK, rows - start)
    const answer = await importFile(ctx, t, collection, file(count, start), contentType, { ids: t.name === 'baseline' })
    if (answer.ids) ids.push(...answer.ids)
    ctx.log(`  ${t.name}: ${collection} ${num(start + count)} / ${num(rows)}`)
  }
  return ids
}

/**
 * Builds the large tenant on one side (ctx.config.seed contacts, ctx.config.leads leads), timed, and
 * keeps the ids the scenarios use. Revline's ids come from its export (read as a stream).
 */
export async function seedScale(t, config, ctx) {
  const contactsNdjson = (count, start) => {
    let out = ''
    for (let i = start; i < start + count; i++) out += `${JSON.stringify(seedContact(i))}\n`
    return out
  }
  const cpu = ctx.cpu(t.server)
  const t0 = performance.now()
  const build = async () => {
    const contactIds = await importChunked(ctx, t, 'contacts', config.seed, contactsNdjson, 'application/x-ndjson')
    t.ids = t.name === 'baseline' ? contactIds : await exportIds(ctx, t, 'contacts')
    const contactsMs = performance.now() - t0
    const leadIds = await importChunked(ctx, t, 'leads', config.leads, (count, start) => leadsCsv(count, t.ids, start), 'text/csv')
    return { contactsMs, leadsMs: performance.now() - t0 - contactsMs, leadIds }
  }
  const { result, memory } = t.name === 'revline' ? await ctx.memory(build) : { result: await build(), memory: null }
  const ms = performance.now() - t0
  const used = ctx.cpuSince(t.server, cpu)
  t.leadIds = t.name === 'baseline' ? result.leadIds : await exportIds(ctx, t, 'leads')
  if (t.ids.length !== config.seed || t.leadIds.length !== config.leads) throw new Error(`${t.name}: built ${t.ids.length} contacts and ${t.leadIds.length} leads, expected ${config.seed} and ${config.leads}`)
  const side = {
    seconds: Math.round(ms / 100) / 10,
    contactsPerSecond: Math.round(config.seed / (result.contactsMs / 1000)),
    leadsPerSecond: Math.round(config.leads / (result.leadsMs / 1000)),
    cpuSeconds: used.ms == null ? null : Math.round(used.ms / 100) / 10,
    memory,
  }
  ctx.log(`  ${t.name}: built in ${side.seconds} s (contacts ${num(side.contactsPerSecond)}/s, leads ${num(side.leadsPerSecond)}/s, CPU ${side.cpuSeconds ?? '–'} s)${memory ? `; ${ctx.describeMemory(memory)}` : ''}`)
  return side
}

/**
 * The largest Durable Object database under a `--persist-to` directory (the bench tenant's): its
 * file and WAL sizes. What a tenant's data and history cost on disk (Cloudflare's limit is 10 GB per
 * object); none found (another wrangler layout) reads as 0.
 */
export function largestDatabase(dir) {
  let best = { db: 0, wal: 0, file: null }
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const file = path.join(d, entry.name)
      if (entry.isDirectory()) walk(file)
      else if (entry.name.endsWith('.sqlite')) {
        const db = statSync(file).size
        const wal = existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0
        if (db + wal > best.db + best.wal) best = { db, wal, file }
      }
    }
  }
  if (existsSync(dir)) walk(dir)
  return best
}

/** The database and its WAL together, in bytes. */
export const databaseBytes = (dir) => {
  const { db, wal } = largestDatabase(dir)
  return db + wal
}

/**
 * Where a database's bytes go: each table with its indexes (an FTS5 table with its shadow tables),
 * bytes per lead, largest first, from SQLite's dbstat (node:sqlite, Node ≥ 22.5, which `npm run bench`
 * runs on; older Node gives null). Read while wrangler runs: WAL pages are read through, nothing is
 * written.
 */
async function tableBytes(file, leads) {
  let sqlite
  try {
    sqlite = await import('node:sqlite')
  } catch {
    return null
  }
  const db = new sqlite.DatabaseSync(file, { readOnly: true })
  try {
    const owner = new Map(db.prepare("SELECT name, tbl_name FROM sqlite_schema WHERE name IS NOT NULL").all().map((r) => [r.name, r.tbl_name]))
    const fts = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%'").all().map((r) => r.name)
    const group = (name) => fts.find((f) => name === f || name.startsWith(`${f}_`)) ?? owner.get(name) ?? name
    const sums = new Map()
    for (const { name, bytes } of db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name').all()) sums.set(group(name), (sums.get(group(name)) ?? 0) + bytes)
    return [...sums].sort((a, b) => b[1] - a[1]).filter(([, bytes]) => bytes >= 4096 * 8).map(([table, bytes]) => ({ table, bytesPerLead: Math.round(bytes / leads) }))
  } finally {
    db.close()
  }
}

/** The large tenant's storage: file and WAL sizes, bytes per lead, and which tables hold them. */
export async function storageOf(dir, config) {
  const { file, ...best } = largestDatabase(dir)
  return { ...best, bytesPerLead: Math.round((best.db + best.wal) / config.leads), tables: file ? await tableBytes(file, config.leads) : null }
}

/** One line per side for the report: build and storage. */
export function scaleLines(storage) {
  const mb = (bytes) => `${num(bytes / 1024 / 1024)} MB`
  return ['revline', 'baseline'].map((name) => {
    const b = storage.build[name]
    const s = storage[name]
    const tables = s.tables ? `\n    per lead by table (with its indexes): ${s.tables.map((x) => `${x.table} ${num(x.bytesPerLead)} B`).join(', ')}` : ''
    return `  scale ${name}: built in ${b.seconds} s (contacts ${num(b.contactsPerSecond)} rows/s, leads ${num(b.leadsPerSecond)} rows/s, CPU ${b.cpuSeconds ?? '–'} s); database ${mb(s.db)} + WAL ${mb(s.wal)}: ${num(s.bytesPerLead)} B per lead${b.memory ? `; heap while importing: ${b.memory.heapPeak ?? '–'} MB peak` : ''}${tables}`
  })
}

/** A lead's number from the top nine tenths (`Lead 123456`): its prefix matches a few numbers at most. */
const someLeadNumber = (t) => Math.floor(t.leadIds.length / 10 + Math.random() * (t.leadIds.length * 0.9))

/** `scale-search` (an autocannon pair, see scenarios.mjs): one lead's number, so each answer is one or a few leads. */
export const scaleSearch = {
  revline: (t) => ({ method: 'GET', headers: t.headers, setupRequest: (req) => ({ ...req, path: `/~${t.slug}/search?q=${someLeadNumber(t)}&type=Lead&limit=20` }) }),
  baseline: (t) => ({ method: 'GET', headers: t.headers, setupRequest: (req) => ({ ...req, path: `/~${t.slug}/leads/search?q=${someLeadNumber(t)}` }) }),
}

/**
 * `scale-reads`: the pipeline summary (Revline's counters vs the baseline's GROUP BY over every lead)
 * and a search for one lead's number (Revline's index vs the baseline's LIKE scan of every name), each
 * asked 5 times in turn per side, one request at a time; medians of the latency.
 */
export async function scaleReadsScenario(ctx) {
  const timed = async (t, pathname) => {
    const t0 = performance.now()
    const res = await fetch(t.server.origin + pathname, { headers: t.headers })
    await res.arrayBuffer()
    if (res.status !== 200) throw new Error(`${t.name} ${pathname}: ${res.status}`)
    return performance.now() - t0
  }
  const reads = {
    summary: { revline: (t) => `/~${t.slug}/pipeline/summary`, baseline: (t) => `/~${t.slug}/leads/summary` },
    search: { revline: (t) => `/~${t.slug}/search?q=${someLeadNumber(t)}&type=Lead&limit=20`, baseline: (t) => `/~${t.slug}/leads/search?q=${someLeadNumber(t)}` },
  }
  const result = {}
  for (const [name, paths] of Object.entries(reads)) {
    const ms = { revline: [], baseline: [] }
    for (let i = 0; i < 5; i++) for (const t of i % 2 ? [ctx.baseline, ctx.revline] : [ctx.revline, ctx.baseline]) ms[t.name].push(await timed(t, paths[t.name](t)))
    result[name] = { revlineMs: Math.round(median(ms.revline) * 10) / 10, baselineMs: Math.round(median(ms.baseline) * 10) / 10 }
    ctx.log(`  scale-reads ${name}: revline ${ms.revline.map((x) => x.toFixed(0)).join(', ')} ms; baseline ${ms.baseline.map((x) => x.toFixed(0)).join(', ')} ms`)
  }
  const text = (side) => `summary ${result.summary[`${side}Ms`]} ms, search ${result.search[`${side}Ms`]} ms`
  return {
    unit: 'ms',
    what: `one request at a time, median of 5: the pipeline summary (counters vs GROUP BY) and a search (index vs LIKE scan), ${num(ctx.config.leads)} leads`,
    revline: result,
    baseline: result,
    revlineText: text('revline'),
    baselineText: text('baseline'),
    ratio: result.summary.baselineMs / result.summary.revlineMs,
    goalLabel: 'summary ≥ 10×',
    met: result.summary.baselineMs / result.summary.revlineMs >= 10,
  }
}

async function cannonOnce(t, request, connections, duration, expect) {
  const result = await autocannon({ url: t.server.origin, connections, duration, requests: [request] })
  const ok = result.statusCodeStats?.[String(expect)]?.count ?? 0
  if (ok !== result.requests.total || result.errors) throw new Error(`${t.name} ${request.path ?? ''}: ${result.requests.total - ok} unexpected answers, ${result.errors} errors`)
  return { rps: result.requests.total / result.duration, p50: result.latency.p50, p99: result.latency.p99 }
}

/**
 * `scale-writes`: lead creates at 10 connections for `--duration` seconds, alone and then while a
 * filtered, sorted list (its COUNT walks a sixth of the leads' index) runs at 2 connections on the
 * same tenant; `--rounds` of each, each side, medians. What a capture burst feels like while a
 * colleague browses a million leads.
 */
export async function scaleWritesScenario(ctx) {
  const { config } = ctx
  const create = (t) => ({
    method: 'POST',
    path: `/~${t.slug}/leads`,
    headers: t.headers,
    setupRequest: (req) => ({ ...req, body: JSON.stringify({ name: `Scale lead ${t.counter++}`, source: 'website', budget: 12_000, timeline: 'within 2 weeks' }) }),
  })
  const list = (t) => ({ method: 'GET', path: `/~${t.slug}/leads?source=referral&sort=-score&limit=25`, headers: t.headers })
  const sides = {}
  for (const t of [ctx.revline, ctx.baseline]) {
    const runs = { alone: [], underList: [], list: [] }
    for (let round = 0; round < config.rounds; round++) {
      runs.alone.push(await cannonOnce(t, create(t), 10, config.duration, 201))
      const [writes, reads] = await Promise.all([cannonOnce(t, create(t), 10, config.duration, 201), cannonOnce(t, list(t), 2, config.duration, 200)])
      runs.underList.push(writes)
      runs.list.push(reads)
    }
    const m = (xs, key) => median(xs.map((x) => x[key]))
    sides[t.name] = {
      alone: { rps: m(runs.alone, 'rps'), p99: m(runs.alone, 'p99') },
      underList: { rps: m(runs.underList, 'rps'), p99: m(runs.underList, 'p99') },
      list: { rps: m(runs.list, 'rps'), p99: m(runs.list, 'p99') },
    }
    const s = sides[t.name]
    ctx.log(`  scale-writes ${t.name}: creates alone ${s.alone.rps.toFixed(0)} rps p99 ${s.alone.p99} ms; while a list runs ${s.underList.rps.toFixed(0)} rps p99 ${s.underList.p99} ms (list ${s.list.rps.toFixed(0)} rps p99 ${s.list.p99} ms)`)
  }
  const text = (s) => `creates p99 ${s.alone.p99} ms alone, ${s.underList.p99} ms while a list runs (${s.underList.rps.toFixed(0)} creates/s, ${s.list.rps.toFixed(0)} lists/s)`
  return {
    unit: 'ms',
    what: `lead creates at c=10 alone and while a filtered list runs at c=2, ${num(config.leads)} leads`,
    revline: sides.revline,
    baseline: sides.baseline,
    revlineText: text(sides.revline),
    baselineText: text(sides.baseline),
    ratio: sides.revline.underList.rps / sides.baseline.underList.rps,
    goalLabel: '–',
    met: null,
  }
}

/**
 * `scale-evict`: three times per side, wrangler is restarted on the same data and one lead is read
 * (`GET /leads/{id}?include=contact`): the first answer pays a new isolate, the object's constructor
 * (migrations checked, nothing scanned) and a cold page cache; the second is warm.
 */
export async function scaleEvictScenario(ctx) {
  const times = { revline: { first: [], warm: [] }, baseline: { first: [], warm: [] } }
  for (let i = 0; i < 3; i++) {
    for (const t of i % 2 ? [ctx.baseline, ctx.revline] : [ctx.revline, ctx.baseline]) {
      await ctx.restart(t)
      const read = async () => {
        const t0 = performance.now()
        const res = await fetch(`${t.server.origin}/~${t.slug}/leads/${t.leadIds[Math.floor(Math.random() * t.leadIds.length)]}?include=contact`, { headers: t.headers })
        await res.arrayBuffer()
        if (res.status !== 200) throw new Error(`${t.name}: first read after restart answered ${res.status}`)
        return Math.round((performance.now() - t0) * 10) / 10
      }
      times[t.name].first.push(await read())
      times[t.name].warm.push(await read())
    }
  }
  const side = (s) => ({ firstMs: median(s.first), firstMaxMs: Math.max(...s.first), warmMs: median(s.warm) })
  const revline = side(times.revline)
  const baseline = side(times.baseline)
  ctx.log(`  scale-evict: revline first ${times.revline.first.join(', ')} ms (warm ${times.revline.warm.join(', ')}); baseline first ${times.baseline.first.join(', ')} ms (warm ${times.baseline.warm.join(', ')})`)
  return {
    unit: 'ms',
    what: `the first read after the object is evicted (wrangler restarted on the data), median of 3 (max), ${num(ctx.config.leads)} leads`,
    revline,
    baseline,
    revlineText: `${revline.firstMs} ms (${revline.firstMaxMs}); warm ${revline.warmMs}`,
    baselineText: `${baseline.firstMs} ms (${baseline.firstMaxMs}); warm ${baseline.warmMs}`,
    ratio: baseline.firstMs / revline.firstMs,
    goalLabel: '–',
    met: null,
  }
}
