/**
 * The bench's data files and the scenarios that are not autocannon runs: seeding the verb scenario's
 * deals, raising the capture limit, and the bulk scenarios (`export`, `rescore`, `import`,
 * `coldstart`), each timed once per side. `ctx` comes from `context()` in run.mjs:
 *
 *   ctx.revline, ctx.baseline   the `bench` targets ({ name, server, slug, headers, ids, leadIds, … })
 *   ctx.config                  the run's options (seed, leads, importRows, rescoreTimeout, coldStarts, deals…)
 *   ctx.request(server, method, path, headers, body)   → { status, json } (body: string or object)
 *   ctx.tenant(slug)            creates the tenant on Revline (operator token) → { revline, baseline } targets
 *   ctx.operator(method, path)  an operator call on Revline (POST /tenants/{slug}/suspend…)
 *   ctx.cpu(server)             a CPU snapshot of a wrangler group; ctx.cpuSince(server, snapshot) → { ms, restarted }
 *   ctx.profile(label, fn)      runs fn, under the V8 profiler of Revline when --profile is on
 *   ctx.memory(fn, options)     runs fn while sampling Revline's memory → { result, memory } (memory.mjs)
 *   ctx.describeMemory(memory)  one line of text for the log
 *   ctx.operatorHeaders         the operator token's headers (POST /tenants…)
 *   ctx.log(message)            progress on stderr
 *   ctx.tenants                 the Revline tenants created so far (slugs); ctx.scenario the running scenario
 */
import { SOURCES, STAGES } from './scenarios.mjs'

// ---------------------------------------------------------------------------------------------
// Data files (the same bytes go to both sides)

/** The deals the verb scenario wins: `Deal {i}`, stage defaults to Prospecting (imported as NDJSON). */
export function dealsNdjson(count) {
  let out = ''
  for (let i = 0; i < count; i++) out += `${JSON.stringify({ name: `Deal ${i}`, value: 1000 + ((i * 37) % 9000) })}\n`
  return out
}

/** The `import` scenario's file: CSV name,email,stage,source,leadScore, distinct emails, stages and sources rotating. */
export function contactsCsv(count) {
  const lines = ['name,email,stage,source,leadScore']
  for (let i = 0; i < count; i++) lines.push(`Import Contact ${i},import-${i}@bench.dev,${STAGES[i % STAGES.length]},${SOURCES[i % SOURCES.length]},${(i * 37) % 100}`)
  return `${lines.join('\n')}\n`
}

/**
 * The bench tenant's leads: CSV name,source,budget,timeline,contact, varied. One lead in six comes
 * from a referral (the rule the rescore scenario changes and the list scenario filters on); budgets
 * 1k–119k; timelines Revline reads as days; each lead points at one of the seeded contacts (the
 * get scenario includes it), `contactIds` being that side's ids.
 */
export const LEAD_SOURCES = ['website', 'referral', 'event', 'partner', 'paid_ads', 'organic_search']
const TIMELINES = ['ASAP', 'within 2 weeks', 'next month', 'Q3 2027', '6 months', '']
export function leadsCsv(count, contactIds, start = 0) {
  const lines = ['name,source,budget,timeline,contact']
  for (let i = start; i < start + count; i++)
    lines.push(`Lead ${i},${LEAD_SOURCES[i % LEAD_SOURCES.length]},${1000 + ((i * 7919) % 119) * 1000},${TIMELINES[Math.floor(i / LEAD_SOURCES.length) % TIMELINES.length]},${contactIds[(i * 13) % contactIds.length]}`)
  return `${lines.join('\n')}\n`
}

// ---------------------------------------------------------------------------------------------
// Imports and exports

/** POSTs a file to `/{collection}/import`; throws unless every row was created. */
export async function importFile(ctx, t, collection, body, contentType, { ids = false } = {}) {
  const res = await ctx.request(t.server, 'POST', `/~${t.slug}/${collection}/import${ids ? '?ids=1' : ''}`, { ...t.headers, 'content-type': contentType }, body)
  const expected = body.split('\n').filter((l) => l.trim()).length - (contentType === 'text/csv' ? 1 : 0)
  if (res.status !== 200 || res.json.created !== expected)
    throw new Error(`${t.name}: importing ${expected} ${collection} into ${t.slug} answered ${res.status} ${JSON.stringify(res.json).slice(0, 600)}\n--- wrangler log (tail) ---\n${t.server.log.slice(-3000)}`)
  return res.json
}

