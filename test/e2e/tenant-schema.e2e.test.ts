/**
 * The tenant's own schema from the client side, against `wrangler dev`: the SDK's `client.noun(name)`
 * and `client.nouns`, the CLI's `revline nouns`, records commands on a noun the tenant defined,
 * `revline types` (its output type-checked with the SDK by the TypeScript compiler) and
 * `revline manifest pull/push`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, RevlineError, type RevlineClient } from '../../sdk'
import * as crm from '../../sdk/crm'
import { cliRunner, json, root } from './cli-support'
import { startDevServer, type DevServer } from './dev-server'
import { newTenant } from './sdk-support'

const PROJECT = { name: 'string!', budget: 'number#', status: 'Draft | Active | Done', client: '-> Organization.projects', tags: 'string[]', activate: 'Active', finish: 'Done' }

let server: DevServer
let work: string
let env: Record<string, string>
const run = cliRunner(() => ({ env, cwd: work }))

/** A fresh tenant, its admin-key client and the CLI's environment for it. */
async function tenant(prefix: string): Promise<RevlineClient> {
  const { tenant, apiKey } = await newTenant(server.baseUrl, prefix)
  env = { REVLINE_URL: server.baseUrl, REVLINE_TENANT: tenant, REVLINE_API_KEY: apiKey }
  return createClient({ baseUrl: server.baseUrl, tenant, apiKey })
}

beforeAll(async () => {
  server = await startDevServer()
  work = mkdtempSync(path.join(os.tmpdir(), 'revline-schema-'))
}, 120_000)
afterAll(async () => {
  await server?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
})

const problem = (error: unknown) => (error instanceof RevlineError ? { status: error.status, code: error.code } : error)

