/**
 * Bulk: `POST /{collection}/import` (text/csv or application/x-ndjson) runs every row through the
 * create verb and reports bad rows by line and field; contacts are deduplicated by email.
 * `GET /{collection}/export` streams every live entity once, as NDJSON or CSV.
 */
import Papa from 'papaparse'
import { beforeAll, describe, expect, it } from 'vitest'
import { createTenant, issueKey, rawRequest, type ApiResponse, type TenantApi } from './helpers'
import { expectProblem } from './helpers'

/** Beyond the shared warm-up (test/warm-up.ts): the file's first import, out of the first test's budget. */
beforeAll(async () => {
  const { api } = await createTenant('warm')
  await api.post('/contacts/import', 'name\nWarm\n', { headers: { 'content-type': 'text/csv' } })
})


const CSV = { headers: { 'content-type': 'text/csv' } }
const NDJSON = { headers: { 'content-type': 'application/x-ndjson' } }

/** A body that arrives in small chunks, cut anywhere (inside quotes, inside multi-byte characters). */
function chunked(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text)
  let offset = 0
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close()
      controller.enqueue(bytes.slice(offset, offset + size))
      offset += size
    },
  })
}

async function byEmail(api: TenantApi, email: string) {
  const res = await api.get(`/contacts?email=${encodeURIComponent(email)}`)
  expect(res.body.total, email).toBe(1)
  return res.body.data[0]
}

/** Every line of an NDJSON export, parsed. */
function ndjson(text: string): any[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l))
}