/** The ids of a Revline collection, from its NDJSON export (in creation order), read line by line (a million rows never sit in one string). */
export async function exportIds(ctx, t, collection) {
  const res = await fetch(`${t.server.origin}/~${t.slug}/${collection}/export`, { headers: t.headers })
  if (res.status !== 200) throw new Error(`${t.name}: GET /~${t.slug}/${collection}/export answered ${res.status} ${(await res.text()).slice(0, 300)}`)
  const ids = []
  let rest = ''
  const decoder = new TextDecoder()
  const take = (line) => line.trim() && ids.push(JSON.parse(line).$id)
  for await (const chunk of res.body) {
    const lines = (rest + decoder.decode(chunk, { stream: true })).split('\n')
    rest = lines.pop()
    lines.forEach(take)
  }
  take(rest + decoder.decode())
  return ids
}

/** Imports the same rows on both sides; Revline's ids come back from its export, the baseline's from `?ids=1`. */
export async function seedByImport(ctx, collection, ndjson) {
  const [revlineIds, baselineIds] = await Promise.all([
    importFile(ctx, ctx.revline, collection, ndjson, 'application/x-ndjson').then(() => exportIds(ctx, ctx.revline, collection)),
    importFile(ctx, ctx.baseline, collection, ndjson, 'application/x-ndjson', { ids: true }).then((r) => r.ids),
  ])
  return { revline: revlineIds, baseline: baselineIds }
}

// ---------------------------------------------------------------------------------------------
// Setups of autocannon scenarios

/**
 * The verb scenario wins each deal once: seed enough open deals for every run at the fastest rate
 * we expect (`--deals`, default 500 rps × the measured and warm-up seconds × connection counts).
 */
export async function seedDeals(ctx, { count, key = 'deals' } = {}) {
  const { config } = ctx
  count ??= config.deals || Math.ceil(500 * (config.warmup + config.rounds * config.duration)) * config.connections.length
  const t0 = Date.now()
  const ids = await seedByImport(ctx, 'deals', dealsNdjson(count))
  for (const t of [ctx.revline, ctx.baseline]) {
    // The export lists every deal: keep the ones this import created (the last `count`).
    t[key] = ids[t.name].slice(-count)
    if (key === 'deals') t.dealCursor = 0
    else Object.assign(t, { advanceCursor: 0, advanceStages: [] })
  }
  ctx.log(`seeded ${count} open deals on each side in ${((Date.now() - t0) / 1000).toFixed(1)}s`)
}

/** Public capture: Revline allows 20 a minute per client IP by default; the scenario needs more. */
export async function raiseCaptureLimit(ctx, perMinute) {
  const t = ctx.revline
  const res = await ctx.request(t.server, 'PUT', `/~${t.slug}/settings/capture`, t.headers, { rateLimitPerMinute: perMinute })
  if (res.status !== 200) throw new Error(`revline: PUT /settings/capture answered ${res.status} ${JSON.stringify(res.json)}`)
}

// ---------------------------------------------------------------------------------------------
// Bulk scenarios

const rate = (rows, ms) => (ms > 0 ? (rows * 1000) / ms : 0)

/**
 * `import`: one POST /contacts/import of `importRows` CSV rows into a fresh tenant on each side
 * (Revline first, then the baseline; one run each). Rows/s = rows ÷ the durationMs each answers
 * (measured in its Worker from the first body chunk to the last batch). The goal is absolute:
 * Revline ≥ 10,000 rows/s. Both sides' CPU per 1,000 rows comes from /proc.
 *
 * Memory: Revline's heap and rss are sampled during its import (memory.mjs), and, to show that they
 * do not grow with the file, first during an import of a tenth of the rows into another fresh tenant.
 */
/**
 * `lead-import` (opt-in): one POST /leads/import of `importRows` CSV rows (leadsCsv: name, source,
 * budget, timeline, contact) into a fresh tenant on each side, after 100 contacts for the leads to
 * point at. Revline runs the lead's create verb per row (scoring, LeadScore row, counters, events);
 * the baseline inserts row + event. Rows/s from each side's durationMs, as for `import`; no memory
 * sampling. The goal is absolute: Revline ≥ 10,000 rows/s.
 */
