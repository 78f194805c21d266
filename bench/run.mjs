#!/usr/bin/env node
/**
 * `npm run bench`: Revline vs a bare baseline Worker (bench/baseline/), A/B in one run.
 *
 * Copies both Workers to .wrangler/bench-snapshots/ (so edits made during the run don't reload them),
 * starts two `wrangler dev` servers with the tuned offline flags (fresh --persist-to dirs), creates a
 * tenant on each, seeds the same contacts on both, then for every scenario in scenarios.mjs and every
 * connection count runs autocannon against Revline and the baseline in alternating order for a few
 * rounds and keeps the median rps / p50 / p99 of each side. Bulk scenarios (import, rescore) time one
 * run per side instead (bulk.mjs). Prints markdown tables and writes bench/results.json. See
 * bench/README.md.
 *
 * Options (flag or environment variable):
 *   --connections 10,50   BENCH_CONNECTIONS   connection counts (default 10,50)
 *   --duration 3          BENCH_DURATION      seconds per measured run (default 3)
 *   --rounds 4            BENCH_ROUNDS        A/B rounds per scenario, medians are kept (default 4: an even
 *                                             number, so each side runs first equally often)
 *   --warmup 1            BENCH_WARMUP        unmeasured seconds per side before the rounds (default 1)
 *   --seed 10000          BENCH_SEED          contacts seeded on each side before the scenarios (default 10,000,
 *                                             one NDJSON import per side)
 *   --leads 100000        BENCH_LEADS         leads seeded on each side after them, each pointing at a contact
 *                                             (default 100,000, one CSV import per side): get, list, summary,
 *                                             export and rescore run over them
 *   --only get,list       BENCH_ONLY          run only these scenarios (`deployment` names the
 *                                             deployment line, which needs no server: `--only
 *                                             deployment` starts none)
 *   --skip import,rescore BENCH_SKIP          leave these scenarios out (e.g. the two heavy bulk ones)
 *   --deals N             BENCH_DEALS         open deals seeded for the opt-in verb-win scenario (default:
 *                                             enough for 500 rps over every run of it)
 *   --import-rows 100000  BENCH_IMPORT_ROWS   rows of the import scenario's CSV
 *   --rescore-timeout 600 BENCH_RESCORE_TIMEOUT  seconds to wait for the rescoring run to finish
 *   --cold-starts 10      BENCH_COLD_STARTS   new tenants the coldstart scenario creates on each side
 *   --profile DIR         BENCH_PROFILE       also record a V8 CPU profile of Revline (through its
 *                                             inspector): one extra, unmeasured run per autocannon
 *                                             scenario, and the Revline side of each bulk one; writes
 *                                             DIR/<scenario>.cpuprofile and prints where the time went
 *   --unminified          BENCH_UNMINIFIED    run Revline's Worker unminified (its copy's wrangler.toml
 *                                             gets `minify = false`), so a profile names every function
 *                                             and module; on by default with --profile (BENCH_UNMINIFIED=0
 *                                             keeps the minified build); slower to parse, so not for figures
 *   --startup-runs 3      BENCH_STARTUP_RUNS  `wrangler check startup` runs of the deployment line
 *   --out bench/results.json  BENCH_OUT       where to write the results (a partial run, with --only,
 *                                             --skip, --scale or --profile, writes bench/results/latest.json
 *                                             unless told: it never replaces the full run's record)
 *   --revline-config wrangler.toml  BENCH_REVLINE_CONFIG  Revline's wrangler config (e.g. a checkout of
 *                                   another commit, to compare two versions against the same baseline)
 *   --scale 1000000       BENCH_SCALE         the large-tenant mode (scale.mjs; minutes, never in CI): one tenant of
 *                                             N leads and N/10 contacts (`--seed` overrides) built through the
 *                                             import path on each side in turn, then the scale scenarios
 *                                             (get, list, summary, scale-search, export, scale-writes,
 *                                             scale-evict; `--only` picks among them) at 10 connections, 2 rounds
 */
import autocannon from 'autocannon'
import { execFileSync, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { exportIds, importFile, leadsCsv } from './bulk.mjs'
import { deploymentLine, measureDeployment } from './deployment.mjs'
import { describeMemory, sampleMemory } from './memory.mjs'
import { profileWhile } from './profile.mjs'
import { databaseBytes, SCALE_SCENARIOS, scaleLines, seedScale, storageOf } from './scale.mjs'
import { scenarios, seedContact } from './scenarios.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..')
const bin = path.join(root, 'node_modules', '.bin')