describe('CSV import', () => {
  it('imports quoted fields (commas, quotes, newlines), numbers and enum stages', async () => {
    const { keyId, api } = await createTenant()
    const csv = [
      'name,email,stage,leadScore,title',
      '"Smith, Jane",Jane@CSV.dev,Lead,55,"Head of Sales, EMEA"',
      'Multi Line,multi@csv.dev,Qualified,70,"Line one',
      'line two"',
      '"Quote ""Q"" Person",quote@csv.dev,Customer,99.5,',
      'Zoë Ångström,zoe@csv.dev,Partner,0,Señora 🚀',
      '',
    ].join('\n')
    const res = await api.post('/contacts/import', csv, { headers: { 'content-type': 'text/csv; charset=utf-8', 'x-request-id': 'req-import-1' } })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ created: 4, updated: 0, rejected: 0, errors: [], rows: 4 })
    expect(typeof res.body.durationMs).toBe('number')

    expect(await byEmail(api, 'jane@csv.dev')).toMatchObject({ name: 'Smith, Jane', email: 'jane@csv.dev', stage: 'Lead', leadScore: 55, title: 'Head of Sales, EMEA' })
    expect(await byEmail(api, 'multi@csv.dev')).toMatchObject({ name: 'Multi Line', stage: 'Qualified', leadScore: 70, title: 'Line one\nline two' })
    expect(await byEmail(api, 'quote@csv.dev')).toMatchObject({ name: 'Quote "Q" Person', stage: 'Customer', leadScore: 99.5 })
    const zoe = await byEmail(api, 'zoe@csv.dev')
    expect(zoe).toMatchObject({ name: 'Zoë Ångström', stage: 'Partner', leadScore: 0, title: 'Señora 🚀' })
    expect(zoe.title).toBe('Señora 🚀')

    const events = await api.events()
    // The contact imported as a Customer gets its billing Customer (seed 002), in the same write.
    expect(events.map((e) => e.type)).toEqual(['contact.created', 'contact.created', 'contact.created', 'customer.created', 'contact.created'])
    for (const e of events) expect(e).toMatchObject({ actor: keyId, actorRole: 'admin', requestId: 'req-import-1' })
  })

  it('reports each bad row with its line and field (bad enum, missing name, unknown column) and writes the valid ones', async () => {
    const { api } = await createTenant()
    const csv = [
      'name,email,stage,leadScore,favouriteColour',
      'Good One,good1@csv.dev,Lead,10,',
      'Bad Stage,badstage@csv.dev,Bogus,10,',
      ',noname@csv.dev,Lead,5,',
      'Colour Fan,colour@csv.dev,Lead,20,blue',
      'Bad Score,badscore@csv.dev,Lead,lots,',
      'Good Two,good2@csv.dev,Qualified,80,',
    ].join('\n')
    const res = await api.post('/contacts/import', csv, CSV)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ created: 2, updated: 0, rejected: 4, rows: 6 })
    expect(res.body.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([
      [3, 'stage'],
      [4, 'name'],
      [5, 'favouriteColour'],
      [6, 'leadScore'],
    ])
    for (const e of res.body.errors) expect(e).toEqual({ line: expect.any(Number), field: expect.any(String), message: expect.stringMatching(/\S/) })

    expect((await api.get('/contacts')).body.total).toBe(2)
    expect((await byEmail(api, 'good1@csv.dev')).name).toBe('Good One')
    expect((await byEmail(api, 'good2@csv.dev')).stage).toBe('Qualified')
    for (const email of ['badstage@csv.dev', 'noname@csv.dev', 'colour@csv.dev', 'badscore@csv.dev']) expect((await api.get(`/contacts?email=${email}`)).body.total).toBe(0)
    expect(await api.eventTypes()).toEqual(['contact.created', 'contact.created'])
  })

  it('numbers rows by record (header = 1), so a quoted newline does not shift the lines after it', async () => {
    const { api } = await createTenant()
    const csv = ['name,email,stage,title', 'Multi,m@csv.dev,Lead,"one', 'two', 'three"', 'Bad,b@csv.dev,Bogus,', 'Good,g@csv.dev,Lead,', ''].join('\n')
    const res = await api.post('/contacts/import', csv, CSV)
    expect(res.body).toMatchObject({ created: 2, rejected: 1, rows: 3 })
    expect(res.body.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([[3, 'stage']])
    expect((await byEmail(api, 'm@csv.dev')).title).toBe('one\ntwo\nthree')
  })

  it('answers 422 with the report when every row is rejected', async () => {
    const { api } = await createTenant()
    const res = await api.post('/contacts/import', 'name,stage\n,Lead\nX,Nope\n', CSV)
    expect(res.status).toBe(422)
    expect(res.body).toMatchObject({ created: 0, updated: 0, rejected: 2, rows: 2 })
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['name', 'stage'])
    expect((await api.get('/contacts')).body.total).toBe(0)
  })

  it('reads CRLF line endings and a UTF-8 byte order mark', async () => {
    const { api } = await createTenant()
    const res = await api.post('/contacts/import', '\uFEFFname,email,leadScore\r\n"Windows, User",win@csv.dev,61\r\nMac User,mac@csv.dev,62\r\n', CSV)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ created: 2, rejected: 0 })
    expect(await byEmail(api, 'win@csv.dev')).toMatchObject({ name: 'Windows, User', leadScore: 61 })
    expect((await byEmail(api, 'mac@csv.dev')).name).toBe('Mac User')
  })

  it('does not duplicate a contact whose email exists (any case): it fills its blanks and counts it as updated', async () => {
    const { api } = await createTenant()
    const existing = (await api.post('/contacts', { name: 'Existing Person', email: 'existing@csv.dev', stage: 'Lead' })).body
    const csv = ['name,email,title,phone,stage', 'Renamed Person,EXISTING@CSV.dev,CTO,+1 555 0101,Qualified', 'New Person,new@csv.dev,CEO,,', 'Dupe In File,dupe@csv.dev,,,', 'Dupe Again,DUPE@csv.dev,COO,,'].join('\n')
    const res = await api.post('/contacts/import', csv, CSV)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ created: 2, updated: 2, rejected: 0, rows: 4 })
    expect((await api.get('/contacts')).body.total).toBe(3)

    // what it knew stays (name, stage); blanks are filled
    const after = (await api.get(`/contacts/${existing.$id}`)).body
    expect(after).toMatchObject({ name: 'Existing Person', email: 'existing@csv.dev', stage: 'Lead', title: 'CTO', phone: '+1 555 0101' })
    expect(await byEmail(api, 'dupe@csv.dev')).toMatchObject({ name: 'Dupe In File', title: 'COO' })
    expect(await api.eventTypes(existing.$id)).toEqual(['contact.created', 'contact.updated'])

    // importing the same file again creates nothing and changes nothing
    const before = (await api.eventTypes()).length
    const again = await api.post('/contacts/import', csv, CSV)
    expect(again.body).toMatchObject({ created: 0, updated: 4, rejected: 0 })
    expect((await api.get('/contacts')).body.total).toBe(3)
    expect((await api.eventTypes()).length).toBe(before)
  })

  it('checks a row that matches a known email like any other: an unknown column or a bad value is reported, not dropped', async () => {
    const { api } = await createTenant()
    const existing = (await api.post('/contacts', { name: 'Known', email: 'known@csv.dev', stage: 'Lead' })).body
    const csv = ['name,email,stage,favouriteColour', 'Known,known@csv.dev,,blue', 'Known,KNOWN@csv.dev,Bogus,', 'Fresh,fresh@csv.dev,Bogus,'].join('\n')
    const res = await api.post('/contacts/import', csv, CSV)
    expect(res.body.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([
      [2, 'favouriteColour'],
      [3, 'stage'],
      [4, 'stage'],
    ])
    expect(res.body).toMatchObject({ created: 0, updated: 0, rejected: 3 })
    expect((await api.get(`/contacts/${existing.$id}`)).body).toEqual(existing)
  })

  it('imports leads', async () => {
    const { api } = await createTenant()
    const csv = ['name,source,budget,status,need', 'Lead A,website,5000,New,CRM', 'Lead B,referral,,Contacted,', 'Lead C,,100,New,', 'Lead D,event,abc,New,'].join('\n')
    const res = await api.post('/leads/import', csv, CSV)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ created: 2, updated: 0, rejected: 2, rows: 4 })
    expect(res.body.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([
      [4, 'source'],
      [5, 'budget'],
    ])
    const leads = (await api.get('/leads?sort=name')).body.data
    expect(leads).toHaveLength(2)
    expect(leads[0]).toMatchObject({ name: 'Lead A', source: 'website', budget: 5000, status: 'New', need: 'CRM' })
    expect(leads[1]).toMatchObject({ name: 'Lead B', source: 'referral', status: 'Contacted' })
    expect(leads[1].budget).toBeUndefined()
    expect((await api.eventTypes()).filter((t) => t.startsWith('lead.'))).toEqual(['lead.created', 'lead.created'])
  })

  it('lets a member import (recorded as the member), but not into an admin-only collection', async () => {
    const { slug, key, api } = await createTenant()
    const member = await issueKey(slug, key, 'member')
    const res = await member.api.post('/contacts/import', 'name,email\nBy Member,member@csv.dev\n', CSV)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ created: 1 })
    expect((await byEmail(api, 'member@csv.dev')).$createdBy).toBe(member.id)
    const [event] = await api.events('type=contact.created')
    expect(event).toMatchObject({ actor: member.id, actorRole: 'member' })

    expectProblem(await member.api.post('/stages/import', 'name,order\nDiscovery,9\n', CSV), 403, 'forbidden')
    expect((await api.get('/stages?name=Discovery')).body.total).toBe(0)
    const admin = await api.post('/stages/import', 'name,order\nDiscovery,9\n', CSV)
    expect(admin.body).toMatchObject({ created: 1 })
  })

  it('answers 415 for other content types, 404 for unknown collections and 401 without a key', async () => {
    const { slug, api } = await createTenant()
    expectProblem(await api.post('/contacts/import', { name: 'x' }), 415, 'unsupported_media_type')
    expectProblem(await api.post('/contacts/import', 'name\nx\n', { headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type')
    expectProblem(await api.post('/contacts/import', 'name\nx\n', { headers: { 'content-type': 'application/vnd.ms-excel' } }), 415, 'unsupported_media_type')
    expectProblem(await api.post('/widgets/import', 'name\nx\n', CSV), 404, 'not_found')
    expectProblem(await rawRequest('POST', `/~${slug}/contacts/import`, { body: 'name\nx\n', headers: { 'content-type': 'text/csv' } }), 401, 'unauthorized')
    expect((await api.get('/contacts')).body.total).toBe(0)
  })
})

describe('NDJSON import', () => {
  it('imports JSON lines, reporting a malformed line, a non-object and an invalid row by line', async () => {
    const { api } = await createTenant()
    const text = [
      JSON.stringify({ name: 'Nd One', email: 'ND1@nd.dev', leadScore: 42, stage: 'Lead' }),
      JSON.stringify({ name: 'Nd Two', email: 'nd2@nd.dev', title: 'Line\nbreak, "quoted"' }),
      '{"name": "broken",',
      '',
      '["an", "array"]',
      JSON.stringify({ name: 'Nd Three', stage: 'Nope' }),
      JSON.stringify({ name: 'Nd Four', leadScore: 'twelve' }),
      JSON.stringify({ name: 'Nd Five', leadScore: '12' }),
    ].join('\n')
    const res = await api.post('/contacts/import', text, NDJSON)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ created: 3, updated: 0, rejected: 4, rows: 7 })
    expect(res.body.errors.map((e: { line: number; field: string | null }) => [e.line, e.field])).toEqual([
      [3, null],
      [5, null],
      [6, 'stage'],
      [7, 'leadScore'],
    ])
    expect(await byEmail(api, 'nd1@nd.dev')).toMatchObject({ name: 'Nd One', leadScore: 42, stage: 'Lead' })
    expect((await byEmail(api, 'nd2@nd.dev')).title).toBe('Line\nbreak, "quoted"')
    // text that reads as a number is taken as one, as in CSV
    expect((await api.get('/contacts?name=Nd Five')).body.data[0].leadScore).toBe(12)
    expect((await api.get('/contacts')).body.total).toBe(3)
  })

  it('accepts application/jsonl and a body streamed in small chunks', async () => {
    const { slug, key, api } = await createTenant()
    const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify({ name: `Ström ${i} 🚀`, email: `chunk${i}@nd.dev`, leadScore: i }))
    const res = await rawRequest('POST', `/~${slug}/contacts/import`, { key, body: chunked(lines.join('\n') + '\n', 7), headers: { 'content-type': 'application/jsonl' } })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ created: 30, rejected: 0 })
    expect((await byEmail(api, 'chunk29@nd.dev')).name).toBe('Ström 29 🚀')
  })
})