export async function leadImportScenario(ctx) {
  const { config } = ctx
  const rows = config.importRows
  const tenant = await ctx.tenant('bench-lead-import')
  const sides = {}
  for (const t of [tenant.revline, tenant.baseline]) {
    let ndjson = ''
    for (let i = 0; i < 100; i++) ndjson += `${JSON.stringify({ name: `Lead Contact ${i}`, email: `lead-contact-${i}@bench.dev` })}\n`
    const contactIds =
      t.name === 'baseline'
        ? (await importFile(ctx, t, 'contacts', ndjson, 'application/x-ndjson', { ids: true })).ids
        : (await importFile(ctx, t, 'contacts', ndjson, 'application/x-ndjson'), await exportIds(ctx, t, 'contacts'))
    const csv = leadsCsv(rows, contactIds)
    ctx.log(`  lead-import: ${t.name} ← ${rows} CSV rows (${(csv.length / 1024 / 1024).toFixed(1)} MB)…`)
    const cpu = ctx.cpu(t.server)
    const report = await ctx.profile(t.name === 'revline' ? 'lead-import' : null, () => importFile(ctx, t, 'leads', csv, 'text/csv'))
    const used = ctx.cpuSince(t.server, cpu)
    sides[t.name] = importedSide(report, used)
    ctx.log(`  lead-import: ${t.name} ${sides[t.name].rate.toFixed(0)} rows/s (${report.durationMs} ms, CPU ${used.ms == null ? '–' : (used.ms / 1000).toFixed(1)} s)`)
  }
  return {
    unit: 'rows/s',
    what: `${rows.toLocaleString('en-US')} leads, CSV, one request`,
    revline: sides.revline,
    baseline: sides.baseline,
    ratio: sides.baseline.rate > 0 ? sides.revline.rate / sides.baseline.rate : 0,
    cpuRatio: sides.revline.cpuMsPer1kRows && sides.baseline.cpuMsPer1kRows ? sides.baseline.cpuMsPer1kRows / sides.revline.cpuMsPer1kRows : null,
    goalLabel: `revline ≥ ${ctx.scenario.goal.toLocaleString('en-US')} rows/s`,
    met: sides.revline.rate >= ctx.scenario.goal,
    restarted: sides.revline.restarted || sides.baseline.restarted,
  }
}

/** One side of an import scenario: rows/s from the import's own duration, and the CPU its processes used. */
function importedSide(report, used) {
  return {
    rate: rate(report.rows, report.durationMs),
    rows: report.rows,
    created: report.created,
    durationMs: report.durationMs,
    cpuMs: used.ms,
    cpuMsPer1kRows: used.ms == null ? null : (used.ms * 1000) / report.rows,
    restarted: used.restarted,
  }
}