const { values: flags } = parseArgs({
  options: {
    connections: { type: 'string' },
    duration: { type: 'string' },
    rounds: { type: 'string' },
    warmup: { type: 'string' },
    seed: { type: 'string' },
    only: { type: 'string' },
    skip: { type: 'string' },
    deals: { type: 'string' },
    'import-rows': { type: 'string' },
    leads: { type: 'string' },
    'cold-starts': { type: 'string' },
    'rescore-timeout': { type: 'string' },
    profile: { type: 'string' },
    unminified: { type: 'boolean' },
    'startup-runs': { type: 'string' },
    out: { type: 'string' },
    'revline-config': { type: 'string' },
    scale: { type: 'string' },
  },
})
const opt = (name, fallback) => flags[name] ?? process.env[`BENCH_${name.toUpperCase().replaceAll('-', '_')}`] ?? fallback
const scale = Number(opt('scale', 0))
const partial = Boolean(scale || opt('only', '') || opt('skip', '') || opt('profile', ''))
const config = {
  scale,
  connections: String(opt('connections', scale ? '10' : '10,50')).split(',').map(Number),
  duration: Number(opt('duration', 3)),
  rounds: Number(opt('rounds', scale ? 2 : 4)),
  warmup: Number(opt('warmup', 1)),
  seed: Number(opt('seed', scale ? Math.round(scale / 10) : 10_000)),
  leads: Number(opt('leads', scale || 100_000)),
  only: opt('only', '') ? String(opt('only', '')).split(',') : scale ? SCALE_SCENARIOS : null,
  skip: opt('skip', '') ? String(opt('skip', '')).split(',') : [],
  deals: Number(opt('deals', 0)),
  importRows: Number(opt('import-rows', 100_000)),
  rescoreTimeout: Number(opt('rescore-timeout', 600)),
  coldStarts: Number(opt('cold-starts', 10)),
  profile: opt('profile', '') ? path.resolve(root, String(opt('profile', ''))) : null,
  startupRuns: Number(opt('startup-runs', 3)),
  // Minifying strips esbuild's module comments, which profile.mjs maps samples to files by.
  unminified: Boolean(flags.unminified ?? (process.env.BENCH_UNMINIFIED ? process.env.BENCH_UNMINIFIED !== '0' : Boolean(opt('profile', '')))),
  out: path.resolve(root, opt('out', partial ? 'bench/results/latest.json' : 'bench/results.json')),
  revlineConfig: path.resolve(root, flags['revline-config'] ?? process.env.BENCH_REVLINE_CONFIG ?? 'wrangler.toml'),
}

const ADMIN_TOKEN = 'bench-token'
const BASELINE_TOKEN = 'bench-baseline-token'
const SLUG = 'bench'
const TUNED_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  X_LOCAL_OBSERVABILITY: 'false',
  X_LOCAL_EXPLORER: 'false',
}

// ---------------------------------------------------------------------------------------------
// wrangler dev processes: spawned in their own process group, stopped with SIGINT to the pid we
// spawned, and the group SIGKILLed on any exit path so no workerd outlives the bench.

const children = new Set()

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/**
 * Copies a Worker's directory (its wrangler config's directory, without node_modules, .git,
 * .wrangler and the tests) into `.wrangler/bench-snapshots/` of the Revline checkout and runs
 * `wrangler dev` on the copy. `wrangler dev` reloads the Worker whenever a source file changes,
 * which on a shared checkout (others editing src/) restarts workerd mid-measurement and drops
 * queued jobs; the copy does not change, so the whole run measures the code as it was when the run
 * started. The copy lives inside the checkout so packages resolve from its node_modules exactly as
 * they do for the original (a symlinked node_modules changes how wrangler matches module rules).
 */
const SNAPSHOT_SKIP = new Set(['node_modules', '.git', '.wrangler', 'test', 'test-artifacts', 'bench', 'results'])
function snapshot(name, configPath, into) {
  const source = path.dirname(configPath)
  mkdirSync(into, { recursive: true })
  const dir = mkdtempSync(path.join(into, `${name}-`))
  bundleDirs.add(dir)
  for (const entry of readdirSync(source)) if (!SNAPSHOT_SKIP.has(entry)) cpSync(path.join(source, entry), path.join(dir, entry), { recursive: true })
  return { config: path.join(dir, path.basename(configPath)), dir }
}