describe("SDK: client.noun(name) for the tenant's own nouns", () => {
  it("defines Project, then creates, runs its verb, lists, updates, deletes and restores by name or collection", async () => {
    const client = await tenant('sdk-noun')
    const defined = await client.nouns.put('Project', PROJECT)
    expect(defined.noun).toMatchObject({ name: 'Project', collection: 'projects', builtIn: false, custom: PROJECT })

    const projects = client.noun('Project')
    const org = await client.Organization.create({ name: 'Fjordline' })
    const portal = await projects.create({ name: 'Portal', budget: 12_000, status: 'Draft', client: org.$id, tags: ['web'] })
    await projects.create({ name: 'Side', budget: 500 })
    expect(portal.$id).toMatch(/^project_/)
    expect(await projects.collection()).toBe('projects')

    const active = await projects.verb(portal.$id, 'activate')
    expect(active).toMatchObject({ $id: portal.$id, $version: 2, status: 'Active' })
    await expect(projects.verb(portal.$id, 'activate').catch(problem)).resolves.toEqual({ status: 409, code: 'invalid_transition' })

    const big = await client.noun('projects').list({ budget: { $gte: 1000 } }, { sort: '-budget' })
    expect(big.data.map((p) => p.name)).toEqual(['Portal'])
    expect(await projects.count({ 'client.name': 'Fjordline' })).toBe(1)
    expect((await projects.get(portal.$id, { include: ['client'] })).client).toMatchObject({ $id: org.$id })

    expect((await projects.update(portal.$id, { budget: 15_000 })).budget).toBe(15_000)
    await projects.delete(portal.$id)
    await expect(projects.get(portal.$id).catch(problem)).resolves.toEqual({ status: 404, code: 'not_found' })
    expect((await projects.restore(portal.$id)).status).toBe('Active')
    expect((await projects.history(portal.$id)).map((h) => h.type)).toEqual(['project.created', 'project.activated', 'project.updated', 'project.deleted', 'project.restored'])

    await expect(client.noun('Spaceship').list().catch(problem)).resolves.toEqual({ status: 404, code: 'not_found' })
    await expect(client.nouns.delete('Project').catch(problem)).resolves.toEqual({ status: 409, code: 'schema_conflict' })
    expect(await client.nouns.delete('Project', { drop: ['Project'] })).toMatchObject({ noun: null, dropped: 2 })
    // The client asks /nouns again after the change: the noun is gone for it too.
    await expect(projects.list().catch(problem)).resolves.toEqual({ status: 404, code: 'not_found' })
  })

  it('custom fields on a built-in noun pass through the typed noun and noun(name); collection verbs run by name', async () => {
    const client = await tenant('sdk-custom')
    await client.nouns.put('Contact', { shoeSize: 'number#' })
    const typed = await client.Contact.create({ name: 'Ada', email: 'ada@acme-labs.dev' })
    const contacts = client.noun('Contact')
    expect((await contacts.update(typed.$id, { shoeSize: 38 })).shoeSize).toBe(38)
    expect((await client.Contact.get(typed.$id) as Record<string, unknown>).shoeSize).toBe(38)
    expect((await contacts.find({ shoeSize: { $gte: 30 } })).map((c) => c.$id)).toEqual([typed.$id])
    const captured = await contacts.collectionVerb('capture', { email: 'bo@acme-labs.dev', name: 'Bo' })
    expect(captured).toMatchObject({ $type: 'Contact', email: 'bo@acme-labs.dev' })
    expect((await client.nouns.get('Contact')).custom).toEqual({ shoeSize: 'number#' })
  })

  it("the seeds' import reaches the tenant's own nouns: crm.noun('Project').create(...) on the default client", async () => {
    const client = await tenant('sdk-crm')
    crm.configure({ baseUrl: server.baseUrl, tenant: env.REVLINE_TENANT!, apiKey: env.REVLINE_API_KEY! })
    await crm.nouns.put('Project', PROJECT)
    const portal = await crm.noun('Project').create({ name: 'Portal', budget: 12_000, status: 'Draft' })
    expect(portal).toMatchObject({ $type: 'Project', name: 'Portal', budget: 12_000 })
    expect(await crm.noun('projects').verb(portal.$id, 'activate')).toMatchObject({ status: 'Active' })
    expect((await client.noun('Project').get(portal.$id)).status).toBe('Active')
    expect((await crm.manifest.get()).nouns.Project).toEqual(PROJECT)
  })

  it('is generic: given entity types, create and update inputs are checked (by tsc)', () => {
    interface Project { $id: string; $type: 'Project'; $version: number; $createdAt: string; $updatedAt: string; name: string; budget?: number | null }
    const client = createClient({ baseUrl: 'http://127.0.0.1:9', tenant: 't', apiKey: 'k' })
    // Never run; `tsc --noEmit` checks it, and each @ts-expect-error must hold an error.
    const typed = async () => {
      const projects = client.noun<Project>('Project')
      const p = await projects.create({ name: 'Portal', budget: 1 })
      const budget: number | null | undefined = p.budget
      // @ts-expect-error name is required
      await projects.create({ budget: 1 })
      // @ts-expect-error budget is a number
      await projects.update(p.$id, { budget: 'big' })
      const loose = await client.noun('Project').create({ anything: 1 })
      return [budget, loose.$id]
    }
    expect(typeof typed).toBe('function')
  })
})

