#!/usr/bin/env node
/**
 * `npm run soak`: 60 s of mixed load at 50 connections through `wrangler dev` (tuned flags), then
 * the proof that nothing was lost: acknowledged writes == events == rows.
 *
 * Mix: 35% filtered list, 20% get, 25% create contact, 15% public capture (urlencoded), 5% verb (qualify).
 * Intended errors (a qualify of an already-qualified contact → 409) are counted apart from real ones.
 * Options: --seconds 60 --connections 50.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, connections: { type: 'string', default: '50' } } })
const SECONDS = Number(values.seconds)
const CONNECTIONS = Number(values.connections)
const TOKEN = 'soak-token'

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })

async function startWrangler() {
  const port = await freePort()
  const state = mkdtempSync(path.join(os.tmpdir(), 'revline-soak-'))
  const child = spawn(path.join(root, 'node_modules/.bin/wrangler'), ['dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', state, '--var', `ADMIN_TOKEN:${TOKEN}`, '--log-level', 'warn'], {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', X_LOCAL_OBSERVABILITY: 'false', X_LOCAL_EXPLORER: 'false', CI: '1' },
    detached: true,
    stdio: 'ignore',
  })
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGINT')
    } catch {}
    setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {}
      rmSync(state, { recursive: true, force: true })
    }, 500).unref()
  }
  process.on('exit', stop)
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(base)).ok) return { base, stop }
    } catch {}
    await new Promise((r) => setTimeout(r, 250))
  }
  stop()
  throw new Error('wrangler dev did not start')
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0

async function main() {
  const { base, stop } = await startWrangler()
  const tenant = await (await fetch(`${base}/tenants`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ slug: 'soak', name: 'Soak' }) })).json()
  const auth = { authorization: `Bearer ${tenant.apiKey}` }
  // Captures from many "visitors", so the per-IP rate limit is not what we measure.
  await fetch(`${base}/~soak/settings/capture`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ rateLimitPerMinute: 100000 }) })

  const counts = { requests: 0, errors: 0, intended: 0, creates: 0, captures: 0, qualifies: 0 }
  const latencies = []
  const ids = []
  let seq = 0
  const deadline = Date.now() + SECONDS * 1000

  async function one() {
    const roll = Math.random()
    const n = seq++
    let kind
    let request
    if (roll < 0.35) {
      kind = 'list'
      request = [`${base}/~soak/contacts?stage=Lead&sort=-$createdAt&limit=25`, { headers: auth }]
    } else if (roll < 0.55 && ids.length) {
      kind = 'get'
      request = [`${base}/~soak/contacts/${ids[Math.floor(Math.random() * ids.length)]}`, { headers: auth }]
    } else if (roll < 0.8 || !ids.length) {
      kind = 'create'
      request = [`${base}/~soak/contacts`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: `Soak ${n}`, email: `soak-${n}@x.dev`, stage: 'Lead' }) }]
    } else if (roll < 0.95) {
      kind = 'capture'
      request = [`${base}/~soak/capture`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'cf-connecting-ip': `10.0.${n % 250}.${n % 199}` }, body: `firstName=V&lastName=${n}&email=visitor-${n}@x.dev&source=website` }]
    } else {
      kind = 'qualify'
      request = [`${base}/~soak/contacts/${ids[Math.floor(Math.random() * ids.length)]}/qualify`, { method: 'POST', headers: auth }]
    }
    const started = performance.now()
    let status = 0
    try {
      const response = await fetch(...request)
      status = response.status
      const body = await response.text()
      if (kind === 'create' && status === 201) ids.push(JSON.parse(body).$id)
    } catch {
      status = 0
    }
    latencies.push(performance.now() - started)
    counts.requests++
    if (kind === 'create' && status === 201) counts.creates++
    else if (kind === 'capture' && status === 201) counts.captures++
    else if (kind === 'qualify' && status === 200) counts.qualifies++
    else if (kind === 'qualify' && status === 409) counts.intended++
    else if (status !== 200) counts.errors++
  }

  console.log(`soak: ${SECONDS} s at ${CONNECTIONS} connections against ${base}`)
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (Date.now() < deadline) await one()
  }))
  latencies.sort((a, b) => a - b)

  // The proof: every acknowledged write is one event and one row.
  const total = async (path) => (await (await fetch(`${base}/~soak${path}`, { headers: auth })).json()).total
  const events = async (type) => {
    let count = 0
    let after = 0
    for (;;) {
      const page = await (await fetch(`${base}/~soak/events?type=${type}&limit=500&after=${after}`, { headers: auth })).json()
      count += page.data.length
      if (!page.next) return count
      after = Number(page.next)
    }
  }
  const contacts = await total('/contacts?limit=1')
  const leads = await total('/leads?limit=1')
  const [contactEvents, captureEvents, leadEvents, qualifiedEvents] = await Promise.all([events('contact.created'), events('contact.captured'), events('lead.created'), events('contact.qualified')])
  const report = {
    seconds: SECONDS,
    connections: CONNECTIONS,
    requests: counts.requests,
    rps: Math.round(counts.requests / SECONDS),
    errors: counts.errors,
    intendedRefusals: counts.intended,
    p50ms: Math.round(percentile(latencies, 50)),
    p99ms: Math.round(percentile(latencies, 99)),
    acknowledged: { creates: counts.creates, captures: counts.captures, qualifies: counts.qualifies },
    events: { 'contact.created': contactEvents, 'contact.captured': captureEvents, 'lead.created': leadEvents, 'contact.qualified': qualifiedEvents },
    rows: { contacts, leads },
  }
  const checks = {
    'creates + captures == contact.created == contact rows': counts.creates + counts.captures === contactEvents && contactEvents === contacts,
    'captures == contact.captured == lead.created == lead rows': counts.captures === captureEvents && captureEvents === leadEvents && leadEvents === leads,
    'qualifies == contact.qualified': counts.qualifies === qualifiedEvents,
    'no unintended errors': counts.errors === 0,
  }
  console.log(JSON.stringify({ ...report, checks }, null, 2))
  stop()
  process.exit(Object.values(checks).every(Boolean) ? 0 : 1)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