async function startWrangler(name, configPath, vars, persistTo = mkdtempSync(path.join(os.tmpdir(), `revline-bench-${name}-`))) {
  const port = await freePort()
  const inspectorPort = await freePort()
  const args = ['dev', '--config', configPath, '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort),
    '--log-level', 'warn', '--persist-to', persistTo, '--show-interactive-dev-session=false', ...vars.flatMap((v) => ['--var', v])]
  const child = spawn(path.join(bin, 'wrangler'), args, {
    cwd: root,
    env: { ...process.env, ...TUNED_ENV, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const server = { name, port, inspectorPort, persistTo, configPath, vars, child, origin: `http://127.0.0.1:${port}`, log: '', exited: false }
  const keep = (chunk) => {
    server.log = (server.log + chunk).slice(-20_000)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  server.exit = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      server.exited = true
      children.delete(server)
      resolve({ code, signal })
    }),
  )
  children.add(server)
  await waitReady(server)
  return server
}

async function waitReady(server, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (server.exited) throw new Error(`${server.name}: wrangler exited before it was ready\n${server.log}`)
    try {
      const res = await fetch(`${server.origin}/`)
      await res.arrayBuffer()
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    await sleep(200)
  }
  throw new Error(`${server.name}: no 200 from GET / within ${timeoutMs / 1000}s\n${server.log}`)
}

function killGroup(server, signal) {
  try {
    process.kill(-server.child.pid, signal)
  } catch {
    // the group is gone
  }
}

async function stopWrangler(server, { keepData = false } = {}) {
  if (!server.exited) {
    const t0 = Date.now()
    server.child.kill('SIGINT')
    let timer
    const stopped = await Promise.race([server.exit.then(() => true), new Promise((resolve) => (timer = setTimeout(resolve, 10_000, false)))])
    clearTimeout(timer)
    if (!stopped) console.error(`${server.name}: wrangler ignored SIGINT for 10s, killing its process group`)
    else process.stderr.write(`${server.name}: wrangler stopped in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`)
  }
  killGroup(server, 'SIGKILL') // anything of its group still alive (normally nothing)
  if (!keepData) rmSync(server.persistTo, { recursive: true, force: true })
}

const bundleDirs = new Set()
process.on('exit', () => {
  for (const server of children) killGroup(server, 'SIGKILL')
  for (const dir of bundleDirs) rmSync(dir, { recursive: true, force: true })
})
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, async () => {
    console.error(`\n${signal}: stopping wrangler…`)
    await Promise.allSettled([...children].map(stopWrangler))
    process.exit(130)
  })
}

// ---------------------------------------------------------------------------------------------
// Tenants and seed data

async function request(server, method, pathname, headers, body) {
  const res = await fetch(server.origin + pathname, { method, headers, body: body === undefined || typeof body === 'string' ? body : JSON.stringify(body) })
  const text = await res.text()
  let json
  try {
    json = JSON.parse(text)
  } catch {
    json = text
  }
  return { status: res.status, json }
}

const OPERATOR = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }

/** Creates a tenant on Revline (operator token); its first key is an admin key. */
async function revlineTarget(server, slug = SLUG) {
  const res = await request(server, 'POST', '/tenants', OPERATOR, { slug, name: `Bench ${slug}` })
  if (res.status !== 201 || !res.json.apiKey) throw new Error(`revline: POST /tenants answered ${res.status} ${JSON.stringify(res.json)}\n--- wrangler log (tail) ---\n${server.log.slice(-4000)}`)
  return target('revline', server, res.json.apiKey, slug)
}

function target(name, server, key, slug = SLUG) {
  return { name, server, slug, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, ids: [], counter: 0 }
}

/**
 * Seeds one side: `contacts` contacts (seedContact) with one NDJSON import, then `leads` leads
 * (leadsCsv, each pointing at one of those contacts) with one CSV import. Revline runs its create
 * verb per row (same validation, hooks, scoring and events as a POST); ids are kept for the
 * scenarios: Revline's from its exports, the baseline's from the imports' answers (`?ids=1`).
 */
async function seed(t, { contacts, leads }, ctx) {
  let ndjson = ''
  for (let i = 0; i < contacts; i++) ndjson += `${JSON.stringify(seedContact(i))}\n`
  const load = async (collection, body, type) => {
    if (t.name === 'baseline') return (await importFile(ctx, t, collection, body, type, { ids: true })).ids
    await importFile(ctx, t, collection, body, type)
    return exportIds(ctx, t, collection)
  }
  t.ids = await load('contacts', ndjson, 'application/x-ndjson')
  if (t.ids.length !== contacts) throw new Error(`${t.name}: seeded ${contacts} contacts but read back ${t.ids.length} ids`)
  t.leadIds = leads > 0 ? await load('leads', leadsCsv(leads, t.ids), 'text/csv') : []
  if (t.leadIds.length !== leads) throw new Error(`${t.name}: seeded ${leads} leads but read back ${t.leadIds.length} ids`)
}

