/**
 * The README as a newcomer runs it. Every ```sh block, except one whose preceding line is
 * `<!-- readme-test: skip (why) -->`, runs as written, in README order, in one bash, against the
 * server `npm run dev -- --port …` starts; the one change is the port (a free one, not 8787). The
 * requests pass a recording proxy, so each must succeed (no 4xx or 5xx) and the flow's documented
 * results are checked from what came back. The JSON bodies they sent are then type-checked against
 * the client openapi-typescript generates from the live /openapi.json at its default settings.
 * The README is read at run time: an edit to it is tested by the next run.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import openapiTS, { astToString } from 'openapi-typescript'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevServer, type DevServer } from './dev-server'
import { startRecordingProxy, type Exchange, type RecordingProxy } from './recording-proxy'

const root = path.resolve(import.meta.dirname, '../..')
const SKIP = /^<!--\s*readme-test:\s*skip\b/

interface Block {
  line: number
  heading: string
  code: string
}

/** The README's ```sh blocks, with the heading each is under; those marked to skip apart. */
function shellBlocks(markdown: string): { run: Block[]; skipped: Block[] } {
  const lines = markdown.split('\n')
  const run: Block[] = []
  const skipped: Block[] = []
  let heading = ''
  for (let i = 0; i < lines.length; i++) {
    if (/^#{1,6} /.test(lines[i]!)) heading = lines[i]!
    if (!/^```sh\s*$/.test(lines[i]!)) continue
    const start = i
    const code: string[] = []
    while (++i < lines.length && !/^```\s*$/.test(lines[i]!)) code.push(lines[i]!)
    let before = start - 1
    while (before >= 0 && lines[before]!.trim() === '') before--
    ;(before >= 0 && SKIP.test(lines[before]!) ? skipped : run).push({ line: start + 1, heading, code: code.join('\n') })
  }
  return { run, skipped }
}

/** The operator token `npm run dev` puts in `.dev.vars` on first run, which the README uses. */
function exampleAdminToken(): string {
  const token = /^ADMIN_TOKEN=(.+)$/m.exec(readFileSync(path.join(root, '.dev.vars.example'), 'utf8'))?.[1]
  if (!token) throw new Error('.dev.vars.example has no ADMIN_TOKEN')
  return token.trim()
}

function runBash(script: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

const json = (text: string): any => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

let server: DevServer
let proxy: RecordingProxy

beforeAll(async () => {
  if (spawnSync('jq', ['--version']).status !== 0) throw new Error('the README walk-through needs jq (apt-get install jq); .ci/run installs it')
  server = await startDevServer({ npmRunDev: true, adminToken: exampleAdminToken() })
  proxy = await startRecordingProxy(server.baseUrl)
}, 120_000)

afterAll(async () => {
  await proxy?.stop()
  await server?.stop()
})

describe('README', () => {
  it('runs every sh block as written against npm run dev: each command and each request succeeds', { timeout: 240_000 }, async () => {
    const { run, skipped } = shellBlocks(readFileSync(path.join(root, 'README.md'), 'utf8'))
    expect(run.length).toBeGreaterThanOrEqual(4)
    expect(skipped.map((b) => b.heading)).toContain('## Deploy to Cloudflare')
    const port = new URL(proxy.baseUrl).port
    const script = [
      'set -euo pipefail',
      `trap 'echo "README command failed (exit $?): $BASH_COMMAND" >&2' ERR`,
      ...run.map((b) => `# README.md:${b.line} (${b.heading})\n${b.code.replace(/\b(127\.0\.0\.1|localhost):8787\b/g, `$1:${port}`)}`),
    ].join('\n\n')
    const result = await runBash(script, root)
    const failed = proxy.exchanges.filter((x) => x.status >= 400).map((x) => `${x.method} ${x.url} → ${x.status} ${x.responseBody.slice(0, 300)}`)
    expect(result.code, `${result.stderr}\n--- last output:\n${result.stdout.slice(-2000)}`).toBe(0)
    expect(failed).toEqual([])

    const answer = (method: string, pattern: RegExp): Exchange[] => proxy.exchanges.filter((x) => x.method === method && pattern.test(x.url))
    // The tenant, and its key carried through the rest of the walk-through.
    const [tenant] = answer('POST', /^\/tenants$/)
    expect([tenant?.status, json(tenant!.responseBody)?.tenant?.slug]).toEqual([201, 'acme'])
    // Brackets in a query reach the server as brackets (curl -g), and the filter applies.
    const [filtered] = answer('GET', /leadScore\[\$gte\]=50/)
    expect(json(filtered!.responseBody).data.map((c: { name: string }) => c.name)).toEqual(['Bob Rivera'])
    // Every qualify qualified; asOf answered the first version.
    const qualified = answer('POST', /^\/~acme\/contacts\/contact_\w+\/qualify$/)
    expect(qualified.length).toBeGreaterThanOrEqual(2)
    for (const q of qualified) expect(json(q.responseBody).stage).toBe('Qualified')
    const [asOf] = answer('GET', /^\/~acme\/contacts\/contact_\w+\?asOf=/)
    expect(json(asOf!.responseBody)).toMatchObject({ $version: 1, stage: 'Lead' })
    // deal.won → the customer and the subscription, in the same transaction (their events name it as cause).
    const [won] = answer('POST', /^\/~acme\/deals\/deal_\w+\/win$/)
    expect(json(won!.responseBody).stage).toBe('Won')
    const [customers] = answer('GET', /^\/~acme\/customers\?contact=contact_\w+$/)
    expect(json(customers!.responseBody).total).toBe(1)
    const [subscriptions] = answer('GET', /^\/~acme\/subscriptions$/)
    expect(json(subscriptions!.responseBody).data.length).toBeGreaterThanOrEqual(1)
    const since = answer('GET', /^\/~acme\/events\?after=\d+$/).flatMap((x) => json(x.responseBody).data as { id: string; type: string; cause: string | null }[])
    const dealWon = since.find((e) => e.type === 'deal.won')
    expect(dealWon).toBeDefined()
    expect(since.filter((e) => e.cause === dealWon!.id).map((e) => e.type)).toEqual(expect.arrayContaining(['customer.created', 'subscription.created']))
    expect(since[0]?.type).toBe('contact.created')
    // Seed 004: accepting the proposal drew up the contract; signing it set the deal's value and won it.
    const [accepted] = answer('POST', /^\/~acme\/proposals\/proposal_\w+\/accept$/)
    expect(json(accepted!.responseBody).status).toBe('Accepted')
    const [signed] = answer('POST', /^\/~acme\/contracts\/contract_\w+\/sign$/)
    expect(json(signed!.responseBody)).toMatchObject({ status: 'Signed', signedBy: 'Alice Chen' })
    const [deal] = answer('GET', /^\/~acme\/deals\/deal_\w+$/)
    expect(json(deal!.responseBody)).toMatchObject({ value: 42_000, stage: 'Won' })
    // Subject access: everything held about Dana, fixed at the log's head, with her won deal's billing.
    const [subject] = answer('GET', /^\/~acme\/contacts\/contact_\w+\/export$/)
    const exported = json(subject!.responseBody)
    expect(exported).toMatchObject({ tenant: { slug: 'acme' }, contact: { email: 'dana@fbi.gov' }, counts: { related: { deals: 1, customers: 1, subscriptions: 1 } } })
    expect(exported.chainHead).toMatchObject({ seq: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(exported.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['contact.created', 'deal.won', 'customer.created', 'subscription.created']))
    // The tenant's own schema: the custom-field filter, Project's verb and back-reference, the
    // default filling the contacts, and the manifest copied to globex (dry run, then applied).
    const [custom] = answer('GET', /^\/~acme\/contacts\?tier=Gold&shoeSize\[\$gte\]=36$/)
    expect(json(custom!.responseBody).total).toBe(1)
    const [activated] = answer('POST', /^\/~acme\/projects\/project_\w+\/activate$/)
    expect(json(activated!.responseBody).status).toBe('Active')
    const [organization] = answer('GET', /^\/~acme\/organizations\/organization_\w+\?include=projects$/)
    expect(json(organization!.responseBody).projects.map((p: { name: string }) => p.name)).toEqual(['Portal'])
    const filled = answer('PUT', /^\/~acme\/nouns\/Contact$/).at(-1)
    expect(json(filled!.responseBody).migrated).toBeGreaterThanOrEqual(3)
    const [dryRun, applied] = answer('PUT', /^\/~globex\/manifest/)
    expect(json(dryRun!.responseBody).changes.map((c: { path: string; change: string }) => `${c.change} ${c.path}`)).toEqual(['add nouns.Contact', 'add nouns.Project'])
    expect(json(applied!.responseBody)).toMatchObject({ dryRun: false, version: 1 })
    // The team: Dana is invited, follows her link to a session, and sees the website lead assigned to her.
    const [signedIn] = answer('POST', /^\/~acme\/auth\/link$/)
    expect(signedIn!.status).toBe(303)
    const [me] = answer('GET', /^\/~acme\/me$/)
    expect(json(me!.responseBody).user).toMatchObject({ email: 'dana@acme.dev', status: 'Active' })
    const [mine] = answer('GET', /^\/~acme\/leads\?owner=me$/)
    expect(json(mine!.responseBody).data.map((l: { name: string }) => l.name)).toEqual(['Wes Site (website)'])
    const [signIn] = answer('POST', /^\/~acme\/auth\/email$/)
    expect(signIn!.status).toBe(202)
    // Backups: acme's backup restored into acme-restored as acme was at seq 20, verifying with acme's head there.
    const [backup] = answer('POST', /^\/~acme\/backups$/)
    expect(backup!.status).toBe(201)
    const restored = proxy.exchanges.find((x) => x.method === 'POST' && x.url === '/tenants' && JSON.parse(x.requestBody).restoreFrom)
    expect(json(restored!.responseBody)).toMatchObject({ tenant: { slug: 'acme-restored' }, restored: { tenant: 'acme', backup: json(backup!.responseBody).id, seq: 20, events: 20 } })
    const [verified] = answer('GET', /^\/~acme-restored\/events\/verify$/)
    expect(json(verified!.responseBody)).toMatchObject({ ok: true, count: 21 })
  })

  it("sends bodies a client generated by openapi-typescript (default settings) accepts as they are", { timeout: 120_000 }, async () => {
    // acme's own document: the README gives acme custom fields and a noun of its own (Project),
    // which only the tenant's document has; it has every root and tenant path of /openapi.json too.
    const acme = proxy.exchanges.find((x) => x.method === 'POST' && x.url === '/tenants' && JSON.parse(x.requestBody).slug === 'acme')
    const acmeKey = JSON.parse(acme!.responseBody).apiKey as string
    const doc = (await (await fetch(`${server.baseUrl}/~acme/openapi.json`, { headers: { authorization: `Bearer ${acmeKey}` } })).json()) as { paths: Record<string, Record<string, any>> }
    const sent = proxy.exchanges.filter((x) => x.requestType?.startsWith('application/json') && x.requestBody.trim() !== '')
    const typed = sent.map((x) => ({ x, path: documentedPath(doc.paths, x.url), method: x.method.toLowerCase() }))
    expect(typed.filter((t) => !t.path || !doc.paths[t.path]![t.method]?.requestBody).map((t) => `${t.x.method} ${t.x.url}`)).toEqual([])
    expect(typed.map((t) => `${t.method} ${t.path}`)).toEqual(expect.arrayContaining(['post /tenants', 'post /contacts', 'post /deals']))

    const dir = mkdtempSync(path.join(os.tmpdir(), 'revline-readme-types-'))
    try {
      writeFileSync(path.join(dir, 'api.ts'), astToString(await openapiTS(doc as never)))
      const header = `import type { paths } from './api'\ntype JsonBody<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { requestBody?: infer R } ? (NonNullable<R> extends { content: { 'application/json': infer B } } ? B : never) : never\n`
      const constants = typed.map((t, i) => `// README: ${t.x.method} ${t.x.url}\nexport const body${i}: JsonBody<'${t.path}', '${t.method}'> = ${JSON.stringify(JSON.parse(t.x.requestBody), null, 2)}\n`)
      writeFileSync(path.join(dir, 'readme-bodies.ts'), header + constants.join('\n'))
      // The check can fail: a field the API does not have is an error.
      writeFileSync(path.join(dir, 'control.ts'), `${header}export const wrong: JsonBody<'/contacts', 'post'> = { name: 'A', notAField: 1 }\n`)
      const program = ts.createProgram([path.join(dir, 'readme-bodies.ts'), path.join(dir, 'control.ts')], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        skipLibCheck: true,
        types: [],
      })
      const diagnostics = ts.getPreEmitDiagnostics(program)
      const inFile = (name: string) =>
        diagnostics.filter((d) => d.file?.fileName.endsWith(name)).map((d) => `${d.file!.fileName}:${d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
      expect(inFile('readme-bodies.ts'), readFileSync(path.join(dir, 'readme-bodies.ts'), 'utf8')).toEqual([])
      expect(inFile('control.ts').join('\n')).toContain('notAField')
      expect(diagnostics.filter((d) => !d.file)).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

/** The document's path for a request URL: tenant paths under `/~{tenant}`, root ones (with `servers`) as they are; a concrete path beats a templated one. */
function documentedPath(paths: Record<string, Record<string, any>>, url: string): string | undefined {
  const pathname = new URL(url, 'http://x').pathname
  const inTenant = /^\/~[a-z0-9-]+(\/.*)$/.exec(pathname)?.[1]
  let best: { path: string; params: number } | undefined
  for (const [template, item] of Object.entries(paths)) {
    const target = item.servers ? pathname : inTenant
    if (target === undefined) continue
    const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`)
    const params = (template.match(/\{/g) ?? []).length
    if (pattern.test(target) && (!best || params < best.params)) best = { path: template, params }
  }
  return best?.path
}
