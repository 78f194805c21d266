/**
 * The bench's data files and the scenarios that are not autocannon runs: seeding the verb scenario's
 * deals, raising the capture limit, and the two bulk scenarios (`import`, `rescore`), each timed once
 * per side. `ctx` comes from `context()` in run.mjs:
 *
 *   ctx.revline, ctx.baseline   the `bench` targets ({ name, server, slug, headers, … })
 *   ctx.config                  the run's options (importRows, rescoreLeads, rescoreTimeout, deals…)
 *   ctx.request(server, method, path, headers, body)   → { status, json } (body: string or object)
 *   ctx.tenant(slug)            creates the tenant on Revline (operator token) → { revline, baseline } targets
 *   ctx.operator(method, path)  an operator call on Revline (POST /tenants/{slug}/suspend…)
 *   ctx.cpu(server)             a CPU snapshot of a wrangler group; ctx.cpuSince(server, snapshot) → { ms, restarted }
 *   ctx.profile(label, fn)      runs fn, under the V8 profiler of Revline when --profile is on
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
 * The `rescore` scenario's leads: CSV name,source,budget,timeline, varied. One lead in six comes from
 * a referral (the rule the scenario changes); budgets 1k–119k; timelines Revline reads as days.
 */
export const LEAD_SOURCES = ['website', 'referral', 'event', 'partner', 'paid_ads', 'organic_search']
const TIMELINES = ['ASAP', 'within 2 weeks', 'next month', 'Q3 2027', '6 months', '']
export function leadsCsv(count) {
  const lines = ['name,source,budget,timeline']
  for (let i = 0; i < count; i++)
    lines.push(`Lead ${i},${LEAD_SOURCES[i % LEAD_SOURCES.length]},${1000 + ((i * 7919) % 119) * 1000},${TIMELINES[Math.floor(i / LEAD_SOURCES.length) % TIMELINES.length]}`)
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

/** The ids of a Revline collection, from its NDJSON export (in creation order). */
export async function exportIds(ctx, t, collection) {
  const res = await fetch(`${t.server.origin}/~${t.slug}/${collection}/export`, { headers: t.headers })
  const text = await res.text()
  if (res.status !== 200) throw new Error(`${t.name}: GET /~${t.slug}/${collection}/export answered ${res.status} ${text.slice(0, 300)}`)
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line).$id)
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
 */