describe('Export', () => {
  it('rejects a bad format (400), unknown collections (404) and callers without a key (401)', async () => {
    const { slug, api } = await createTenant()
    expectProblem(await api.get('/contacts/export?format=xlsx'), 400, 'invalid_query')
    expectProblem(await api.get('/widgets/export'), 404, 'not_found')
    expectProblem(await rawRequest('GET', `/~${slug}/contacts/export`), 401, 'unauthorized')
  })

  it('exports CSV that parses back to the same values, quoted fields included', async () => {
    const { slug, key, api } = await createTenant()
    const member = await issueKey(slug, key, 'member')
    const csv = ['name,email,leadScore,title', '"Smith, Jane",jane@x.dev,55,"Line one', 'line two, ""quoted"""', 'Plain,plain@x.dev,,', ''].join('\n')
    expect((await api.post('/contacts/import', csv, CSV)).body).toMatchObject({ created: 2 })
    const res = await member.api.get('/contacts/export?format=csv')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/)
    expect(res.headers.get('content-disposition')).toContain('contacts.csv')
    const parsed = Papa.parse<Record<string, string>>(res.body as string, { header: true, skipEmptyLines: true })
    expect(parsed.errors).toEqual([])
    expect(parsed.meta.fields).toEqual(expect.arrayContaining(['$id', '$version', '$createdAt', 'name', 'email', 'leadScore', 'title']))
    expect(parsed.data).toHaveLength(2)
    const jane = parsed.data.find((r) => r.email === 'jane@x.dev')!
    expect(jane).toMatchObject({ name: 'Smith, Jane', leadScore: '55', title: 'Line one\nline two, "quoted"' })
    expect(parsed.data.find((r) => r.email === 'plain@x.dev')).toMatchObject({ name: 'Plain', leadScore: '', title: '' })
  })

  it('streams every live contact exactly once over several pages (ndjson and csv), deleted ones excluded', async () => {
    const { slug, key, api } = await createTenant()
    const total = 2_500
    // every 50th row has a quoted title with a comma, quotes and a newline; the body arrives in odd-sized chunks
    const rows = ['name,email,leadScore,title,stage']
    for (let i = 0; i < total; i++) rows.push(`"Person ${i}",p${i}@export.dev,${i % 100},${i % 50 === 0 ? `"Title ${i}, ""VP""\nsecond line"` : `Title ${i}`},${i % 2 ? 'Lead' : 'Qualified'}`)
    const imported = await rawRequest('POST', `/~${slug}/contacts/import`, { key, body: chunked(rows.join('\n') + '\n', 997), headers: { 'content-type': 'text/csv' } })
    expect(imported.status, JSON.stringify(imported.body).slice(0, 500)).toBe(200)
    expect(imported.body).toMatchObject({ created: total, updated: 0, rejected: 0, errors: [], rows: total })

    const deleted: string[] = []
    for (const i of [0, 1234, 2499]) {
      const contact = await byEmail(api, `p${i}@export.dev`)
      expect((await api.delete(`/contacts/${contact.$id}`)).status).toBe(204)
      deleted.push(contact.$id)
    }
    const live = total - deleted.length

    const res = await api.get('/contacts/export')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/)
    expect(res.headers.get('content-disposition')).toContain('contacts.ndjson')
    const records = ndjson(res.body as string)
    expect(records).toHaveLength(live)
    const ids = records.map((r) => r.$id)
    expect(new Set(ids).size).toBe(live)
    for (const id of deleted) expect(ids).not.toContain(id)
    const emails = new Set(records.map((r) => r.email))
    expect(emails.size).toBe(live)
    for (let i = 0; i < total; i++) expect(emails.has(`p${i}@export.dev`), `p${i}`).toBe(![0, 1234, 2499].includes(i))
    const p50 = records.find((r) => r.email === 'p50@export.dev')
    expect(p50).toMatchObject({ name: 'Person 50', leadScore: 50, title: 'Title 50, "VP"\nsecond line', stage: 'Qualified' })
    expect(records.find((r) => r.email === 'p51@export.dev')).toMatchObject({ title: 'Title 51', stage: 'Lead', leadScore: 51 })

    const csv = await api.get('/contacts/export?format=csv')
    expect(csv.status).toBe(200)
    const parsed = Papa.parse<Record<string, string>>(csv.body as string, { header: true, skipEmptyLines: true })
    expect(parsed.errors).toEqual([])
    expect(parsed.meta.fields?.[0]).toBe('$id')
    expect(parsed.data).toHaveLength(live)
    expect(new Set(parsed.data.map((r) => r.$id))).toEqual(new Set(ids))
    // exactly one header row
    expect(parsed.data.some((r) => r.$id === '$id')).toBe(false)
    expect(parsed.data.find((r) => r.email === 'p100@export.dev')).toMatchObject({ title: 'Title 100, "VP"\nsecond line', leadScore: '0' })
  }, 120_000)

  it('exports nothing but a header for an empty collection', async () => {
    const { api } = await createTenant()
    const nd = await api.get('/contacts/export')
    expect(nd.status).toBe(200)
    expect(nd.body ?? '').toBe('')
    const csv = await api.get('/contacts/export?format=csv')
    expect(csv.status).toBe(200)
    const parsed = Papa.parse<Record<string, string>>(csv.body as string, { header: true, skipEmptyLines: true })
    expect(parsed.meta.fields?.[0]).toBe('$id')
    expect(parsed.data).toEqual([])
  })
})
