/**
 * The tenant's own schema under load (issue 15), measured inside Revline alone (no baseline has
 * custom fields to compare with):
 *
 * - `custom-list`: 100,000 leads in a tenant of their own, each with a custom indexed field
 *   `rating` (`number#`) holding the same value as its built-in indexed `score` (given on import,
 *   so a manual score). The same list, filtered on one and sorted by it (`?score[$gte]=90&sort=-score
 *   &limit=25` vs `?rating[$gte]=90&sort=-rating&limit=25`: 10,000 matches counted, one page read),
 *   alternates under autocannon; the ratio is custom / built-in rps (goal 0.7).
 * - Then one `PUT /nouns/Lead` adds an indexed field to those 100,000 rows while a probe keeps
 *   asking the same object for one lead: the PUT's time and the longest the probe waited (how long
 *   the object was blocked) are printed.
 */
import { median, rps } from './same-tenant.mjs'

const SOURCES = ['website', 'referral', 'event', 'ads', 'partner', 'outbound']

/** Scores 0.00–99.99 spread over the rows (7919 is prime to 10,000), the same in `score` and `rating`. */
function leadsWithRating(count) {
  const lines = ['name,source,score,rating']
  for (let i = 0; i < count; i++) {
    const score = ((i * 7919) % 10_000) / 100
    lines.push(`Lead ${i},${SOURCES[i % SOURCES.length]},${score},${score}`)
  }
  return `${lines.join('\n')}\n`
}

export async function customListScenario(ctx) {
  const rows = ctx.config.leads
  const slug = `custom-${Date.now().toString(36)}`
  const { revline: t } = await ctx.tenant(slug)
  const put = async (body) => {
    const res = await ctx.request(t.server, 'PUT', `/~${slug}/nouns/Lead`, t.headers, body)
    if (res.status !== 200) throw new Error(`PUT /nouns/Lead answered ${res.status} ${JSON.stringify(res.json)}`)
    return res.json
  }
  await put({ rating: 'number#' })
  ctx.log(`  custom-list: importing ${rows.toLocaleString('en-US')} leads with a custom indexed field…`)
  const imported = await ctx.request(t.server, 'POST', `/~${slug}/leads/import`, { ...t.headers, 'content-type': 'text/csv' }, leadsWithRating(rows))
  if (imported.status !== 200 || imported.json.created !== rows) throw new Error(`import answered ${imported.status} ${JSON.stringify(imported.json).slice(0, 400)}`)

  const builtIn = `/~${slug}/leads?score[$gte]=90&sort=-score&limit=25`
  const custom = `/~${slug}/leads?rating[$gte]=90&sort=-rating&limit=25`
  const connections = 10
  await rps(t, builtIn, connections, ctx.config.warmup || 1)
  await rps(t, custom, connections, ctx.config.warmup || 1)
  const runs = { builtIn: [], custom: [], ratios: [] }
  for (let round = 0; round < ctx.config.rounds; round++) {
    const order = round % 2 === 0 ? ['builtIn', 'custom'] : ['custom', 'builtIn']
    const pair = {}
    for (const side of order) pair[side] = await rps(t, side === 'builtIn' ? builtIn : custom, connections, ctx.config.duration)
    runs.builtIn.push(pair.builtIn)
    runs.custom.push(pair.custom)
    runs.ratios.push(pair.custom.rps / pair.builtIn.rps)
    ctx.log(`  custom-list round ${round + 1}: built-in ${pair.builtIn.rps.toFixed(0)} rps, custom ${pair.custom.rps.toFixed(0)} rps (${(pair.custom.rps / pair.builtIn.rps).toFixed(2)})`)
  }
  const ratio = median(runs.ratios)

  // Adding an indexed field to the 100,000 rows while a probe reads the same object.
  let probing = true
  let longestProbeMs = 0
  let probes = 0
  const probe = (async () => {
    while (probing) {
      const t0 = performance.now()
      await ctx.request(t.server, 'GET', `/~${slug}/leads?limit=1`, t.headers)
      longestProbeMs = Math.max(longestProbeMs, performance.now() - t0)
      probes++
    }
  })()
  await new Promise((r) => setTimeout(r, 200))
  const t0 = performance.now()
  await put({ rating: 'number#', region: 'EMEA | AMER | APAC#' })
  const addFieldMs = performance.now() - t0
  await new Promise((r) => setTimeout(r, 200))
  probing = false
  await probe
  ctx.log(`  custom-list: adding an indexed field to ${rows.toLocaleString('en-US')} leads took ${addFieldMs.toFixed(0)} ms; the longest probe read meanwhile waited ${longestProbeMs.toFixed(0)} ms (${probes} probes)`)

  const builtInRps = median(runs.builtIn.map((r) => r.rps))
  const customRps = median(runs.custom.map((r) => r.rps))
  return {
    unit: 'rps',
    what: `a list filtered on a custom \`#\` field vs the built-in one, ${rows.toLocaleString('en-US')} leads, c=${connections}; add an indexed field`,
    revline: { rate: customRps, p99: median(runs.custom.map((r) => r.p99)), roundRatios: runs.ratios, addFieldMs, longestProbeMs, probes },
    baseline: { rate: builtInRps, p99: median(runs.builtIn.map((r) => r.p99)) },
    revlineText: `custom ${customRps.toFixed(0)} rps; add field ${addFieldMs.toFixed(0)} ms (object blocked ≤ ${longestProbeMs.toFixed(0)} ms)`,
    baselineText: `built-in ${builtInRps.toFixed(0)} rps`,
    ratio,
    goal: 0.7,
    goalLabel: '≥ 0.70',
    met: ratio >= 0.7,
  }
}