export async function importScenario(ctx) {
  const { config } = ctx
  const rows = config.importRows
  const small = Math.max(1, Math.round(rows / 10))
  const smallTenant = await ctx.tenant('bench-import-small')
  const smallRun = await ctx.memory(() => importFile(ctx, smallTenant.revline, 'contacts', contactsCsv(small), 'text/csv'))
  ctx.log(`  import: memory while revline imports ${small} rows: ${ctx.describeMemory(smallRun.memory)}`)

  const tenant = await ctx.tenant('bench-import')
  const csv = contactsCsv(rows)
  const sides = {}
  for (const t of [tenant.revline, tenant.baseline]) {
    ctx.log(`  import: ${t.name} ← ${rows} CSV rows (${(csv.length / 1024 / 1024).toFixed(1)} MB)…`)
    const cpu = ctx.cpu(t.server)
    const t0 = Date.now()
    const run = () => ctx.profile(t.name === 'revline' ? 'import' : null, () => importFile(ctx, t, 'contacts', csv, 'text/csv'))
    const { result: report, memory } = t.name === 'revline' ? await ctx.memory(run) : { result: await run(), memory: null }
    const wallMs = Date.now() - t0
    const used = ctx.cpuSince(t.server, cpu)
    sides[t.name] = {
      ...importedSide(report, used),
      rejected: report.rejected,
      wallMs,
      ...(memory ? { memory, memorySmall: { rows: small, ...smallRun.memory }, memoryBounded: boundedMemory(memory, smallRun.memory) } : {}),
    }
    ctx.log(`  import: ${t.name} ${sides[t.name].rate.toFixed(0)} rows/s (${report.durationMs} ms, CPU ${used.ms == null ? '–' : (used.ms / 1000).toFixed(1)} s)${memory ? `; ${ctx.describeMemory(memory)}` : ''}${used.restarted ? '  RELOADED (workerd restarted)' : ''}`)
  }
  const ratio = sides.baseline.rate > 0 ? sides.revline.rate / sides.baseline.rate : 0
  return {
    unit: 'rows/s',
    what: `${rows.toLocaleString('en-US')} contacts, CSV, one request`,
    revline: sides.revline,
    baseline: sides.baseline,
    ratio,
    cpuRatio: sides.revline.cpuMsPer1kRows && sides.baseline.cpuMsPer1kRows ? sides.baseline.cpuMsPer1kRows / sides.revline.cpuMsPer1kRows : null,
    goalLabel: `revline ≥ ${ctx.scenario.goal.toLocaleString('en-US')} rows/s`,
    met: sides.revline.rate >= ctx.scenario.goal,
    restarted: sides.revline.restarted || sides.baseline.restarted,
  }
}

/**
 * Memory is bounded when the heap's growth during the run, garbage included (the worst case V8 let
 * it reach), does not follow the size of the data: at 10× the rows it stays under 3× the growth at
 * 1× (memory held per row would make it ~10×), with a floor of `MEMORY_FLOOR_MB` for the small run
 * (V8 collects its young generation every few MB, so small growths are mostly timing), and the
 * peak stays under Cloudflare's 128 MB per isolate.
 */
const MEMORY_FLOOR_MB = 8
const BOUNDED_LABEL = `heap growth at 10× the rows < 3 × growth at 1× (≥ ${MEMORY_FLOOR_MB} MB); peak < 128 MB`
const signedMb = (x) => (x == null ? '–' : `${x >= 0 ? '+' : ''}${x} MB`)
function boundedMemory(large, small) {
  if (large?.heapGrowth == null || small?.heapGrowth == null) return false
  return large.heapGrowth < 3 * Math.max(small.heapGrowth, MEMORY_FLOOR_MB) && large.heapPeak < 128
}

/**
 * `export`: Revline's streamed NDJSON export of the bench tenant's leads (`--leads`, 100,000) and,
 * for scale, of its contacts (`--seed`, a tenth as many), read to the end with the memory sampled
 * (memory.mjs). The export pulls 1,000-row pages from the object by keyset as the client reads, so
 * the peak should not grow with the rows. The bare baseline has no export: the row is Revline's
 * alone (rows/s, MB, memory); the memory goal is that the heap stays bounded, well under
 * Cloudflare's 128 MB per isolate, and does not scale with the export.
 */
export async function exportScenario(ctx) {
  const t = ctx.revline
  const exportAll = async (collection) => {
    const t0 = performance.now()
    const res = await fetch(`${t.server.origin}/~${t.slug}/${collection}/export`, { headers: t.headers })
    if (res.status !== 200) throw new Error(`revline: GET /${collection}/export answered ${res.status} ${(await res.text()).slice(0, 300)}`)
    // Count rows as they stream in, without holding the body: the client must not be the bottleneck.
    let rows = 0
    let bytes = 0
    for await (const chunk of res.body) {
      bytes += chunk.length
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) rows++
    }
    return { rows, bytes, durationMs: performance.now() - t0 }
  }
  const sides = {}
  for (const collection of ['contacts', 'leads']) {
    const { result, memory } = await ctx.memory(() => ctx.profile(collection === 'leads' ? 'export' : null, () => exportAll(collection)))
    sides[collection] = { ...result, rate: rate(result.rows, result.durationMs), mb: Math.round((result.bytes / 1024 / 1024) * 10) / 10, memory }
    ctx.log(`  export: ${collection} ${result.rows} rows, ${sides[collection].mb} MB in ${(result.durationMs / 1000).toFixed(1)} s (${sides[collection].rate.toFixed(0)} rows/s); ${ctx.describeMemory(memory)}`)
  }
  const memory = sides.leads.memory
  const bounded = boundedMemory(memory, sides.contacts.memory)
  return {
    unit: 'rows/s',
    what: `NDJSON export of ${sides.leads.rows.toLocaleString('en-US')} leads (${sides.leads.mb} MB)`,
    revline: { ...sides.leads, small: sides.contacts },
    baseline: null,
    revlineText: `${Math.round(sides.leads.rate).toLocaleString('en-US')} rows/s (${(sides.leads.durationMs / 1000).toFixed(1)} s); heap ${signedMb(memory.heapGrowth)} to a ${memory.heapPeak ?? '–'} MB peak (${sides.contacts.rows.toLocaleString('en-US')} contacts: ${signedMb(sides.contacts.memory.heapGrowth)})`,
    baselineText: '– (no export)',
    ratio: null,
    goalLabel: BOUNDED_LABEL,
    met: bounded,
  }
}