describe("CLI: revline nouns and records commands on the tenant's own nouns", () => {
  it('defines a noun from a file and pairs, creates a record, runs its verb, filters on a custom field', async () => {
    const client = await tenant('cli-noun')
    const file = path.join(work, 'project.json')
    writeFileSync(file, JSON.stringify({ name: 'string!', budget: 'number#', status: 'Draft | Active | Done' }))
    const put = await run(['nouns', 'put', 'Project', '--file', file, 'tags=string[]', 'priority=int = 3', 'activate=Active'])
    expect(put.code, put.stderr).toBe(0)
    expect(put.stdout).toMatch(/^saved Project \(schema version \d+\)/)
    expect(put.stdout).toMatch(/priority\s+int = 3/)
    expect(put.stdout).toContain('verbs: activate → Active')

    const table = await run(['nouns'])
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/^Name\s+Collection\s+Kind\s+Custom fields/)
    expect(table.stdout).toMatch(/Contact\s+\/contacts\s+built-in\n/)
    expect(table.stdout).toMatch(/Project\s+\/projects\s+custom\s+name, budget, status, tags, priority\n/)
    // `revline nouns Project` is `nouns show Project` (it used to be refused as an extra argument of list).
    const one = await run(['nouns', 'Project'])
    expect(one.code, one.stderr).toBe(0)
    expect(one.stdout).toMatch(/^Project \(custom\) · \/projects · ids project_…/)
    expect(one.stdout).toContain('verbs: activate → Active')

    const portal = json(await run(['create', 'projects', 'name=Portal', 'budget=12_000', 'tags=web,api', '--json']))
    expect(portal).toMatchObject({ $type: 'Project', name: 'Portal', budget: 12_000, tags: ['web', 'api'], priority: 3 })
    json(await run(['create', 'Project', 'name=Side', 'budget=500', '--json']))
    const badBudget = await run(['create', 'projects', 'name=X', 'budget=lots'])
    expect(badBudget.code).toBe(2)
    expect(badBudget.stderr).toContain("budget must be a number, got 'lots'")

    const activated = await run(['do', 'project', 'activate', portal.$id])
    expect(activated.code, activated.stderr).toBe(0)
    expect(activated.stdout).toMatch(/^Project\.activate ✓ project_\w+ \(version 2\)/)
    expect(activated.stdout).toMatch(/status\s+Active/)
    const again = await run(['do', 'project', 'activate', portal.$id])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('409 invalid_transition')
    const noVerb = await run(['do', 'project', 'launch', portal.$id])
    expect(noVerb.code).toBe(2)
    expect(noVerb.stderr).toContain('verbs of Project: activate, restore')

    const big = await run(['list', 'projects', '--where', 'budget[$gte]=1000'])
    expect(big.code, big.stderr).toBe(0)
    expect(big.stdout).toMatch(/^\$id\s+name\s+budget\s+status\s+tags\s+priority/)
    expect(big.stdout).toMatch(/Portal\s+12000\s+Active\s+web, api\s+3/)
    expect(big.stdout).toContain('1 of 1')

    // A custom field on a built-in noun: typed from /nouns on create, filtered on list.
    expect((await run(['nouns', 'put', 'Contact', 'shoeSize=number#'])).code).toBe(0)
    expect((await run(['nouns', 'put', 'Contact', 'tier=Gold | Silver', '--merge'])).code).toBe(0)
    expect((await client.nouns.get('Contact')).custom).toEqual({ shoeSize: 'number#', tier: 'Gold | Silver' })
    const ada = json(await run(['create', 'contacts', 'name=Ada', 'email=ada@acme-labs.dev', 'shoeSize=38', 'tier=Gold', '--json']))
    expect(ada).toMatchObject({ shoeSize: 38, tier: 'Gold' })
    const sized = json(await run(['list', 'contacts', '--where', 'shoeSize[$gte]=30', '--json']))
    expect(sized.data.map((c: { $id: string }) => c.$id)).toEqual([ada.$id])

    const unknown = await run(['list', 'widgets'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("unknown collection 'widgets'")
    expect(unknown.stderr).toContain('projects')
  })

  it('revline types writes a .d.ts the compiler accepts with the SDK, typing custom nouns and fields', async () => {
    const out = path.join(work, 'revline-types.d.ts')
    const r = await run(['types', '--out', out])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^wrote .*revline-types\.d\.ts: 18 nouns \(1 of the tenant's own\)/)
    const usage = path.join(work, 'usage.ts')
    writeFileSync(
      usage,
      `import { createClient } from ${JSON.stringify(path.join(root, 'sdk'))}
import type { Contact, Project, ProjectCreate, ProjectUpdate, ProjectVerb, RevlineNouns } from './revline-types'

const crm = createClient({ baseUrl: 'http://127.0.0.1:9', tenant: 't', apiKey: 'k' })
export async function use() {
  const projects = crm.noun<Project, ProjectCreate, ProjectUpdate>('Project')
  const p = await projects.create({ name: 'Portal', budget: 12_000, status: 'Draft', tags: ['web'] })
  const status: 'Draft' | 'Active' | 'Done' | null | undefined = p.status
  const priority: number | null | undefined = p.priority
  const tags: string[] | null | undefined = p.tags
  const verb: ProjectVerb = 'activate'
  await projects.verb(p.$id, verb)
  // @ts-expect-error name is required
  await projects.create({ budget: 1 })
  // @ts-expect-error not one of the statuses
  await projects.create({ name: 'x', status: 'Paused' })
  // @ts-expect-error budget is a number
  await projects.update(p.$id, { budget: 'big' })
  // @ts-expect-error a required field cannot be unset
  await projects.update(p.$id, { name: null })
  // @ts-expect-error no such verb
  const launch: ProjectVerb = 'launch'
  const contact = await crm.noun<Contact>('Contact').get('contact_x')
  const size: number | null | undefined = contact.shoeSize
  const tier: 'Gold' | 'Silver' | null | undefined = contact.tier
  const email: string = contact.name
  const entity: RevlineNouns['Project']['entity'] = p
  return [status, priority, tags, launch, size, tier, email, entity]
}
`,
    )
    const diagnostics = typeCheck([usage, out])
    expect(diagnostics).toBe('')
  }, 120_000)

  it('nouns delete refuses while records exist, naming --drop; with it the collection goes', async () => {
    const refused = await run(['nouns', 'delete', 'Project'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('(409 schema_conflict)')
    expect(refused.stderr).toContain('repeat with --drop Project')
    const deleted = await run(['nouns', 'delete', 'Project', '--drop', 'Project'])
    expect(deleted.code, deleted.stderr).toBe(0)
    expect(deleted.stdout).toMatch(/^deleted Project \(schema version \d+\) · 2 records dropped/)
    expect((await run(['list', 'projects'])).code).toBe(2)
  })
})

/** Type-checks the files with the project's compiler options; answers the formatted errors ('' when none). */
function typeCheck(files: string[]): string {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'))
    },
  })!
  const program = ts.createProgram(files, config.options)
  // Only these files' diagnostics: the SDK itself is checked by `npm test`'s tsc.
  const diagnostics = files.flatMap((f) => [...program.getSyntacticDiagnostics(program.getSourceFile(f)), ...program.getSemanticDiagnostics(program.getSourceFile(f))])
  return ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' })
}

// The manifest endpoints (`GET/PUT /~t/manifest`) land on main separately; these run once both are merged.
describe('CLI: revline manifest pull and push', () => {
  it('pull prints the manifest; pushing it back changes nothing; push --dry-run lists a change and applies nothing', async () => {
    const client = await tenant('cli-manifest')
    await client.nouns.put('Ticket', { subject: 'string!', close: 'Closed', state: 'Open | Closed' })

    const pulled = json(await run(['manifest', 'pull']))
    expect(pulled).toMatchObject({ revline: 1, nouns: { Ticket: { subject: 'string!', close: 'Closed', state: 'Open | Closed' } } })
    expect(pulled.stages.map((s: { name: string }) => s.name)).toContain('Won')
    const file = path.join(work, 'revline.json')
    writeFileSync(file, JSON.stringify(pulled))
    const same = await run(['manifest', 'push', '--dry-run', '--file', file])
    expect(same.code, same.stderr).toBe(0)
    expect(same.stdout.trim()).toBe('no changes (dry run)')

    pulled.nouns.Ticket.severity = 'int'
    writeFileSync(file, JSON.stringify(pulled))
    const dry = await run(['manifest', 'push', '--dry-run', '--file', file])
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stdout).toMatch(/add\s+\S*severity/)
    expect(dry.stdout).toContain('1 change would be made (dry run: nothing changed)')
    expect((await client.nouns.get('Ticket')).custom).not.toHaveProperty('severity')
  })

  it('push from stdin applies the manifest and prints the changes; a broken one is refused whole', async () => {
    const client = await tenant('cli-manifest-push')
    const pulled = json(await run(['manifest', 'pull']))
    pulled.nouns.Ticket = { subject: 'string!' }
    const applied = json(await run(['manifest', 'push', '--json'], { input: JSON.stringify(pulled) }))
    expect(applied).toMatchObject({ dryRun: false })
    expect(applied.changes.some((c: { path: string; change: string }) => c.change === 'add' && c.path.includes('Ticket'))).toBe(true)
    expect((await client.nouns.get('Ticket')).definition).toEqual({ subject: 'string!' })

    pulled.nouns.Widget = { part: '-> Gadget' }
    const refused = await run(['manifest', 'push'], { input: JSON.stringify(pulled) })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('422 validation_failed')
    await expect(client.nouns.get('Widget').catch(problem)).resolves.toEqual({ status: 404, code: 'not_found' })
    const notJson = await run(['manifest', 'push'], { input: '{"revline":' })
    expect(notJson.code).toBe(2)
    expect(notJson.stderr).toContain('the manifest on stdin is not valid JSON')
  })
})
