/**
 * `backup` (bulk scenario, `npm run bench -- --only backup`): the bench tenant as run.mjs seeds it
 * (`--seed` contacts and `--leads` leads, 100,000 by default, through the import path) backed up with
 * `POST /backups`, then restored into a new tenant with `POST /tenants { restoreFrom }`. Times both
 * (wall clock of the one request each), the backup's bytes, events and entities per second of the
 * restore, Revline's memory while it restores (memory.mjs), and checks that the restored tenant
 * verifies with the source's chain head and answers the same pipeline summary. No baseline: the bare
 * object has no backup to compare with.
 */

const secs = (ms) => `${(ms / 1000).toFixed(1)} s`
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`

export async function backupScenario(ctx) {
  const t = ctx.revline
  const call = async (method, path, headers, body, status = 200) => {
    const res = await ctx.request(t.server, method, path, headers, body)
    if (res.status !== status) throw new Error(`revline: ${method} ${path} answered ${res.status} ${JSON.stringify(res.json).slice(0, 600)}\n--- wrangler log (tail) ---\n${t.server.log.slice(-3000)}`)
    return res.json
  }

  ctx.log(`  backup: POST /~${t.slug}/backups…`)
  const b0 = performance.now()
  const backup = await call('POST', `/~${t.slug}/backups`, t.headers, undefined, 201)
  const backupMs = performance.now() - b0
  ctx.log(`  backup: ${backup.events} events, ${mb(backup.bytes)} in ${secs(backupMs)}`)

  const slug = `bench-restored-${Date.now().toString(36)}`
  ctx.log(`  backup: restoring ${backup.id} into ${slug}…`)
  const r0 = performance.now()
  const { result: restored, memory } = await ctx.memory(() =>
    ctx.profile('restore', () => call('POST', '/tenants', ctx.operatorHeaders, { slug, name: 'Bench restored', restoreFrom: { tenant: t.slug, backup: backup.id } }, 201)),
  )
  const restoreMs = performance.now() - r0
  ctx.tenants.push(slug)
  const { events, entities } = restored.restored
  ctx.log(`  backup: restored ${events} events, ${entities} entities in ${secs(restoreMs)}; ${ctx.describeMemory(memory)}`)

  // The restored tenant is the source at the backup's head.
  const headers = { authorization: `Bearer ${restored.apiKey}` }
  const verified = await call('GET', `/~${slug}/events/verify`, headers)
  const tail = await call('GET', `/~${slug}/events?after=${backup.seq - 1}&limit=1`, headers)
  const same = JSON.stringify(await call('GET', `/~${slug}/pipeline/summary`, headers)) === JSON.stringify(await call('GET', `/~${t.slug}/pipeline/summary`, t.headers))
  const faithful = verified.ok && tail.data[0]?.hash === backup.head && same
  if (!faithful) throw new Error(`the restored tenant differs: verify ${JSON.stringify(verified)}, head at seq ${backup.seq} ${tail.data[0]?.hash} (backup ${backup.head}), same summary: ${same}`)

  const rate = (n, ms) => (ms > 0 ? (n * 1000) / ms : 0)
  const revline = {
    rate: rate(events, restoreMs),
    durationMs: restoreMs,
    backup: { ms: backupMs, bytes: backup.bytes, events: backup.events, eventsPerSecond: rate(backup.events, backupMs) },
    restore: { ms: restoreMs, events, entities, eventsPerSecond: rate(events, restoreMs), entitiesPerSecond: rate(entities, restoreMs) },
    memory,
    verified: faithful,
  }
  return {
    unit: 'events/s',
    what: `backup and restore of ${config(ctx)}`,
    revline,
    baseline: null,
    revlineText: `backup ${secs(backupMs)} (${mb(backup.bytes)}, ${Math.round(revline.backup.eventsPerSecond).toLocaleString('en-US')} events/s); restore ${secs(restoreMs)} (${Math.round(revline.restore.eventsPerSecond).toLocaleString('en-US')} events/s, ${Math.round(revline.restore.entitiesPerSecond).toLocaleString('en-US')} entities/s)`,
    baselineText: '– (no backups)',
    ratio: null,
    goalLabel: 'restored tenant verifies, same head and summary',
    met: faithful,
    notes: `  backup: ${backup.events.toLocaleString('en-US')} events, ${mb(backup.bytes)} gzip NDJSON in ${secs(backupMs)}; restore ${events.toLocaleString('en-US')} events + ${entities.toLocaleString('en-US')} entities in ${secs(restoreMs)}; memory while restoring: ${ctx.describeMemory(memory)}`,
  }
}

const config = (ctx) => `${ctx.config.seed.toLocaleString('en-US')} contacts + ${ctx.config.leads.toLocaleString('en-US')} leads (imported)`