const RESCORE_CRON = '0+3+*+*+*'

/**
 * `rescore`: Revline's nightly leadScoreRefresh over the bench tenant's open leads (`--leads`,
 * seeded by import) after a ruleset change, against the baseline object's raw UPDATE loop over the
 * same number of rows.
 *
 * Revline: change the referral rule's points (GET /settings/scoring, PUT its `data` with the rule
 * changed) so one lead in six gets a new score, suspend the other bench tenants so the cron fans out
 * to this one alone, trigger the cron (GET /cdn-cgi/handler/scheduled?cron=0+3+*+*+*) and poll
 * GET /jobs until the leadScoreRefresh run is `ok`: leads/s = items ÷ (finishedAt − startedAt). The
 * CPU its wrangler group used over that window, ÷ the window, says how much of it was work and how
 * much waiting (queue hops between chunks).
 * Baseline: POST /leads/rescore-loop: SELECT the open leads in chunks of 2,000 in id order and
 * UPDATE leads SET score = ? WHERE id = ? for each (every row is written), one transaction per
 * chunk, timed inside the object.
 */
export async function rescoreScenario(ctx) {
  const { config, revline, baseline } = ctx
  const count = config.leads

  // Change the ruleset: the referral rule's points, so every referral lead's score moves.
  const current = await ctx.request(revline.server, 'GET', `/~${revline.slug}/settings/scoring`, revline.headers)
  const rule = current.json?.data?.rules?.find((r) => r.id === 'referral-source')
  if (current.status !== 200 || !rule) throw new Error(`revline: GET /settings/scoring answered ${current.status} without a referral-source rule: ${JSON.stringify(current.json).slice(0, 300)}`)
  const ruleset = { ...current.json.data, rules: current.json.data.rules.map((r) => (r.id === 'referral-source' ? { ...r, points: r.points === 30 ? 25 : 30 } : r)) }
  const put = await ctx.request(revline.server, 'PUT', `/~${revline.slug}/settings/scoring`, revline.headers, ruleset)
  if (put.status !== 200) throw new Error(`revline: PUT /settings/scoring answered ${put.status} ${JSON.stringify(put.json).slice(0, 300)}`)

  // The cron fans out to every active tenant: leave only this one active while it runs.
  const others = ctx.tenants.filter((slug) => slug !== revline.slug)
  for (const slug of others) await ctx.operator('POST', `/tenants/${slug}/suspend`)
  let run
  const cpu = ctx.cpu(revline.server)
  const triggered = Date.now()
  try {
    run = await ctx.profile('rescore', async () => {
      const res = await fetch(`${revline.server.origin}/cdn-cgi/handler/scheduled?cron=${RESCORE_CRON}`)
      await res.text()
      if (res.status !== 200) throw new Error(`revline: the scheduled handler answered ${res.status}`)
      const deadline = Date.now() + config.rescoreTimeout * 1000
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 500))
        const jobs = await ctx.request(revline.server, 'GET', `/~${revline.slug}/jobs`, revline.headers)
        const found = jobs.json?.data?.find((r) => r.type === 'leadScoreRefresh')
        if (found && found.outcome !== 'running') return found
        const used = ctx.cpuSince(revline.server, cpu)
        if (used.restarted) return { ...found, outcome: 'lost', detail: 'workerd restarted during the run (a source file changed?): queued chunks are lost' }
        if (Date.now() > deadline) return { ...found, outcome: 'timeout', detail: `not finished after ${config.rescoreTimeout}s (--rescore-timeout)` }
      }
    })
  } finally {
    for (const slug of others) await ctx.operator('POST', `/tenants/${slug}/reactivate`)
  }
  const windowMs = run.startedAt && run.finishedAt ? Date.parse(run.finishedAt) - Date.parse(run.startedAt) : null
  const used = ctx.cpuSince(revline.server, cpu)
  const wallMs = Date.now() - triggered
  const revlineSide = {
    rate: run.outcome === 'ok' && windowMs ? rate(run.items, windowMs) : 0,
    rows: run.items ?? 0,
    changed: run.changed ?? 0,
    outcome: run.outcome,
    detail: run.detail ?? null,
    durationMs: windowMs,
    wallMs,
    cpuMs: used.ms,
    busy: used.ms != null && wallMs > 0 ? used.ms / wallMs : null,
    chunks: Math.ceil((run.items ?? 0) / 2000) + ((run.items ?? 0) % 2000 === 0 ? 1 : 0),
    restarted: used.restarted,
  }
  ctx.log(`  rescore: revline ${run.outcome} ${revlineSide.rate.toFixed(0)} leads/s (${run.items} leads, ${run.changed} changed, ${windowMs} ms; CPU ${used.ms == null ? '–' : (used.ms / 1000).toFixed(1)} s over ${(wallMs / 1000).toFixed(1)} s)`)

  const bcpu = ctx.cpu(baseline.server)
  const loop = await ctx.request(baseline.server, 'POST', `/~${baseline.slug}/leads/rescore-loop?chunk=2000`, baseline.headers)
  if (loop.status !== 200 || loop.json.rows !== count) throw new Error(`baseline: rescore-loop answered ${loop.status} ${JSON.stringify(loop.json)} (expected ${count} rows)`)
  const bused = ctx.cpuSince(baseline.server, bcpu)
  const baselineSide = { rate: rate(loop.json.rows, loop.json.durationMs), rows: loop.json.rows, changed: loop.json.rows, chunks: loop.json.chunks, durationMs: Math.round(loop.json.durationMs), callMs: loop.json.callMs, cpuMs: bused.ms, restarted: bused.restarted }
  ctx.log(`  rescore: baseline ${baselineSide.rate.toFixed(0)} rows/s (${loop.json.rows} rows, ${baselineSide.durationMs} ms in the object)`)
  const ratio = baselineSide.rate > 0 ? revlineSide.rate / baselineSide.rate : 0
  return {
    unit: 'leads/s',
    baselineUnit: 'rows/s',
    what: `${count.toLocaleString('en-US')} open leads, referral rule changed`,
    revline: revlineSide,
    baseline: baselineSide,
    ratio,
    goalLabel: `≥ ${ctx.scenario.goal}`,
    met: run.outcome === 'ok' && ratio >= ctx.scenario.goal,
    restarted: revlineSide.restarted || baselineSide.restarted,
    failed: run.outcome !== 'ok' ? `${run.outcome}: ${run.detail}` : null,
  }
}

