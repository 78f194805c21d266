/**
 * Every projection follows a tenant's own schema (issue 15): its OpenAPI document, MCP's tools,
 * import and export. Another tenant sees none of it.
 */
import { describe, expect, it } from 'vitest'
import { callTool, createOk, createTenant, readOk, rawRequest } from './helpers'

const PROJECT = { name: 'string!', budget: 'number#', status: 'Draft | Active | Done', client: '-> Organization.projects', activate: 'Active' }

describe("the tenant's OpenAPI document", () => {
  it('has its custom nouns, fields and verbs; the root document and other tenants have none', async () => {
    const { api, slug } = await createTenant()
    const other = await createTenant()
    await api.put('/nouns/Contact', { shoeSize: 'number#', tier: 'Gold | Silver' })
    await api.put('/nouns/Project', PROJECT)
    const doc = await readOk(api, '/openapi.json')
    expect(doc.servers[0].url).toBe(`/~${slug}`)
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/projects', '/projects/{id}', '/projects/{id}/activate', '/nouns', '/nouns/{name}', '/manifest']))
    expect(doc.components.schemas.Project.properties).toMatchObject({ budget: { type: ['number', 'null'] }, status: { enum: ['Draft', 'Active', 'Done', null] } })
    expect(doc.components.schemas.Contact.properties.tier).toMatchObject({ enum: ['Gold', 'Silver', null] })

    const theirs = await readOk(other.api, '/openapi.json')
    expect(theirs.paths['/projects']).toBeUndefined()
    expect(theirs.components.schemas.Contact.properties.tier).toBeUndefined()
    const root = (await rawRequest('GET', '/openapi.json')).body
    expect(root.paths['/projects']).toBeUndefined()
    expect((await rawRequest('GET', `/~${slug}/openapi.json`)).status).toBe(401)
  })
})

describe('MCP over custom nouns', () => {
  it('describes, creates, runs verbs, searches and fetches them', async () => {
    const { api, slug, key } = await createTenant()
    await api.put('/nouns/Project', PROJECT)
    const org = await createOk(api, 'organizations', { name: 'Fjordline' })

    const schema = await callTool(slug, key, 'schema', { type: 'Project' })
    expect(schema.body).toMatchObject({ type: 'Project', collection: 'projects' })
    expect(schema.body.verbs.map((v: { verb: string }) => v.verb)).toContain('activate')

    const created = await callTool(slug, key, 'do', { type: 'Project', verb: 'create', data: { name: 'Portal', budget: 9000, status: 'Draft', client: org.$id } })
    expect(created.isError, JSON.stringify(created.body)).toBe(false)
    const activated = await callTool(slug, key, 'do', { type: 'Project', verb: 'activate', id: created.body.$id })
    expect(activated.body.status).toBe('Active')
    const steps = await callTool(slug, key, 'do', { steps: [{ type: 'Project', verb: 'create', data: { name: 'Two', budget: 100 } }, { type: 'Project', verb: 'activate', id: '$0.$id' }] })
    expect(steps.body.results[1].status).toBe('Active')

    const found = await callTool(slug, key, 'search', { type: 'projects', filter: { budget: { $gte: 1000 } }, query: 'Port' })
    expect(found.body.data.map((p: { name: string }) => p.name)).toEqual(['Portal'])
    const fetched = await callTool(slug, key, 'fetch', { type: 'Organization', id: org.$id, include: ['projects'] })
    expect(fetched.body.projects.map((p: { name: string }) => p.name)).toEqual(['Portal'])

    const other = await createTenant()
    const theirs = await callTool(other.slug, other.key, 'schema', { type: 'Project' })
    expect(theirs.isError).toBe(true)
  })
})

const NDJSON = { headers: { 'content-type': 'application/x-ndjson' } }
const CSV = { headers: { 'content-type': 'text/csv' } }
const lines = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n')

describe('import and export', () => {
  it('carry custom fields and custom nouns, validated row by row', async () => {
    const { api } = await createTenant()
    await api.put('/nouns/Contact', { shoeSize: 'number#' })
    await api.put('/nouns/Project', PROJECT)
    const res = await api.post('/contacts/import', lines([{ name: 'A', email: 'a@acme-labs.dev', shoeSize: 41 }, { name: 'B', email: 'b@acme-labs.dev', shoeSize: 'huge' }]), NDJSON)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ created: 1, rejected: 1, errors: [{ line: 2, field: 'shoeSize' }] })
    const csv = await api.post('/contacts/import', 'name,email,shoeSize\nC,c@acme-labs.dev,39.5\n', CSV)
    expect(csv.body).toMatchObject({ created: 1, rejected: 0 })
    expect((await readOk(api, '/contacts?shoeSize[$lt]=40')).data.map((c: { name: string }) => c.name)).toEqual(['C'])

    const projects = await api.post('/projects/import', 'name,budget,status\nP1,5,Draft\nP2,,Active\nP3,1,Paused\n', CSV)
    expect(projects.body, JSON.stringify(projects.body)).toMatchObject({ created: 2, rejected: 1, errors: [{ line: 4, field: 'status' }] })
    expect((await readOk(api, '/projects?sort=name')).data.map((p: { name: string }) => p.name)).toEqual(['P1', 'P2'])

    const exported = await api.get('/contacts/export?format=ndjson')
    expect(exported.status).toBe(200)
    expect(String(exported.body)).toMatch(/"shoeSize":41/)
    const projectCsv = await api.get('/projects/export?format=csv')
    expect(projectCsv.status).toBe(200)
    expect(String(projectCsv.body).split('\n')[0]).toMatch(/budget/)
  })
})
