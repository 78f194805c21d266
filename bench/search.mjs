/**
 * Full-text search under load (issue 17), measured inside Revline alone: 100,000 contacts in a
 * tenant of their own (imported), then the same question asked two ways, alternating under
 * autocannon: `GET /search?q=<word>&type=Contact&limit=20` (the FTS5 index) against
 * `GET /contacts?name[$contains]=<word>&limit=20` (a scan of every row with instr()). The word
 * matches 1 in 1,000 names, so both answer a full page's worth of hits or fewer. The ratio is
 * search / scan rps (goal ≥ 20). The write path's cost of keeping the index shows in `create`.
 */
import { median, rps } from './same-tenant.mjs'

/** 100,000 names; every 1,000th has the rare surname the queries look for. */
function contacts(count) {
  const lines = ['name,email,title']
  for (let i = 0; i < count; i++) lines.push(`${i % 1000 === 0 ? 'Quillon' : 'Person'} ${i},p${i}@search.dev,Buyer ${i % 50}`)
  return `${lines.join('\n')}\n`
}

export async function searchScenario(ctx) {
  const rows = ctx.config.leads
  const slug = `search-${Date.now().toString(36)}`
  const { revline: t } = await ctx.tenant(slug)
  ctx.log(`  search: importing ${rows.toLocaleString('en-US')} contacts…`)
  const imported = await ctx.request(t.server, 'POST', `/~${slug}/contacts/import`, { ...t.headers, 'content-type': 'text/csv' }, contacts(rows))
  if (imported.status !== 200 || imported.json.created !== rows) throw new Error(`import answered ${imported.status} ${JSON.stringify(imported.json).slice(0, 400)}`)

  const search = `/~${slug}/search?q=quillon&type=Contact&limit=20`
  const scan = `/~${slug}/contacts?name[$contains]=quillon&limit=20`
  const connections = 10
  await rps(t, search, connections, ctx.config.warmup || 1)
  await rps(t, scan, connections, ctx.config.warmup || 1)
  const runs = { search: [], scan: [], ratios: [] }
  for (let round = 0; round < ctx.config.rounds; round++) {
    const order = round % 2 === 0 ? ['search', 'scan'] : ['scan', 'search']
    const pair = {}
    for (const side of order) pair[side] = await rps(t, side === 'search' ? search : scan, connections, ctx.config.duration)
    runs.search.push(pair.search)
    runs.scan.push(pair.scan)
    runs.ratios.push(pair.search.rps / pair.scan.rps)
    ctx.log(`  search round ${round + 1}: search ${pair.search.rps.toFixed(0)} rps, $contains scan ${pair.scan.rps.toFixed(1)} rps (${(pair.search.rps / pair.scan.rps).toFixed(1)}×)`)
  }
  const ratio = median(runs.ratios)
  const searchRps = median(runs.search.map((r) => r.rps))
  const scanRps = median(runs.scan.map((r) => r.rps))
  return {
    unit: 'rps',
    what: `full-text search vs a $contains scan for the same word, ${rows.toLocaleString('en-US')} contacts, c=${connections}`,
    revline: { rate: searchRps, p99: median(runs.search.map((r) => r.p99)), roundRatios: runs.ratios },
    baseline: { rate: scanRps, p99: median(runs.scan.map((r) => r.p99)) },
    revlineText: `search ${searchRps.toFixed(0)} rps`,
    baselineText: `$contains scan ${scanRps.toFixed(1)} rps`,
    ratio,
    goal: 20,
    goalLabel: '≥ 20×',
    met: ratio >= 20,
  }
}
