/**
 * The `revline` CLI as a child process (`node cli/revline.mjs …`, and once through `npx revline`)
 * against `wrangler dev`: output, files and exit codes (0 ok, 1 API error, 2 usage, 3 network).
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, type RevlineClient } from '../../sdk'
import { bin, cliRunner, json, root } from './cli-support'
import { startDevServer, type DevServer } from './dev-server'
import { closedPort, newTenant } from './sdk-support'
import { startSeverableProxy } from './severable-proxy'

let server: DevServer
let env: Record<string, string>
let client: RevlineClient
let work: string
const ids: Record<string, string> = {}
const run = cliRunner(() => ({ env, cwd: work }))

beforeAll(async () => {
  server = await startDevServer()
  const { tenant, apiKey } = await newTenant(server.baseUrl, 'cli')
  env = { REVLINE_URL: server.baseUrl, REVLINE_TENANT: tenant, REVLINE_API_KEY: apiKey }
  client = createClient({ baseUrl: server.baseUrl, tenant, apiKey })
  work = mkdtempSync(path.join(os.tmpdir(), 'revline-cli-'))

  // Seed 004's world: ABC Corp with a decision maker, two leads and an open deal.
  const org = await client.Organization.create({ name: 'ABC Corp', industry: 'SaaS', employeeCount: 12 })
  const ann = await client.Contact.create({ name: 'Ann Buyer', email: 'ann@abc.dev', title: 'CTO', organization: org.$id })
  const hot = await client.Lead.create({ name: 'ABC platform', source: 'referral', budget: 20_000, authority: 'CEO decides', timeline: 'within 2 weeks', organization: org.$id, contact: ann.$id })
  const cold = await client.Lead.create({ name: 'ABC side project', source: 'website', organization: org.$id })
  const deal = await client.Deal.create({ name: 'ABC retainer', value: 30_000, organization: org.$id, contact: ann.$id })
  await client.Deal.create({ name: 'Other deal', value: 10_000, stage: 'Proposal' })
  Object.assign(ids, { org: org.$id, ann: ann.$id, hot: hot.$id, cold: cold.$id, deal: deal.$id })
}, 120_000)

afterAll(async () => {
  await server?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
})

describe('revline (seed 004 commands)', () => {
  it('prints help and exits 0', async () => {
    const r = await run(['--help'])
    expect(r.code).toBe(0)
    for (const command of ['pipeline', 'lead-score', 'proposal', 'list', 'get', 'create', 'do', 'events', 'import', 'export', 'nouns', 'types', 'manifest']) expect(r.stdout).toContain(command)
    expect(r.stdout).toContain('Exit codes')
  })

  it('revline pipeline: stages with counts, value and weighted value', async () => {
    const r = await run(['pipeline'])
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines[0]).toMatch(/^Stage\s+Deals\s+Value\s+Prob\.\s+Weighted$/)
    // 30k in Prospecting at 10 %, 10k in Proposal at 50 %.
    expect(lines.find((l) => l.startsWith('Prospecting'))).toMatch(/Prospecting\s+1\s+\$30,000\.00\s+10%\s+\$3,000\.00/)
    expect(lines.find((l) => l.startsWith('Proposal'))).toMatch(/Proposal\s+1\s+\$10,000\.00\s+50%\s+\$5,000\.00/)
    expect(lines.find((l) => l.startsWith('Open pipeline'))).toMatch(/2\s+\$40,000\.00\s+\$8,000\.00/)
    expect(r.stdout).toContain('Leads: 2 (2 active)')

    const data = json(await run(['pipeline', '--json']))
    expect(data.openTotals).toEqual({ deals: 2, value: 40_000, weighted: 8_000 })
    expect(data.stages.map((s: { stage: string }) => s.stage)).toEqual(['Prospecting', 'Qualification', 'Proposal', 'Negotiation', 'Won', 'Lost'])
    expect(data.summary.weightedPipelineValue).toBe(8_000)
  })

  it('revline lead-score --company "ABC Corp": leads with score, band and factor breakdown', async () => {
    const r = await run(['lead-score', '--company', 'ABC Corp'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain(`ABC Corp (${ids.org}) · 2 leads · qualified threshold 60`)
    expect(r.stdout).toMatch(/ABC platform \(lead_\w+\)\s+New\s+\d+\s+high\s+yes/)
    for (const factor of ['Budget confirmed', 'Decision maker', 'Timeline under 30 days', 'Referral source']) expect(r.stdout).toContain(factor)
    expect(r.stdout).toMatch(/Referral source\s+\+20/)

    const data = json(await run(['lead-score', '--company', 'abc corp', '--json']))
    expect(data.organization.$id).toBe(ids.org)
    const [first, second] = data.leads
    expect(first.lead.$id).toBe(ids.hot)
    expect(first.score).toBeGreaterThan(second.score)
    expect(first.factors.reduce((n: number, f: { points: number }) => n + f.points, 0)).toBe(first.score)
    expect(first.band).toBe('high')

    const missing = await run(['lead-score', '--company', 'Nobody Inc'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain("no organization named 'Nobody Inc'")
    const usage = await run(['lead-score'])
    expect(usage.code).toBe(2)
    expect(usage.stderr).toContain("required option '--company <name>'")
  })

  it('revline proposal --client "ABC Corp" --tier warrior: creates the proposal and saves its document', async () => {
    const r = await run(['proposal', '--client', 'ABC Corp', '--tier', 'warrior'])
    expect(r.code, r.stderr).toBe(0)
    const file = /saved (.+\.html)$/m.exec(r.stdout)?.[1]
    expect(file).toBeDefined()
    expect(path.dirname(file!)).toBe(work)
    const html = readFileSync(file!, 'utf8')
    expect(html).toContain('<html')
    expect(html).toContain('ABC retainer')
    expect(html).toContain('Implementation sprint')
    expect(r.stdout).toContain('total $42,000.00')
    const proposals = await client.Proposal.find({ deal: ids.deal })
    expect(proposals).toHaveLength(1)
    expect(proposals[0]).toMatchObject({ tier: 'warrior', total: 42_000 })

    const out = path.join(work, 'abc.html')
    const data = json(await run(['proposal', '--client', 'ABC Corp', '--tier', 'starter', '--out', out, '--json']))
    expect(data.path).toBe(out)
    expect(existsSync(out)).toBe(true)

    const badTier = await run(['proposal', '--client', 'ABC Corp', '--tier', 'platinum'])
    expect(badTier.code).toBe(1)
    expect(badTier.stderr).toContain("no tier 'platinum' (422 validation_failed)")
    expect(badTier.stderr).toContain('tier: use one of: starter, warrior, general')

    // A contact works as the client too; with two open deals the command asks which.
    const second = await client.Deal.create({ name: 'Ann second', contact: ids.ann })
    const twoDeals = await run(['proposal', '--client', 'Ann Buyer', '--tier', 'warrior'])
    expect(twoDeals.code).toBe(2)
    expect(twoDeals.stderr).toContain('Ann Buyer has 2 open deals')
    expect(twoDeals.stderr).toContain('choose one with --deal <id>')
    const chosen = json(await run(['proposal', '--client', 'Ann Buyer', '--deal', second.$id, '--tier', 'general', '--json']))
    expect(chosen.deal.$id).toBe(second.$id)
    await client.Deal.lose(second.$id)
  })
})

describe('revline (generic commands)', () => {
  it('list: filters, where, sort, limit, cursor, json', async () => {
    const r = await run(['list', 'leads', '--where', 'organization=' + ids.org, '--sort', '-score'])
    expect(r.code, r.stderr).toBe(0)
    const rows = r.stdout.split('\n')
    expect(rows[0]).toMatch(/^\$id\s+name/)
    expect(rows[2]).toContain('ABC platform')
    expect(rows[3]).toContain('ABC side project')
    expect(r.stdout).toContain('2 of 2')

    const page = json(await run(['list', 'leads', '--filter', '{"score":{"$gte":50}}', '--json']))
    expect(page.data.map((l: { $id: string }) => l.$id)).toEqual([ids.hot])
    const op = json(await run(['list', 'deals', '--where', 'value[$gte]=20000', '--json']))
    expect(op.data.map((d: { name: string }) => d.name)).toEqual(['ABC retainer'])

    const first = await run(['list', 'stages', '--limit', '2', '--sort', 'order'])
    const cursor = /--cursor (\S+)/.exec(first.stdout)?.[1]
    expect(cursor).toBeDefined()
    const next = json(await run(['list', 'stages', '--limit', '2', '--sort', 'order', '--cursor', cursor!, '--json']))
    expect(next.data.map((s: { name: string }) => s.name)).toEqual(['Proposal', 'Negotiation'])
    const all = json(await run(['list', 'Stage', '--all', '--json']))
    expect(all.total).toBe(6)

    const unknown = await run(['list', 'widgets'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("unknown collection 'widgets'")
    const badJson = await run(['list', 'leads', '--filter', '{score'])
    expect(badJson.code).toBe(2)
    expect(badJson.stderr).toContain('--filter is not valid JSON')
    const badField = await run(['list', 'leads', '--filter', '{"scroe":1}'])
    expect(badField.code).toBe(1)
    expect(badField.stderr).toContain("filter.scroe: 'scroe' is not a field of Lead")
  })

  it('get with --include; a missing id is an API error (exit 1)', async () => {
    const r = await run(['get', 'contacts', ids.ann!, '--include', 'organization,leads'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/organization\s+ABC Corp \(organization_\w+\)/)
    expect(r.stdout).toContain('leads (1)')
    expect(r.stdout).toContain('ABC platform')
    const entity = json(await run(['get', 'contact', ids.ann!, '--json']))
    expect(entity).toMatchObject({ $id: ids.ann, name: 'Ann Buyer' })

    const missing = await run(['get', 'contacts', 'contact_000000000'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('error: Contact contact_000000000 not found (404 not_found)')
    const missingJson = await run(['get', 'contacts', 'contact_000000000', '--json'])
    expect(JSON.parse(missingJson.stderr)).toEqual({ error: { status: 404, code: 'not_found', detail: 'Contact contact_000000000 not found', errors: [] } })
  })

  it('create from field=value pairs or --data, typed by the noun; validation errors list the fields', async () => {
    const contact = json(await run(['create', 'contacts', 'name=Cara Client', 'email=cara@client.dev', 'stage=Lead', 'leadScore=55', '--json']))
    expect(contact).toMatchObject({ name: 'Cara Client', leadScore: 55, stage: 'Lead' })
    ids.cara = contact.$id
    const deal = json(await run(['create', 'deals', '--data', JSON.stringify({ name: 'Cara deal', contact: contact.$id }), 'value=12_000', '--json']))
    expect(deal).toMatchObject({ name: 'Cara deal', value: 12000, stage: 'Prospecting' })
    ids.caraDeal = deal.$id
    const human = await run(['create', 'organizations', 'name=Tagged', 'tags=a,b', 'employeeCount=3'])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toMatch(/^created organization_\w+/)
    expect(human.stdout).toMatch(/tags\s+a, b/)

    const invalid = await run(['create', 'contacts', 'nmae=typo'])
    expect(invalid.code).toBe(1)
    expect(invalid.stderr).toContain('Contact.create input is not valid (422 validation_failed)')
    expect(invalid.stderr).toContain('nmae: is not a field of this noun')
    const badNumber = await run(['create', 'deals', 'name=x', 'value=lots'])
    expect(badNumber.code).toBe(2)
    expect(badNumber.stderr).toContain("value must be a number, got 'lots'")
    const badPair = await run(['create', 'deals', 'oops'])
    expect(badPair.code).toBe(2)
  })

  it('do <noun> <verb> <id>: instance and collection verbs; a refused transition is exit 1', async () => {
    const q = await run(['do', 'contact', 'qualify', ids.cara!])
    expect(q.code, q.stderr).toBe(0)
    expect(q.stdout).toMatch(/^Contact\.qualify ✓ contact_\w+ \(version 2\)/)
    expect(q.stdout).toMatch(/stage\s+Qualified/)
    const again = await run(['do', 'contact', 'qualify', ids.cara!])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('error: Contact stage is already Qualified (409 invalid_transition)')

    expect(json(await run(['do', 'deals', 'advance', ids.caraDeal!, 'stage=Negotiation', '--json'])).stage).toBe('Negotiation')
    expect(json(await run(['do', 'deal', 'win', ids.caraDeal!, '--json'])).stage).toBe('Won')
    const captured = json(await run(['do', 'contact', 'capture', '--data', '{"email":"dee@new.dev","name":"Dee New","source":"event"}', '--json']))
    expect(captured).toMatchObject({ email: 'dee@new.dev', stage: 'Lead' })
    expect(await client.Lead.count({ contact: captured.$id })).toBe(1)

    const noId = await run(['do', 'contact', 'qualify'])
    expect(noId.code).toBe(2)
    expect(noId.stderr).toContain('Contact.qualify needs an id')
    const noVerb = await run(['do', 'contact', 'explode', ids.cara!])
    expect(noVerb.code).toBe(2)
    expect(noVerb.stderr).toContain('verbs of Contact: qualify, capture, assign, merge, enrich')
  })

  it('events: a table, --type filters, --json; --follow prints the log after --after, then new events as they happen', async () => {
    const r = await run(['events', '--type', 'deal.*'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^\s*seq\s+at\s+type\s+entity\s+cause/)
    expect(r.stdout).toContain('deal.won')
    const page = json(await run(['events', '--type', 'contact.qualified', '--json']))
    expect(page.data.map((e: { entityId: string }) => e.entityId)).toEqual([ids.cara])

    const last = (await client.events.list({ limit: 500 })).data.at(-1)!.seq
    const child = spawn(process.execPath, [bin, 'events', '--follow', '--after', String(last)], { cwd: work, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve))
    try {
      await new Promise((r) => setTimeout(r, 1500))
      const followed = await client.Contact.create({ name: 'Followed' })
      const deadline = Date.now() + 15_000
      while (!out.includes(followed.$id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
      expect(out).toMatch(new RegExp(`contact\\.created\\s+${followed.$id}`))
      expect(out).not.toMatch(/stage\.created/)
    } finally {
      child.kill('SIGINT')
    }
    expect(await closed).toBe(0)

    const bad = await run(['events', '--type', 'Deal Won'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('type: is an event type such as deal.won or deal.*')
  })

  it("events tail --type 'deal.*': deal events as they happen, through dropped connections; Ctrl-C exits 0", async () => {
    // Through a proxy the test can cut, as a flaky network would.
    const proxy = await startSeverableProxy(server.baseUrl)
    const child = spawn(process.execPath, [bin, 'events', 'tail', '--type', 'deal.*'], { cwd: work, env: { ...process.env, ...env, REVLINE_URL: proxy.baseUrl }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve))
    const printed = async (text: string) => {
      const deadline = Date.now() + 15_000
      while (!out.includes(text) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      expect(out, err).toContain(text)
    }
    try {
      // Connected once the stream has opened at the head: nothing of the past is printed.
      const deadline = Date.now() + 15_000
      while (proxy.accepted === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      await new Promise((r) => setTimeout(r, 1000))
      expect(out).toBe('')

      const deal = await client.Deal.create({ name: 'Tailed deal', value: 7_000 })
      await printed(deal.$id)
      proxy.sever()
      // Written while the link is down: printed once the tail has resumed by itself.
      await client.Deal.advance(deal.$id, { stage: 'Proposal' })
      const other = await client.Contact.create({ name: 'Not a deal' })
      const won = await client.Deal.win(deal.$id)
      await printed('deal.won')
      proxy.sever()
      const second = await client.Deal.create({ name: 'After the second cut' })
      await printed(second.$id)

      const lines = out.trim().split('\n')
      const dealEvents = (await client.events.list({ type: 'deal.*', after: 0, limit: 500 })).data.filter((e) => e.entityId === deal.$id || e.entityId === second.$id)
      expect(lines.map((l) => l.trim().split(/\s+/)[0])).toEqual(dealEvents.map((e) => String(e.seq)))
      expect(lines.map((l) => l.trim().split(/\s+/)[2])).toEqual(['deal.created', 'deal.advanced', 'deal.won', 'deal.created'])
      expect(lines[2]).toMatch(new RegExp(`^\\s*\\d+  \\S+  deal\\.won\\s+${won.$id}$`))
      expect(out).not.toContain(other.$id)
      expect(proxy.accepted).toBeGreaterThanOrEqual(3)
    } finally {
      child.kill('SIGINT')
      await proxy.stop()
    }
    expect(await closed, err).toBe(0)

    const json = spawn(process.execPath, [bin, 'events', 'tail', '--type', 'contact.created', '--json'], { cwd: work, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let jsonOut = ''
    json.stdout.on('data', (d) => (jsonOut += d))
    const jsonClosed = new Promise<number | null>((resolve) => json.on('close', resolve))
    try {
      await new Promise((r) => setTimeout(r, 1500))
      const contact = await client.Contact.create({ name: 'Json Tail' })
      const deadline = Date.now() + 15_000
      while (!jsonOut.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      expect(JSON.parse(jsonOut.trim())).toMatchObject({ type: 'contact.created', entityId: contact.$id })
    } finally {
      json.kill('SIGINT')
    }
    expect(await jsonClosed).toBe(0)

    const refused = await run(['events', 'tail'], { env: { REVLINE_API_KEY: 'rvl_not-a-key' } })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('401 unauthorized')
    const misuse = await run(['events', 'tail', '--limit', '5'])
    expect(misuse.code).toBe(2)
  })

  it('whoami, invite and key: the team from the command line', async () => {
    const service = await run(['whoami'])
    expect(service.code, service.stderr).toBe(0)
    expect(service.stdout).toMatch(/^service key key_\w+ · admin/)
    const invited = json(await run(['invite', 'cli.user@team.dev', 'Cli User', '--json']))
    expect(invited).toMatchObject({ email: 'cli.user@team.dev', role: 'member', status: 'Invited' })
    const key = json(await run(['key', 'cli user laptop', '--user', invited.$id, '--json']))
    expect(key).toMatchObject({ role: 'member', user: invited.$id })
    const asUser = await run(['whoami'], { env: { REVLINE_API_KEY: key.key } })
    expect(asUser.stdout).toMatch(/^Cli User <cli\.user@team\.dev> · member · acting as member via key_\w+/)
    const tooMuch = await run(['key', 'admin please', '--role', 'admin'], { env: { REVLINE_API_KEY: key.key } })
    expect(tooMuch.code).toBe(1)
    expect(tooMuch.stderr).toContain('role')
    const badRole = await run(['invite', 'x@team.dev', 'X', '--role', 'boss'])
    expect(badRole.code).toBe(2)
  })

  it('search: full-text across nouns, the matched words in brackets; --type narrows; --json', async () => {
    await client.Contact.create({ name: 'Zoë Ångström', email: 'zoe@fjordline.no' })
    const r = await run(['search', 'zoe', 'angstrom'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^\s*type\s+id\s+name\s+match/)
    expect(r.stdout).toMatch(/Contact\s+contact_\w+\s+Zoë Ångström\s+\[Zoë\] \[Ångström\]/)
    const page = json(await run(['search', 'fjordline', '--type', 'deals', '--json']))
    expect(page).toEqual({ data: [], next: null })
    const sdk = await client.search('ångström')
    expect(sdk.data[0]).toMatchObject({ $type: 'Contact', name: 'Zoë Ångström' })
    const none = await run(['search', '"'])
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('q')
  })

  it('import streams a file with a progress bar (bytes sent / total) and reports rejected rows', async () => {
    const rows = ['name,email,stage,source,leadScore']
    for (let i = 0; i < 3000; i++) rows.push(`Imported ${i},imported${i}@bulk.dev,Lead,import,${i % 100}`)
    const file = path.join(work, 'contacts.csv')
    writeFileSync(file, `${rows.join('\n')}\n`)
    const size = readFileSync(file).byteLength

    const r = await run(['import', file, '--into', 'contacts'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('3000 created, 0 updated, 0 rejected')
    const progress = r.stderr.trim().split('\n')
    const kb = (size / 1024).toFixed(1).replace('.', '\\.')
    expect(progress.at(-2)).toMatch(new RegExp(`^uploading 100%\\s+${kb} KB / ${kb} KB$`))
    expect(progress.at(-1)).toBe('uploaded; waiting for the server to finish the import…')
    expect(progress.filter((l) => l.startsWith('uploading')).length).toBeGreaterThan(1)
    expect(await client.Contact.count({ source: 'import' })).toBe(3000)

    // The same file again updates (contacts deduplicate by email); --json gives the report.
    const again = json(await run(['import', file, '--into', 'contacts', '--json', '--no-progress']))
    expect(again).toMatchObject({ created: 0, updated: 3000, rejected: 0 })

    const leads = path.join(work, 'leads.ndjson')
    writeFileSync(leads, [JSON.stringify({ name: 'Good lead', source: 'import' }), JSON.stringify({ name: 'No source' }), 'not json', ''].join('\n'))
    const partial = await run(['import', leads, '--into', 'leads', '--no-progress'])
    expect(partial.code).toBe(1)
    expect(partial.stderr).toContain('1 created, 0 updated, 2 rejected')
    expect(partial.stderr).toMatch(/line 2 source: /)
    expect(partial.stderr).toContain('line 3: is not valid JSON')

    const missing = await run(['import', path.join(work, 'nope.csv'), '--into', 'contacts'])
    expect(missing.code).toBe(2)
    const unknownFormat = await run(['import', file.replace(/csv$/, 'txt'), '--into', 'contacts'])
    expect(unknownFormat.code).toBe(2)
  })

  it('export streams a collection as CSV to a file or NDJSON to stdout', async () => {
    const out = path.join(work, 'stages.csv')
    const r = await run(['export', 'stages', '--out', out])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/wrote [\d.]+ (B|KB) to .*stages\.csv/)
    const lines = readFileSync(out, 'utf8').trim().split('\n')
    expect(lines[0]).toMatch(/^\$id,\$version,\$createdAt,\$updatedAt,\$createdBy,name,order,probability/)
    expect(lines).toHaveLength(7)

    const nd = await run(['export', 'contacts'])
    expect(nd.code, nd.stderr).toBe(0)
    const records = nd.stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(records.length).toBe(await client.Contact.count())
    expect(records.every((c: { $type: string }) => c.$type === 'Contact')).toBe(true)
  })
})

describe('revline configuration and failures', () => {
  it('flags override the environment; missing configuration is a usage error (2)', async () => {
    const viaFlags = await run(['--url', server.baseUrl, '--tenant', env.REVLINE_TENANT!, '--api-key', env.REVLINE_API_KEY!, 'list', 'stages', '--json'], { env: { REVLINE_URL: undefined, REVLINE_TENANT: 'nope', REVLINE_API_KEY: undefined } })
    expect(json(viaFlags).total).toBe(6)
    const none = await run(['pipeline'], { env: { REVLINE_URL: '', REVLINE_TENANT: '', REVLINE_API_KEY: '' } })
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('not configured: REVLINE_URL (or --url), REVLINE_TENANT (or --tenant), REVLINE_API_KEY (or --api-key) missing')
    const badKey = await run(['pipeline', '--api-key', 'rvl_wrong'])
    expect(badKey.code).toBe(1)
    expect(badKey.stderr).toContain('(401 unauthorized)')
  })

  it('an unreachable server is a network error (3); unknown commands and options are usage errors (2)', async () => {
    const down = await run(['list', 'contacts', '--url', `http://127.0.0.1:${await closedPort()}`, '--retries', '1'])
    expect(down.code).toBe(3)
    expect(down.stderr).toContain('cannot reach the Revline API')
    expect(down.stderr).toContain('after 2 attempts')
    expect(down.stderr).toContain('ECONNREFUSED')
    expect((await run(['frobnicate'])).code).toBe(2)
    expect((await run(['list', 'contacts', '--bogus'])).code).toBe(2)
  })

  it('runs as `npx revline` through the package bin', async () => {
    const r = await run(['pipeline', '--json'], { command: ['npx', '--no-install', 'revline'], cwd: root })
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).stages).toHaveLength(6)
  })
})