export async function importScenario(ctx) {
  const { config } = ctx
  const rows = config.importRows
  const tenant = await ctx.tenant('bench-import')
  const csv = contactsCsv(rows)
  const sides = {}
  for (const t of [tenant.revline, tenant.baseline]) {
    ctx.log(`  import: ${t.name} ← ${rows} CSV rows (${(csv.length / 1024 / 1024).toFixed(1)} MB)…`)
    const cpu = ctx.cpu(t.server)
    const t0 = Date.now()
    const report = await ctx.profile(t.name === 'revline' ? 'import' : null, () => importFile(ctx, t, 'contacts', csv, 'text/csv'))
    const wallMs = Date.now() - t0
    const used = ctx.cpuSince(t.server, cpu)
    sides[t.name] = {
      rate: rate(report.rows, report.durationMs),
      rows: report.rows,
      created: report.created,
      rejected: report.rejected,
      durationMs: report.durationMs,
      wallMs,
      cpuMs: used.ms,
      cpuMsPer1kRows: used.ms == null ? null : (used.ms * 1000) / report.rows,
      restarted: used.restarted,
    }
    ctx.log(`  import: ${t.name} ${sides[t.name].rate.toFixed(0)} rows/s (${report.durationMs} ms, CPU ${used.ms == null ? '–' : (used.ms / 1000).toFixed(1)} s)${used.restarted ? '  RELOADED (workerd restarted)' : ''}`)
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

const RESCORE_CRON = '0+3+*+*+*'

/**
 * `rescore`: Revline's nightly leadScoreRefresh over `rescoreLeads` open leads after a ruleset
 * change, against the baseline object's raw UPDATE loop over the same number of rows.
 *
 * Revline: import the leads (CSV; both sides import at once, this is setup), change the referral
 * rule's points (GET /settings/scoring, PUT its `data` with the rule changed) so one lead in six
 * gets a new score, suspend the other bench tenants so the cron fans out to this one alone, trigger
 * the cron (GET /cdn-cgi/handler/scheduled?cron=0+3+*+*+*) and poll GET /jobs until the
 * leadScoreRefresh run is `ok`: leads/s = items ÷ (finishedAt − startedAt). The CPU its wrangler
 * group used over that window, ÷ the window, says how much of it was work and how much waiting
 * (queue hops between chunks).
 * Baseline: POST /leads/rescore-loop: SELECT the open leads in chunks of 2,000 in id order and
 * UPDATE leads SET score = ? WHERE id = ? for each (every row is written), one transaction per
 * chunk, timed inside the object.
 */
export async function rescoreScenario(ctx) {
  const { config } = ctx
  const count = config.rescoreLeads
  const tenant = await ctx.tenant('bench-rescore')
  const { revline, baseline } = tenant
  const csv = leadsCsv(count)
  ctx.log(`  rescore: importing ${count} leads on both sides (setup)…`)
  const t0 = Date.now()
  const [revlineImport] = await Promise.all([importFile(ctx, revline, 'leads', csv, 'text/csv'), importFile(ctx, baseline, 'leads', csv, 'text/csv')])
  ctx.log(`  rescore: imported in ${((Date.now() - t0) / 1000).toFixed(1)}s (revline ${revlineImport.durationMs} ms, both sides at once)`)

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
    importDurationMs: revlineImport.durationMs,
    restarted: used.restarted,
  }
  ctx.log(`  rescore: revline ${run.outcome} ${revlineSide.rate.toFixed(0)} leads/s (${run.items} leads, ${run.changed} changed, ${windowMs} ms; CPU ${used.ms == null ? '–' : (used.ms / 1000).toFixed(1)} s over ${(wallMs / 1000).toFixed(1)} s)`)

  const bcpu = ctx.cpu(baseline.server)
  const loop = await ctx.request(baseline.server, 'POST', `/~${baseline.slug}/leads/rescore-loop?chunk=2000`, baseline.headers)
  if (loop.status !== 200 || loop.json.rows !== count) throw new Error(`baseline: rescore-loop answered ${loop.status} ${JSON.stringify(loop.json)}`)
  const bused = ctx.cpuSince(baseline.server, bcpu)
  const baselineSide = { rate: rate(loop.json.rows, loop.json.durationMs), rows: loop.json.rows, changed: loop.json.rows, chunks: loop.json.chunks, durationMs: Math.round(loop.json.durationMs), callMs: loop.json.callMs, cpuMs: bused.ms, restarted: bused.restarted }
  ctx.log(`  rescore: baseline ${baselineSide.rate.toFixed(0)} rows/s (${loop.json.rows} rows, ${baselineSide.durationMs} ms in the object)`)
  const ratio = baselineSide.rate > 0 ? revlineSide.rate / baselineSide.rate : 0

  // Issue 6: the pipeline summary at this size, from counters, against a GROUP BY over the same rows.
  const timeIt = async (server, path, headers) => {
    const times = []
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now()
      const res = await ctx.request(server, 'GET', path, headers)
      if (res.status !== 200) throw new Error(`summary ${path} answered ${res.status}`)
      times.push(performance.now() - t0)
    }
    times.sort((a, b) => a - b)
    return times[Math.floor(times.length / 2)]
  }
  // Throughput at 10 concurrent callers for 5 s: a GROUP BY holds the object, counters do not.
  const throughput = async (server, path, headers) => {
    let done = 0
    const until = Date.now() + 5000
    await Promise.all(Array.from({ length: 10 }, async () => {
      while (Date.now() < until) {
        const res = await ctx.request(server, 'GET', path, headers)
        if (res.status !== 200) throw new Error(`summary ${path} answered ${res.status}`)
        done++
      }
    }))
    return done / 5
  }
  const summaryRevline = await timeIt(revline.server, `/~${revline.slug}/pipeline/summary`, revline.headers)
  const summaryBaseline = await timeIt(baseline.server, `/~${baseline.slug}/leads/summary`, baseline.headers)
  const rpsRevline = await throughput(revline.server, `/~${revline.slug}/pipeline/summary`, revline.headers)
  const rpsBaseline = await throughput(baseline.server, `/~${baseline.slug}/leads/summary`, baseline.headers)
  const summary = { leads: count, revlineMedianMs: summaryRevline, baselineMedianMs: summaryBaseline, latencySpeedup: summaryBaseline / summaryRevline, revlineRps: rpsRevline, baselineRps: rpsBaseline, throughputSpeedup: rpsRevline / rpsBaseline, goal: '≥ 10× faster' }
  ctx.log(`  summary at ${count} leads: c=1 median revline ${summaryRevline.toFixed(1)} ms vs GROUP BY ${summaryBaseline.toFixed(1)} ms (${summary.latencySpeedup.toFixed(1)}×); c=10 revline ${rpsRevline.toFixed(0)} rps vs GROUP BY ${rpsBaseline.toFixed(0)} rps (${summary.throughputSpeedup.toFixed(1)}×) (goal ≥ 10×)`)
  return {
    summary,
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