/** What scenarios' `setup` and `run` get (see bulk.mjs). */
function context(revline, baseline) {
  const tenants = [revline.slug]
  const ctx = {
    revline,
    baseline,
    config,
    tenants,
    scenario: null,
    request,
    operatorHeaders: OPERATOR,
    log: (message) => process.stderr.write(`${message}\n`),
    // The inspector takes one client at a time: with --profile the profiler has it, rss only then.
    memory: (fn, options) => sampleMemory(revline.server, fn, { ...options, heap: !config.profile }),
    describeMemory,
    async tenant(slug) {
      const t = await revlineTarget(revline.server, slug)
      tenants.push(slug)
      return { revline: t, baseline: target('baseline', baseline.server, BASELINE_TOKEN, slug) }
    },
    async operator(method, pathname) {
      const res = await request(revline.server, method, pathname, OPERATOR)
      if (res.status >= 300) throw new Error(`revline: ${method} ${pathname} answered ${res.status} ${JSON.stringify(res.json)}`)
      return res.json
    },
    cpu: (server) => groupCpu(server.child.pid),
    cpuSince(server, before) {
      const delta = cpuDelta(before, groupCpu(server.child.pid))
      return { ms: delta.ended.includes('workerd') ? null : delta.ms, restarted: delta.ended.includes('workerd') }
    },
    /**
     * Stops a side's wrangler and starts it again on the same data (what an evicted object meets:
     * a fresh isolate and object over the stored database); the target then points at the new server.
     */
    async restart(t) {
      const before = t.server
      await stopWrangler(before, { keepData: true })
      t.server = await startWrangler(before.name, before.configPath, before.vars, before.persistTo)
      return t.server
    },
    /** Runs fn; with --profile, under Revline's V8 profiler (label names the file), else plainly. */
    profile: (label, fn) => (config.profile && label ? profileWhile(revline.server.inspectorPort, path.join(config.profile, `${label}.cpuprofile`), fn) : fn()),
  }
  return ctx
}

// ---------------------------------------------------------------------------------------------
// Measuring

/**
 * CPU time (ms) used so far by every process of a wrangler's group (wrangler, its proxy workerd and
 * the user workerd), from /proc. CPU per request is steadier from round to round than rps (outside
 * load slows it less directly), so it is reported next to the throughput ratio. Linux only.
 */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()
function groupCpu(pgid) {
  if (!existsSync('/proc/self/stat')) return null
  const procs = new Map() // pid → { comm, ms }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let stat
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
    } catch {
      continue // exited meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (Number(fields[2]) !== pgid) continue // pgrp
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
    procs.set(entry, { comm, ms: ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK }) // utime + stime
  }
  return procs
}

/** CPU ms the group used between two snapshots (processes that ended meanwhile are left out) and what ended. */
function cpuDelta(before, after) {
  if (!before || !after) return { ms: null, ended: [] }
  let ms = 0
  for (const [pid, p] of after) ms += p.ms - (before.get(pid)?.ms ?? 0)
  const ended = [...before].filter(([pid]) => !after.has(pid)).map(([, p]) => p.comm)
  return { ms, ended }
}