/**
 * `coldstart`: how long a brand-new tenant takes to answer its first request, `--cold-starts`
 * times, alternating which side goes first.
 *
 * Revline: `POST /tenants` (the operator call that provisions a tenant: registry row, then the
 * tenant's object is created, makes its schema from one script and stores the first admin
 * key), then the first `GET /~{slug}/leads?limit=1` with that key, then a second one (warm).
 * Baseline: the first `GET /~{slug}/leads?limit=1` to a fresh object (its constructor creates the
 * four tables), then a second one. Reported: medians and the slowest. The ratio compares the
 * time-to-first-answer: baseline first request ÷ (Revline's provisioning + first request).
 * Locally every object of a class shares one warm isolate: this measures creating the object and
 * its schema, not loading the script into a cold isolate (which `wrangler dev` never does).
 */
export async function coldStartScenario(ctx) {
  const n = ctx.config.coldStarts
  const stamp = Date.now().toString(36)
  const timed = async (fn) => {
    const t0 = performance.now()
    const res = await fn()
    return { ms: performance.now() - t0, res }
  }
  /** A new Revline tenant, then its first and a warm request: the three timings. */
  const newRevlineTenant = async (slug, name) => {
    const created = await timed(() => ctx.request(ctx.revline.server, 'POST', '/tenants', ctx.operatorHeaders, { slug, name }))
    if (created.res.status !== 201) throw new Error(`revline: POST /tenants answered ${created.res.status} ${JSON.stringify(created.res.json)}`)
    const headers = { authorization: `Bearer ${created.res.json.apiKey}` }
    const first = await timed(() => ctx.request(ctx.revline.server, 'GET', `/~${slug}/leads?limit=1`, headers))
    const warm = await timed(() => ctx.request(ctx.revline.server, 'GET', `/~${slug}/leads?limit=1`, headers))
    if (first.res.status !== 200 || warm.res.status !== 200) throw new Error(`revline: GET /~${slug}/leads answered ${first.res.status}, ${warm.res.status}`)
    return { provision: created.ms, first: first.ms, warm: warm.ms }
  }
  const samples = { provision: [], first: [], warm: [], baselineFirst: [], baselineWarm: [] }
  for (let i = 0; i < n; i++) {
    const slug = `cold-${stamp}-${i}`
    const revline = async () => {
      const { provision, first, warm } = await newRevlineTenant(slug, `Cold ${i}`)
      samples.provision.push(provision)
      samples.first.push(first)
      samples.warm.push(warm)
    }
    const baseline = async () => {
      const headers = ctx.baseline.headers
      const first = await timed(() => ctx.request(ctx.baseline.server, 'GET', `/~${slug}/leads?limit=1`, headers))
      const warm = await timed(() => ctx.request(ctx.baseline.server, 'GET', `/~${slug}/leads?limit=1`, headers))
      if (first.res.status !== 200 || warm.res.status !== 200) throw new Error(`baseline: GET /~${slug}/leads answered ${first.res.status}, ${warm.res.status}`)
      samples.baselineFirst.push(first.ms)
      samples.baselineWarm.push(warm.ms)
    }
    if (i % 2 === 0) await revline(), await baseline()
    else await baseline(), await revline()
  }
  // With --profile: as many more new tenants under Revline's profiler, unmeasured (the sampling costs).
  if (ctx.config.profile)
    await ctx.profile('coldstart', async () => {
      for (let i = 0; i < n; i++) await newRevlineTenant(`cold-${stamp}-p${i}`, `Cold profiled ${i}`)
    })
  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b)
    const m = Math.floor(s.length / 2)
    return { median: Math.round((s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2) * 10) / 10, max: Math.round(s.at(-1) * 10) / 10 }
  }
  const toFirstAnswer = samples.provision.map((p, i) => p + samples.first[i])
  const revlineSide = { samples: n, provisionMs: stats(samples.provision), firstRequestMs: stats(samples.first), warmRequestMs: stats(samples.warm), toFirstAnswerMs: stats(toFirstAnswer) }
  const baselineSide = { samples: n, firstRequestMs: stats(samples.baselineFirst), warmRequestMs: stats(samples.baselineWarm) }
  ctx.log(`  coldstart: revline provision ${revlineSide.provisionMs.median} ms + first request ${revlineSide.firstRequestMs.median} ms (warm ${revlineSide.warmRequestMs.median} ms); baseline first request ${baselineSide.firstRequestMs.median} ms (warm ${baselineSide.warmRequestMs.median} ms)`)
  return {
    unit: 'ms',
    what: `a new tenant's first answer, median of ${n} (max)`,
    revline: revlineSide,
    baseline: baselineSide,
    revlineText: `${revlineSide.toFirstAnswerMs.median} ms (${revlineSide.toFirstAnswerMs.max}): provision ${revlineSide.provisionMs.median} + first ${revlineSide.firstRequestMs.median}; warm ${revlineSide.warmRequestMs.median}`,
    baselineText: `${baselineSide.firstRequestMs.median} ms (${baselineSide.firstRequestMs.max}); warm ${baselineSide.warmRequestMs.median}`,
    ratio: baselineSide.firstRequestMs.median / revlineSide.toFirstAnswerMs.median,
    goalLabel: '–',
    met: null,
  }
}