async function cannon(t, scenario, build, connections, duration) {
  const req = build(t)
  const cpuBefore = groupCpu(t.server.child.pid)
  const result = await autocannon({
    url: t.server.origin,
    connections,
    duration,
    requests: [req],
  })
  const cpu = cpuDelta(cpuBefore, groupCpu(t.server.child.pid))
  // A workerd of the group gone: wrangler restarted it (it reloads when its sources change).
  const restarted = cpu.ended.includes('workerd')
  const codes = result.statusCodeStats ?? {}
  const ok = codes[String(scenario.expect)]?.count ?? 0
  const other = Object.fromEntries(Object.entries(codes).filter(([code]) => code !== String(scenario.expect)).map(([code, s]) => [code, s.count]))
  return {
    rps: result.duration > 0 ? result.requests.total / result.duration : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    cpuMsPerRequest: cpu.ms == null || restarted || result.requests.total === 0 ? null : cpu.ms / result.requests.total,
    restarted,
    endedProcesses: cpu.ended,
    ok,
    unexpected: other,
    // A run that completed no request at all (the server hung) counts as one error.
    errors: result.errors + result.timeouts + (result.requests.total === 0 ? 1 : 0),
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

function summarize(runs) {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpuMsPerRequest: runs.some((r) => r.cpuMsPerRequest != null) ? median(runs.map((r) => r.cpuMsPerRequest).filter((x) => x != null)) : null,
    restarts: runs.filter((r) => r.restarted).length,
    requests: runs.reduce((n, r) => n + r.requests, 0),
    bad: runs.reduce((n, r) => n + r.errors + Object.values(r.unexpected).reduce((a, b) => a + b, 0), 0),
    rounds: runs,
  }
}

/**
 * autocannon stops at the end of a run with requests still queued at the tenant's object (at 50
 * connections and 30 ms a request, over a second of them); they would eat into the next run. One
 * cheap request through the same object waits for that backlog to clear.
 */
async function drain(t) {
  const res = await fetch(`${t.server.origin}/~${t.slug}/leads?limit=1`, { headers: t.headers })
  await res.arrayBuffer()
}

async function measure(scenario, sides, connections, ctx) {
  const runs = { revline: [], baseline: [] }
  if (config.warmup > 0) for (const t of sides) await cannon(t, scenario, scenario[t.name], connections, config.warmup), await drain(t)
  for (let round = 0; round < config.rounds; round++) {
    // A then B, with the order swapped every round so drift over time hits both sides alike.
    const order = round % 2 === 0 ? sides : [...sides].reverse()
    for (const t of order) {
      const r = await cannon(t, scenario, scenario[t.name], connections, config.duration)
      await drain(t)
      runs[t.name].push(r)
      process.stderr.write(`  ${scenario.name} c=${connections} round ${round + 1} ${t.name.padEnd(8)} ${r.rps.toFixed(0).padStart(5)} rps  p50 ${r.p50} ms  p99 ${r.p99} ms  cpu ${r.cpuMsPerRequest == null ? '–' : r.cpuMsPerRequest.toFixed(2)} ms/req${r.requests === 0 ? '  NO RESPONSES' : ''}${r.errors || Object.keys(r.unexpected).length ? `  UNEXPECTED ${JSON.stringify(r.unexpected)} errors=${r.errors}` : ''}${r.restarted ? '  RELOADED (workerd restarted during the run)' : ''}\n`)
    }
  }
  // With --profile: one more, unmeasured Revline run under its V8 profiler (see profile.mjs).
  if (config.profile) await ctx.profile(`${scenario.name}-c${connections}`, () => cannon(sides[0], scenario, scenario.revline, connections, config.duration))
  const revline = summarize(runs.revline)
  const baseline = summarize(runs.baseline)
  // The ratio is the median of the per-round ratios: each round's two runs are back to back, so a
  // burst of outside load that lands on one round is cancelled in its pair rather than in the medians.
  const roundRatios = runs.revline.map((r, i) => (runs.baseline[i].rps > 0 ? r.rps / runs.baseline[i].rps : 0))
  const ratio = median(roundRatios)
  return {
    scenario: scenario.name,
    connections,
    revline,
    baseline,
    ratio,
    roundRatios,
    ratioOfMedians: baseline.rps > 0 ? revline.rps / baseline.rps : 0,
    /** Baseline CPU per request / Revline's: the throughput ratio to expect when both are CPU-bound. */
    cpuRatio: revline.cpuMsPerRequest && baseline.cpuMsPerRequest ? baseline.cpuMsPerRequest / revline.cpuMsPerRequest : null,
    goal: scenario.goal,
    met: scenario.goal == null ? null : ratio >= scenario.goal,
  }
}

// ---------------------------------------------------------------------------------------------
// Report

function table(rows) {
  const head = ['scenario', 'connections', 'revline rps', 'p50', 'p99', 'baseline rps', 'p50', 'p99', 'ratio', 'goal', 'met?']
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i < 1 ? '---' : '---:')).join('|')}|`]
  for (const r of rows) {
    const met = r.met == null ? 'n/a' : r.met ? 'yes' : '**no**'
    lines.push(
      `| ${[r.scenario, r.connections, r.revline.rps.toFixed(0), `${r.revline.p50} ms`, `${r.revline.p99} ms`, r.baseline.rps.toFixed(0), `${r.baseline.p50} ms`,
        `${r.baseline.p99} ms`, r.ratio.toFixed(2), r.goal == null ? '–' : `≥ ${r.goal}`, met].join(' | ')} |`,
    )
  }
  return lines.join('\n')
}

function cpuTable(rows) {
  const lines = ['| scenario | connections | revline CPU ms/req | baseline CPU ms/req | CPU ratio (baseline/revline) |', '|---|---:|---:|---:|---:|']
  for (const r of rows) {
    if (r.cpuRatio == null) continue
    lines.push(`| ${r.scenario} | ${r.connections} | ${r.revline.cpuMsPerRequest.toFixed(2)} | ${r.baseline.cpuMsPerRequest.toFixed(2)} | ${r.cpuRatio.toFixed(2)} |`)
  }
  return lines.length > 2 ? lines.join('\n') : ''
}

const num = (x) => Math.round(x).toLocaleString('en-US')
const secs = (ms) => (ms == null ? '–' : `${(ms / 1000).toFixed(1)} s`)

function bulkTable(rows) {
  const lines = ['| scenario | what | revline | baseline | ratio | goal | met? |', '|---|---|---:|---:|---:|---:|---:|']
  for (const r of rows) {
    if (r.failed && !r.revline) {
      lines.push(`| ${r.scenario} | failed: ${r.failed.split('\n')[0].slice(0, 120)} | | | | | **no** |`)
      continue
    }
    const side = (s, unit) => (s.rate > 0 ? `${num(s.rate)} ${unit} (${secs(s.durationMs)})` : `– (${s.outcome ?? 'failed'})`)
    const met = r.met == null ? 'n/a' : r.met ? 'yes' : '**no**'
    lines.push(
      `| ${[r.scenario, r.what, r.revlineText ?? side(r.revline, r.unit), r.baselineText ?? side(r.baseline, r.baselineUnit ?? r.unit), r.ratio == null ? '–' : r.ratio.toFixed(2), r.goalLabel, met].join(' | ')} |`,
    )
  }
  return lines.join('\n')
}

function bulkNotes(rows) {
  const out = []
  for (const r of rows) {
    if (!r.revline) continue
    if (r.scenario === 'import') {
      out.push(`  import: CPU per 1,000 rows revline ${r.revline.cpuMsPer1kRows?.toFixed(0) ?? '–'} ms, baseline ${r.baseline.cpuMsPer1kRows?.toFixed(0) ?? '–'} ms (CPU ratio ${r.cpuRatio?.toFixed(2) ?? '–'}); rows/s from each side's durationMs`)
      if (r.revline.memory)
        out.push(`  import memory (revline): ${num(r.revline.rows)} rows: ${describeMemory(r.revline.memory)}; ${num(r.revline.memorySmall.rows)} rows: ${describeMemory(r.revline.memorySmall)}; bounded: ${r.revline.memoryBounded ? 'yes' : 'NO'}`)
    }
    if (r.scenario === 'export')
      out.push(`  export memory (revline): ${num(r.revline.rows)} leads, ${r.revline.mb} MB: ${describeMemory(r.revline.memory)}; ${num(r.revline.small.rows)} contacts, ${r.revline.small.mb} MB: ${describeMemory(r.revline.small.memory)}`)
    if (r.scenario === 'rescore')
      out.push(`  rescore: revline ${num(r.revline.rows)} leads in ~${r.revline.chunks} chunks, ${num(r.revline.changed)} changed (written), ${secs(r.revline.durationMs)} from startedAt to finishedAt; its processes used ${secs(r.revline.cpuMs)} CPU over ${secs(r.revline.wallMs)} (busy ${r.revline.busy == null ? '–' : `${Math.round(r.revline.busy * 100)}%`}); baseline ${num(r.baseline.rows)} rows all written in ${r.baseline.chunks} chunks, ${secs(r.baseline.durationMs)} inside the object`)
    if (r.notes) out.push(r.notes)
    if (r.scenario === 'coldstart')
      out.push(`  coldstart: revline POST /tenants median ${r.revline.provisionMs.median} ms (max ${r.revline.provisionMs.max}), first request ${r.revline.firstRequestMs.median} ms (max ${r.revline.firstRequestMs.max}), warm ${r.revline.warmRequestMs.median} ms; baseline first request ${r.baseline.firstRequestMs.median} ms (max ${r.baseline.firstRequestMs.max}), warm ${r.baseline.warmRequestMs.median} ms`)
  }
  return out.join('\n')
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0)

/** Which Revline was measured: the commit of its checkout and whether src/ or migrations/ had local edits. */
function gitState(dir) {
  try {
    const git = (...args) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    return { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--', 'src', 'migrations', 'wrangler.toml') !== '' }
  } catch {
    return null // not a git checkout
  }
}

/** Writes the run's record to `config.out` (a partial run's goes to bench/results/, made if missing). */
function writeResults(record, note = '') {
  mkdirSync(path.dirname(config.out), { recursive: true })
  writeFileSync(config.out, `${JSON.stringify(record, null, 2)}\n`)
  console.log(`results written to ${path.relative(process.cwd(), config.out)}${note}`)
}

async function main() {
  const started = Date.now()
  const loadBefore = os.loadavg()[0]
  if (loadBefore > 0.5 * os.cpus().length)
    process.stderr.write(`note: load average is ${loadBefore.toFixed(2)} on ${os.cpus().length} cpus before starting; other work on the machine adds noise (A/B alternation spreads it over both sides)\n`)
  const selected = scenarios.filter((s) => (config.only ? config.only.includes(s.name) : !s.optIn) && !config.skip.includes(s.name))
  const deploymentWanted = (config.only ? config.only.includes('deployment') : true) && !config.skip.includes('deployment')
  if (selected.length === 0 && !deploymentWanted) throw new Error(`no scenario left by --only ${config.only} --skip ${config.skip}; have deployment, ${scenarios.map((s) => s.name).join(', ')}`)
  if (config.profile) mkdirSync(config.profile, { recursive: true })

  // First, while no server runs: the dry-run build and the start-up profile (deployment.mjs).
  let deployment = null
  if (deploymentWanted) {
    process.stderr.write('deployment: wrangler deploy --dry-run into a temporary directory, then wrangler check startup…\n')
    deployment = await measureDeployment({ configPath: config.revlineConfig, bin, env: TUNED_ENV, startupRuns: config.startupRuns })
    console.log(deploymentLine(deployment))
  }
  if (selected.length === 0) {
    writeResults({ date: new Date().toISOString(), revlineSource: gitState(path.dirname(config.revlineConfig)), deployment })
    return
  }

  process.stderr.write('copying revline and baseline to .wrangler/bench-snapshots/ (later edits to their sources do not reach this run)…\n')
  const revlineSource = gitState(path.dirname(config.revlineConfig))
  const into = path.join(path.dirname(config.revlineConfig), '.wrangler', 'bench-snapshots')
  const bundles = [snapshot('revline', config.revlineConfig, into), snapshot('baseline', path.join(here, 'baseline', 'wrangler.toml'), into)]
  if (config.unminified) {
    const copy = readFileSync(bundles[0].config, 'utf8')
    if (!/^minify = true$/m.test(copy)) throw new Error(`--unminified: no "minify = true" line in ${config.revlineConfig}`)
    writeFileSync(bundles[0].config, copy.replace(/^minify = true$/m, 'minify = false'))
  }
  process.stderr.write('starting wrangler dev (revline, baseline)…\n')
  let revlineServer
  let baselineServer
  try {
    ;[revlineServer, baselineServer] = await Promise.all([
      startWrangler('revline', bundles[0].config, [`ADMIN_TOKEN:${ADMIN_TOKEN}`]),
      startWrangler('baseline', bundles[1].config, [`TOKEN:${BASELINE_TOKEN}`]),
    ])
    const revline = await revlineTarget(revlineServer)
    const baseline = target('baseline', baselineServer, BASELINE_TOKEN)
    const sides = [revline, baseline]
    const ctx = context(revline, baseline)

    const t0 = Date.now()
    process.stderr.write(`seeding ${config.seed} contacts and ${config.leads} leads on each side (bulk import${config.scale ? ', one side after the other' : ''})…\n`)
    // The large tenant is built one side at a time, so each side's build time is its own (scale.mjs).
    const build = config.scale ? { revline: await seedScale(revline, config, ctx), baseline: await seedScale(baseline, config, ctx) } : null
    if (!build) await Promise.all(sides.map((t) => seed(t, { contacts: config.seed, leads: config.leads }, ctx)))
    const seedSeconds = Math.round((Date.now() - t0) / 100) / 10
    const storage = {
      revlineBytes: databaseBytes(revlineServer.persistTo),
      baselineBytes: databaseBytes(baselineServer.persistTo),
      entities: config.seed + config.leads,
      ...(build && { build, revline: await storageOf(revlineServer.persistTo, config), baseline: await storageOf(baselineServer.persistTo, config) }),
    }
    process.stderr.write(`seeded in ${seedSeconds}s; the tenant's SQLite file: revline ${mb(storage.revlineBytes)} MB, baseline ${mb(storage.baselineBytes)} MB\n`)

    const rows = []
    const bulkRows = []
    const timings = {}
    for (const scenario of selected) {
      const s0 = Date.now()
      const load = os.loadavg()[0]
      ctx.scenario = scenario
      process.stderr.write(`${scenario.name}${scenario.heavy ? ' (heavy)' : ''}: load average ${load.toFixed(2)}\n`)
      if (scenario.run) {
        try {
          bulkRows.push({ scenario: scenario.name, goal: scenario.goal, loadAverage: load, ...(await scenario.run(ctx)) })
        } catch (error) {
          console.error(error)
          bulkRows.push({ scenario: scenario.name, goal: scenario.goal, loadAverage: load, failed: String(error?.message ?? error).slice(0, 2000), met: false })
        }
      } else {
        if (scenario.setup) await scenario.setup(ctx)
        for (const connections of scenario.connections ?? config.connections) rows.push({ ...(await measure(scenario, sides, connections, ctx)), loadAverage: load })
      }
      timings[scenario.name] = Math.round((Date.now() - s0) / 100) / 10
    }

    const markdown = table(rows)
    const bulkMarkdown = bulkTable(bulkRows)
    if (rows.length) {
      console.log(`\n${markdown}\n\nrps, p50, p99: medians over ${config.rounds} rounds of ${config.duration}s per side; ratio: median of the per-round revline/baseline rps ratios.`)
      for (const r of rows)
        console.log(`  ${r.scenario} c=${r.connections}: round ratios ${[...r.roundRatios].sort((a, b) => a - b).map((x) => x.toFixed(2)).join(' ')}; ratio of medians ${r.ratioOfMedians.toFixed(2)}`)
    }
    const cpu = cpuTable(rows)
    if (cpu)
      console.log(`\nCPU time of each server's processes (both workerd + wrangler) per request, median over rounds (steadier from round to round than rps; it still rises when the machine is busy):\n\n${cpu}\n`)
    if (bulkRows.length) console.log(`\nBulk scenarios (one timed run per side):\n\n${bulkMarkdown}\n${bulkNotes(bulkRows)}`)
    if (storage.build) console.log(`\nThe large tenant (--scale ${config.scale}: ${config.leads.toLocaleString('en-US')} leads, ${config.seed.toLocaleString('en-US')} contacts):\n${scaleLines(storage).join('\n')}`)
    if (deployment) console.log(`\n${deploymentLine(deployment)}`)
    const bad = rows.filter((r) => r.revline.bad || r.baseline.bad)
    for (const r of bad)
      console.log(`WARNING: ${r.scenario} c=${r.connections}: ${r.revline.bad} unexpected responses/errors on revline, ${r.baseline.bad} on baseline (see results.json)`)
    for (const r of rows.filter((r) => r.revline.restarts || r.baseline.restarts))
      console.log(`WARNING: ${r.scenario} c=${r.connections}: wrangler restarted workerd during ${r.revline.restarts} revline / ${r.baseline.restarts} baseline round(s) (a source file changed?): those rounds are suspect`)
    for (const r of bulkRows.filter((r) => r.restarted || r.failed))
      console.log(`WARNING: ${r.scenario}: ${r.failed ?? 'wrangler restarted workerd during the run (a source file changed?): the figure is suspect'}`)
    const missed = [...rows.filter((r) => r.met === false).map((r) => `${r.scenario}@${r.connections}`), ...bulkRows.filter((r) => r.met === false).map((r) => r.scenario), ...(deployment?.met === false ? ['deployment'] : [])]
    console.log(missed.length === 0 ? 'all goals met' : `goals missed: ${missed.join(', ')}`)

    const pkg = (name) => JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version
    const results = {
      date: new Date().toISOString(),
      durationSeconds: Math.round((Date.now() - started) / 1000),
      seedSeconds,
      storage,
      scenarioSeconds: timings,
      machine: { loadAverage: { before: loadBefore, after: os.loadavg()[0] }, cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, wrangler: pkg('wrangler'), autocannon: pkg('autocannon') },
      config: { ...config, out: path.relative(root, config.out), revlineConfig: path.relative(root, config.revlineConfig), profile: config.profile && path.relative(root, config.profile) },
      revlineSource,
      deployment,
      rows,
      bulkRows,
      markdown,
      bulkMarkdown,
      cpuMarkdown: cpu,
    }
    writeResults(results, ` (${results.durationSeconds}s; load average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0].toFixed(2)} after)`)
  } finally {
    // A side restarted by a scenario (ctx.restart) is a new server on the same data: stop whichever runs now.
    await Promise.allSettled([...children].map((server) => stopWrangler(server)))
    for (const server of [revlineServer, baselineServer].filter(Boolean)) rmSync(server.persistTo, { recursive: true, force: true })
    for (const b of bundles) rmSync(b.dir, { recursive: true, force: true })
  }
}

main().catch(async (error) => {
  console.error(error)
  await Promise.allSettled([...children].map(stopWrangler))
  process.exit(1)
})
