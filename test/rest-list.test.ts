/** Collection lists: filters, the JSON filter language, sorting, limits, cursor and page paging. */
import { describe, expect, it } from 'vitest'
import { createTenant, type ApiResponse, type TenantApi } from './helpers'
import { expectProblem } from './helpers'

const tick = (ms = 15) => new Promise((resolve) => setTimeout(resolve, ms))


/** The query as a string, values encoded (so `+01:00` and JSON survive) and `[$op]` kept readable. */
function qs(params: Record<string, string | number>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&')
}

type Row = { $id: string; name: string; [field: string]: unknown }

async function seed(api: TenantApi, rows: Record<string, unknown>[]): Promise<Row[]> {
  const out: Row[] = []
  for (const row of rows) {
    const res = await api.post('/contacts', row)
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    out.push(res.body)
  }
  return out
}

async function names(api: TenantApi, query: string): Promise<string[]> {
  const res = await api.get(`/contacts?${query}`)
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body.data.map((c: Row) => c.name)
}

/** Follows `next` until it is null; returns every row seen, in order. */
async function walk(api: TenantApi, query: string, between?: (page: number) => Promise<void>): Promise<Row[]> {
  const seen: Row[] = []
  let cursor: string | null = null
  for (let page = 0; page < 100; page++) {
    const res: ApiResponse = await api.get(`/contacts?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    seen.push(...res.body.data)
    cursor = res.body.next
    if (!cursor) return seen
    if (between) await between(page)
  }
  throw new Error('paging did not end')
}

const PEOPLE = [
  { name: 'Ada', stage: 'Lead', leadScore: 90, source: 'website', email: 'ada@acme.dev', title: 'Chief Engineer' },
  { name: 'Ben', stage: 'Qualified', leadScore: 75, source: 'referral', email: 'ben@acme.dev' },
  { name: 'Cy', stage: 'Lead', leadScore: 40, source: 'website', title: 'engineering manager' },
  { name: 'Di', stage: 'Customer', leadScore: 75, source: 'event' },
  { name: 'Ed', stage: 'Lead', source: 'referral', title: 'Sales' },
  { name: 'Flo', stage: 'Churned', leadScore: 10 },
]

describe('Contacts list', () => {
  it('answers { data, total, next } in creation order by default', async () => {
    const { api } = await createTenant()
    const rows = await seed(api, PEOPLE)
    const res = await api.get('/contacts')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(res.body.total).toBe(6)
    expect(res.body.next).toBeNull()
    expect(res.body.data).toEqual(rows)
  })

  it('is empty for a new tenant', async () => {
    const { api } = await createTenant()
    expect((await api.get('/contacts')).body).toEqual({ data: [], total: 0, next: null })
  })

  it('filters by equality', async () => {
    const { api } = await createTenant()
    await seed(api, PEOPLE)
    expect(await names(api, 'stage=Lead')).toEqual(['Ada', 'Cy', 'Ed'])
    expect(await names(api, 'stage=Lead&source=website')).toEqual(['Ada', 'Cy'])
    expect(await names(api, 'leadScore=75')).toEqual(['Ben', 'Di'])
    expect(await names(api, 'email=ben@acme.dev')).toEqual(['Ben'])
  })

  it('reads a repeated parameter as either value', async () => {
    const { api } = await createTenant()
    await seed(api, PEOPLE)
    expect(await names(api, 'stage=Customer&stage=Churned')).toEqual(['Di', 'Flo'])
  })

  it('counts total for the filter, not the tenant', async () => {
    const { api } = await createTenant()
    await seed(api, PEOPLE)
    const res = await api.get('/contacts?stage=Lead&limit=2')
    expect(res.body.total).toBe(3)
    expect(res.body.data).toHaveLength(2)
    expect(res.body.next).toEqual(expect.any(String))
    expect((await api.get('/contacts?stage=Partner')).body).toEqual({ data: [], total: 0, next: null })
  })

  it('filters by score range', async () => {
    const { api } = await createTenant()
    await seed(api, PEOPLE)
    expect(await names(api, 'leadScore[$gt]=40')).toEqual(['Ada', 'Ben', 'Di'])
    expect(await names(api, 'leadScore[$gte]=40')).toEqual(['Ada', 'Ben', 'Cy', 'Di'])
    expect(await names(api, 'leadScore[$lt]=75')).toEqual(['Cy', 'Flo'])
    expect(await names(api, 'leadScore[$lte]=75')).toEqual(['Ben', 'Cy', 'Di', 'Flo'])
    expect(await names(api, 'leadScore[$gte]=40&leadScore[$lt]=90')).toEqual(['Ben', 'Cy', 'Di'])
    expect(await names(api, 'leadScore[$gt]=39.5&leadScore[$lt]=40.5')).toEqual(['Cy'])
  })

  it('filters with $ne, including rows where the field is unset', async () => {
    const { api } = await createTenant()
    await seed(api, PEOPLE)
    expect(await names(api, 'stage[$ne]=Lead')).toEqual(['Ben', 'Di', 'Flo'])
    expect(await names(api, 'leadScore[$ne]=75')).toEqual(['Ada', 'Cy', 'Ed', 'Flo'])
  })

  it('filters with $in and $nin comma lists', async () => {
    const { api } = await createTenant()
    await seed(api, PEOPLE)
    expect(await names(api, 'stage[$in]=Customer,Churned')).toEqual(['Di', 'Flo'])
    expect(await names(api, 'leadScore[$in]=10,90')).toEqual(['Ada', 'Flo'])
    expect(await names(api, 'source[$nin]=website,referral')).toEqual(['Di', 'Flo'])
    expect(await names(api, 'stage[$nin]=Lead')).toEqual(['Ben', 'Di', 'Flo'])
  })

  it('filters with $exists', async () => {
    const { api } = await createTenant()
    await seed(api, PEOPLE)
    expect(await names(api, 'email[$exists]=true')).toEqual(['Ada', 'Ben'])
    expect(await names(api, 'leadScore[$exists]=false')).toEqual(['Ed'])
    expect(await names(api, 'title[$exists]=false&source[$exists]=true')).toEqual(['Ben', 'Di'])
  })

  it('filters with $contains as a case-insensitive substring', async () => {
    const { api } = await createTenant()
    await seed(api, PEOPLE)
    expect(await names(api, 'title[$contains]=engineer')).toEqual(['Ada', 'Cy'])
    expect(await names(api, 'title[$contains]=ENGINEER')).toEqual(['Ada', 'Cy'])
    expect(await names(api, 'title[$contains]=Sal')).toEqual(['Ed'])
    expect(await names(api, 'email[$contains]=@ACME.')).toEqual(['Ada', 'Ben'])
    // no wildcards: % and _ are plain characters
    expect(await names(api, `title[$contains]=${encodeURIComponent('%')}`)).toEqual([])
    expect(await names(api, 'title[$contains]=_')).toEqual([])
  })

  // SQLite's lower() folds ASCII only (there is no ICU in Durable Object SQLite): documented in the README.
  it('folds ASCII case in $contains and matches other letters as written', async () => {
    const { api } = await createTenant()
    await seed(api, [{ name: 'ÉLODIE Durand' }, { name: 'Łukasz Nowak' }, { name: 'Zoë Smith' }])
    expect(await names(api, qs({ 'name[$contains]': 'ÉLODIE' }))).toEqual(['ÉLODIE Durand'])
    expect(await names(api, qs({ 'name[$contains]': 'LODIE dur' }))).toEqual(['ÉLODIE Durand'])
    expect(await names(api, qs({ 'name[$contains]': 'Łukasz' }))).toEqual(['Łukasz Nowak'])
    expect(await names(api, qs({ 'name[$contains]': 'ZOë' }))).toEqual(['Zoë Smith'])
    expect(await names(api, qs({ 'name[$contains]': 'élodie' }))).toEqual([])
  })

  it('filters a list field with $contains on organizations', async () => {
    const { api } = await createTenant()
    for (const [name, tags] of [['A', ['saas', 'b2b']], ['B', ['retail']], ['C', ['b2b']]] as const) {
      expect((await api.post('/organizations', { name, tags })).status).toBe(201)
    }
    const res = await api.get('/organizations?tags[$contains]=b2b')
    expect(res.body.data.map((o: Row) => o.name)).toEqual(['A', 'C'])
    expect(res.body.total).toBe(2)
  })

  it('filters with a JSON filter using $and and $or', async () => {
    const { api } = await createTenant()
    await seed(api, PEOPLE)
    const or = { $or: [{ stage: 'Customer' }, { leadScore: { $gte: 90 } }] }
    expect(await names(api, qs({ filter: JSON.stringify(or) }))).toEqual(['Ada', 'Di'])
    const and = { $and: [{ stage: { $in: ['Lead', 'Qualified'] } }, { $or: [{ source: 'referral' }, { title: { $contains: 'MANAGER' } }] }] }
    expect(await names(api, qs({ filter: JSON.stringify(and) }))).toEqual(['Ben', 'Cy', 'Ed'])
    const nested = { leadScore: { $gte: 40, $lte: 75 }, stage: { $ne: 'Customer' } }
    expect(await names(api, qs({ filter: JSON.stringify(nested) }))).toEqual(['Ben', 'Cy'])
  })

  it('combines a JSON filter with field parameters', async () => {
    const { api } = await createTenant()
    await seed(api, PEOPLE)
    const filter = { $or: [{ source: 'website' }, { source: 'referral' }] }
    const res = await api.get(`/contacts?stage=Lead&${qs({ filter: JSON.stringify(filter) })}&limit=1`)
    expect(res.body.total).toBe(3)
    expect(res.body.data.map((c: Row) => c.name)).toEqual(['Ada'])
  })

  it('matches null in a JSON filter as unset', async () => {
    const { api } = await createTenant()
    await seed(api, PEOPLE)
    expect(await names(api, qs({ filter: JSON.stringify({ leadScore: null }) }))).toEqual(['Ed'])
    expect(await names(api, qs({ filter: JSON.stringify({ source: { $ne: null } }) }))).toEqual(['Ada', 'Ben', 'Cy', 'Di', 'Ed'])
  })

  it('compares dates as dates', async () => {
    const { api } = await createTenant()
    await seed(api, [{ name: 'Early' }])
    await tick()
    const [middle] = await seed(api, [{ name: 'Middle' }])
    await tick()
    await seed(api, [{ name: 'Late' }])
    const at = middle!.$createdAt as string
    expect(await names(api, qs({ '$createdAt[$gte]': at }))).toEqual(['Middle', 'Late'])
    expect(await names(api, qs({ '$createdAt[$lt]': at }))).toEqual(['Early'])
    // the same instant written with an offset, and without milliseconds one second later
    const offset = new Date(Date.parse(at) + 3600_000).toISOString().replace('Z', '+01:00')
    expect(await names(api, qs({ '$createdAt[$gte]': offset }))).toEqual(['Middle', 'Late'])
    const later = new Date(Date.parse(at) + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z')
    expect(await names(api, qs({ '$createdAt[$gte]': later }))).toEqual([])
  })

  it('compares a datetime field across offsets', async () => {
    const { api } = await createTenant()
    await seed(api, [
      { name: 'Morning', lastEngagement: '2024-03-01T10:00:00+02:00' },
      { name: 'Noon', lastEngagement: '2024-03-01T12:00:00Z' },
      { name: 'Never' },
    ])
    expect(await names(api, qs({ 'lastEngagement[$lt]': '2024-03-01T09:00:00Z' }))).toEqual(['Morning'])
    // 13:00+02:00 is 11:00Z: after Morning (08:00Z), before Noon
    expect(await names(api, qs({ 'lastEngagement[$gte]': '2024-03-01T13:00:00+02:00' }))).toEqual(['Noon'])
    expect(await names(api, qs({ 'lastEngagement[$gte]': '2024-03-01T09:30:00+02:00' }))).toEqual(['Morning', 'Noon'])
    expect(await names(api, qs({ 'lastEngagement[$gt]': '2024-03-01T11:00:00.000Z' }))).toEqual(['Noon'])
    expect(await names(api, qs({ filter: JSON.stringify({ lastEngagement: { $lte: '2024-03-01T08:00:00.000Z' } }) }))).toEqual(['Morning'])
  })

  it('filters on meta fields', async () => {
    const { api } = await createTenant()
    const rows = await seed(api, PEOPLE)
    expect(await names(api, `$id=${rows[2]!.$id}`)).toEqual(['Cy'])
    await api.patch(`/contacts/${rows[1]!.$id}`, { title: 'x' })
    expect(await names(api, '$version[$gt]=1')).toEqual(['Ben'])
  })
})

describe('Contacts list sorting', () => {
  it('sorts by several fields, descending and ascending', async () => {
    const { api } = await createTenant()
    const rows = await seed(api, [
      { name: 'Mia', leadScore: 50 },
      { name: 'Zed', leadScore: 80 },
      { name: 'Abe', leadScore: 50 },
      { name: 'Kim', leadScore: 80 },
      { name: 'Lou', leadScore: 20 },
      { name: 'Bob' },
    ])
    expect(await names(api, 'sort=-leadScore,name')).toEqual(['Kim', 'Zed', 'Abe', 'Mia', 'Lou', 'Bob'])
    expect(await names(api, 'sort=leadScore,-name')).toEqual(['Bob', 'Lou', 'Mia', 'Abe', 'Zed', 'Kim'])
    expect(await names(api, 'sort=name')).toEqual(['Abe', 'Bob', 'Kim', 'Lou', 'Mia', 'Zed'])
    expect(await names(api, 'sort=-$createdAt')).toEqual([...rows].reverse().map((r) => r.name))
  })

  it('accepts an explicit + for ascending', async () => {
    const { api } = await createTenant()
    await seed(api, [{ name: 'B' }, { name: 'A' }])
    expect(await names(api, `sort=${encodeURIComponent('+name')}`)).toEqual(['A', 'B'])
  })

  it('answers 400 for a sort on an unknown field', async () => {
    const { api } = await createTenant()
    const res = await api.get('/contacts?sort=-popularity')
    expectProblem(res, 400, 'invalid_query')
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'sort', message: expect.stringContaining('popularity') })])
  })

  it('answers 400 for more than three sort keys', async () => {
    const { api } = await createTenant()
    expectProblem(await api.get('/contacts?sort=name,leadScore,stage,source'), 400, 'invalid_query')
  })
})

describe('Contacts list limits', () => {
  it('returns 25 rows by default', async () => {
    const { api } = await createTenant()
    await seed(api, Array.from({ length: 27 }, (_, i) => ({ name: `P${String(i).padStart(2, '0')}` })))
    const res = await api.get('/contacts')
    expect(res.body.data).toHaveLength(25)
    expect(res.body.total).toBe(27)
    expect(res.body.next).toEqual(expect.any(String))
  })

  it('accepts limit up to 200', async () => {
    const { api } = await createTenant()
    await seed(api, [{ name: 'One' }, { name: 'Two' }])
    const res = await api.get('/contacts?limit=200')
    expect(res.status).toBe(200)
    expect(res.body.data).toHaveLength(2)
    expect(res.body.next).toBeNull()
  })

  it('answers 400 for a limit of 201, 0, or not a number', async () => {
    const { api } = await createTenant()
    for (const limit of ['201', '0', '-1', 'ten', '2.5']) {
      const res = await api.get(`/contacts?limit=${limit}`)
      expectProblem(res, 400, 'invalid_query')
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'limit' })])
    }
  })

  it('has no next when the last page is exactly full', async () => {
    const { api } = await createTenant()
    await seed(api, [{ name: 'A' }, { name: 'B' }, { name: 'C' }, { name: 'D' }])
    const first = await api.get('/contacts?limit=2')
    const second = await api.get(`/contacts?limit=2&cursor=${encodeURIComponent(first.body.next)}`)
    expect(second.body.data.map((c: Row) => c.name)).toEqual(['C', 'D'])
    expect(second.body.next).toBeNull()
    expect(second.body.total).toBe(4)
  })
})

describe('Contacts list paging', () => {
  it('walks every row exactly once with a cursor', async () => {
    const { api } = await createTenant()
    const rows = await seed(api, Array.from({ length: 11 }, (_, i) => ({ name: `R${i}` })))
    const seen = await walk(api, 'limit=3')
    expect(seen.map((r) => r.$id)).toEqual(rows.map((r) => r.$id))
  })

  it('walks a sort on a field with nulls, in both directions, without duplicates', async () => {
    const { api } = await createTenant()
    const scores = [30, null, 70, 30, null, 90, 70, null, 10, 30, null, 50]
    const rows = await seed(api, scores.map((s, i) => ({ name: `S${String(i).padStart(2, '0')}`, ...(s === null ? {} : { leadScore: s }) })))
    const byId = (a: Row, b: Row) => (a.$id < b.$id ? -1 : a.$id > b.$id ? 1 : 0)
    const score = (r: Row) => (r.leadScore as number | undefined) ?? null
    // SQLite order: NULLs first ascending, last descending; ties by $id in the sort's direction.
    const asc = [...rows].sort((a, b) => {
      const x = score(a), y = score(b)
      if (x !== y) return x === null ? -1 : y === null ? 1 : x - y
      return byId(a, b)
    })
    const desc = [...rows].sort((a, b) => {
      const x = score(a), y = score(b)
      if (x !== y) return x === null ? 1 : y === null ? -1 : y - x
      return byId(b, a)
    })
    for (const limit of [1, 2, 5]) {
      const up = await walk(api, `sort=leadScore&limit=${limit}`)
      expect(up.map((r) => r.$id), `asc limit ${limit}`).toEqual(asc.map((r) => r.$id))
      const down = await walk(api, `sort=-leadScore&limit=${limit}`)
      expect(down.map((r) => r.$id), `desc limit ${limit}`).toEqual(desc.map((r) => r.$id))
    }
  })

  it('walks a multi-field sort with nulls in the second key', async () => {
    const { api } = await createTenant()
    const spec = [
      ['Lead', 'b'], ['Lead', null], ['Customer', 'a'], ['Lead', 'a'], [null, 'c'], ['Customer', null], [null, null], ['Lead', 'b'],
    ] as const
    const rows = await seed(api, spec.map(([stage, source], i) => ({ name: `M${i}`, ...(stage ? { stage } : {}), ...(source ? { source } : {}) })))
    const full = (await api.get('/contacts?sort=-stage,source&limit=200')).body.data.map((r: Row) => r.$id)
    expect(new Set(full).size).toBe(rows.length)
    for (const limit of [1, 3]) {
      const seen = await walk(api, `sort=-stage,source&limit=${limit}`)
      expect(seen.map((r) => r.$id)).toEqual(full)
    }
  })

  it('pages a sort on text that is not Latin-1', async () => {
    const { api } = await createTenant()
    const rows = await seed(api, [{ name: 'Łukasz' }, { name: '张伟' }, { name: 'Ada' }, { name: 'Zoë 🚀' }])
    const seen = await walk(api, 'sort=name&limit=1')
    const expected = [...rows].sort((a, b) => (a.name < b.name ? -1 : 1)).map((r) => r.name)
    expect(seen.map((r) => r.name)).toEqual(expected)
    const desc = await walk(api, 'sort=-name&limit=3')
    expect(desc.map((r) => r.name)).toEqual([...expected].reverse())
  })

  it('stays stable when rows are inserted between pages', async () => {
    const { api } = await createTenant()
    const rows = await seed(api, [50, 40, 30, 20, 10, 60, 70].map((s, i) => ({ name: `O${i}`, leadScore: s })))
    let n = 0
    const seen = await walk(api, 'sort=-leadScore&limit=2', async () => {
      // one row sorts before everything already read, one lands in the middle of what is left
      await seed(api, [{ name: `New${n++}`, leadScore: 100 }, { name: `Mid${n++}`, leadScore: 35 }])
    })
    const ids = seen.map((r) => r.$id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const row of rows) expect(ids.filter((id) => id === row.$id)).toHaveLength(1)
    expect(seen.some((r) => r.name.startsWith('New'))).toBe(false)
    // still in sort order
    const scores = seen.map((r) => r.leadScore as number)
    expect(scores).toEqual([...scores].sort((a, b) => b - a))
  })

  it('stays stable under the default order when rows are inserted between pages', async () => {
    const { api } = await createTenant()
    const rows = await seed(api, Array.from({ length: 6 }, (_, i) => ({ name: `D${i}` })))
    let n = 0
    const seen = await walk(api, 'limit=2', async () => {
      await seed(api, [{ name: `Added${n++}` }])
    })
    const ids = seen.map((r) => r.$id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.slice(0, rows.length)).toEqual(rows.map((r) => r.$id))
  })

  it('keeps the filter while paging', async () => {
    const { api } = await createTenant()
    await seed(api, Array.from({ length: 9 }, (_, i) => ({ name: `F${i}`, stage: i % 3 === 0 ? 'Customer' : 'Lead' })))
    const seen = await walk(api, 'stage=Lead&limit=2&sort=name')
    expect(seen.map((r) => r.name)).toEqual(['F1', 'F2', 'F4', 'F5', 'F7', 'F8'])
  })

  it('serves page=2 with the rows after the first page', async () => {
    const { api } = await createTenant()
    await seed(api, Array.from({ length: 7 }, (_, i) => ({ name: `G${i}` })))
    expect(await names(api, 'limit=3&page=1')).toEqual(['G0', 'G1', 'G2'])
    const two = await api.get('/contacts?limit=3&page=2')
    expect(two.body.data.map((r: Row) => r.name)).toEqual(['G3', 'G4', 'G5'])
    expect(two.body.total).toBe(7)
    expect(await names(api, 'limit=3&page=3')).toEqual(['G6'])
    expect((await api.get('/contacts?limit=3&page=4')).body).toMatchObject({ data: [], total: 7, next: null })
    expect(await names(api, 'limit=2&page=2&sort=-name')).toEqual(['G4', 'G3'])
  })

  it('answers 400 for page=0 or page together with cursor', async () => {
    const { api } = await createTenant()
    await seed(api, [{ name: 'A' }, { name: 'B' }])
    expectProblem(await api.get('/contacts?page=0'), 400, 'invalid_query')
    const next = (await api.get('/contacts?limit=1')).body.next
    expectProblem(await api.get(`/contacts?limit=1&page=2&cursor=${encodeURIComponent(next)}`), 400, 'invalid_query')
  })

  it('answers 400 for a cursor from another sort', async () => {
    const { api } = await createTenant()
    await seed(api, [{ name: 'A', leadScore: 1 }, { name: 'B', leadScore: 2 }, { name: 'C', leadScore: 3 }])
    const next = (await api.get('/contacts?sort=name&limit=1')).body.next
    expect(next).toEqual(expect.any(String))
    for (const sort of ['-name', 'leadScore', 'name,leadScore']) {
      const res = await api.get(`/contacts?sort=${sort}&limit=1&cursor=${encodeURIComponent(next)}`)
      expectProblem(res, 400, 'invalid_query')
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'cursor' })])
    }
    const defaultNext = (await api.get('/contacts?limit=1')).body.next
    expectProblem(await api.get(`/contacts?sort=name&limit=1&cursor=${encodeURIComponent(defaultNext)}`), 400, 'invalid_query')
  })

  it('answers 400 for a cursor that is not one', async () => {
    const { api } = await createTenant()
    await seed(api, [{ name: 'A' }])
    for (const cursor of ['garbage', btoa('{"a":1}'), btoa('[1,2]'), '%%%']) {
      expectProblem(await api.get(`/contacts?cursor=${encodeURIComponent(cursor)}`), 400, 'invalid_query')
    }
  })
})

describe('Contacts list errors', () => {
  it('answers 400 invalid_query naming an unknown field', async () => {
    const { api } = await createTenant()
    const res = await api.get('/contacts?favouriteColour=blue')
    expectProblem(res, 400, 'invalid_query')
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'favouriteColour', message: expect.stringContaining('favouriteColour') })])
    const ops = await api.get('/contacts?shoeSize[$gt]=9')
    expectProblem(ops, 400, 'invalid_query')
    expect(ops.body.errors.map((e: { path: string }) => e.path).join(' ')).toContain('shoeSize')
  })

  it('answers 400 naming an unknown field inside a JSON filter', async () => {
    const { api } = await createTenant()
    const res = await api.get(`/contacts?${qs({ filter: JSON.stringify({ $or: [{ stage: 'Lead' }, { mood: 'happy' }] }) })}`)
    expectProblem(res, 400, 'invalid_query')
    expect(res.body.errors).toHaveLength(1)
    expect(res.body.errors[0].path).toContain('mood')
  })

  it('answers 400 for a reverse relation used as a filter', async () => {
    const { api } = await createTenant()
    expectProblem(await api.get('/contacts?reports=contact_000000000'), 400, 'invalid_query')
  })

  it('answers 400 for an unknown operator', async () => {
    const { api } = await createTenant()
    const res = await api.get('/contacts?leadScore[$between]=1')
    expectProblem(res, 400, 'invalid_query')
    expect(res.body.errors[0].message).toContain('$between')
    const json = await api.get(`/contacts?${qs({ filter: JSON.stringify({ leadScore: { $regex: '.*' } }) })}`)
    expectProblem(json, 400, 'invalid_query')
    const top = await api.get(`/contacts?${qs({ filter: JSON.stringify({ $nor: [{ stage: 'Lead' }] }) })}`)
    expectProblem(top, 400, 'invalid_query')
  })

  it('answers 400 for a value that is not a number', async () => {
    const { api } = await createTenant()
    for (const query of ['leadScore[$gt]=high', 'leadScore=', 'leadScore[$in]=1,two']) {
      const res = await api.get(`/contacts?${query}`)
      expectProblem(res, 400, 'invalid_query')
      expect(res.body.errors[0].path).toContain('leadScore')
    }
    const json = await api.get(`/contacts?${qs({ filter: JSON.stringify({ leadScore: { $gt: '50' } }) })}`)
    expectProblem(json, 400, 'invalid_query')
  })

  it('answers 400 for a value outside the enum', async () => {
    const { api } = await createTenant()
    const res = await api.get('/contacts?stage=Prospect')
    expectProblem(res, 400, 'invalid_query')
    expect(res.body.errors).toEqual([expect.objectContaining({ path: expect.stringMatching(/^stage\b/), message: expect.stringContaining('Lead') })])
    expectProblem(await api.get('/contacts?stage[$in]=Lead,lead'), 400, 'invalid_query')
    expectProblem(await api.get('/contacts?stage=lead'), 400, 'invalid_query')
  })

  it('does not let a filter reach deleted rows', async () => {
    const { api } = await createTenant()
    const [gone] = await seed(api, [{ name: 'Gone' }, { name: 'Here' }])
    await api.delete(`/contacts/${gone!.$id}`)
    expectProblem(await api.get('/contacts?$deletedAt[$exists]=true'), 400, 'invalid_query')
    expectProblem(await api.get(`/contacts?${qs({ filter: JSON.stringify({ $deletedAt: { $exists: true } }) })}`), 400, 'invalid_query')
    expect(await names(api, `$id=${gone!.$id}`)).toEqual([])
  })

  it('answers 400 for a date that is not one', async () => {
    const { api } = await createTenant()
    expectProblem(await api.get('/contacts?$createdAt[$gte]=last-week'), 400, 'invalid_query')
  })

  it('answers 400 for $exists without a boolean and $contains on a number', async () => {
    const { api } = await createTenant()
    expectProblem(await api.get('/contacts?email[$exists]=yes'), 400, 'invalid_query')
    expectProblem(await api.get('/contacts?leadScore[$contains]=5'), 400, 'invalid_query')
  })

  it('answers 400 for a filter that is not JSON or not an object', async () => {
    const { api } = await createTenant()
    const bad = await api.get(`/contacts?${qs({ filter: '{stage:' })}`)
    expectProblem(bad, 400, 'invalid_query')
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'filter' })])
    expectProblem(await api.get(`/contacts?${qs({ filter: '[1,2]' })}`), 400, 'invalid_query')
    expectProblem(await api.get(`/contacts?${qs({ filter: JSON.stringify({ $or: [] }) })}`), 400, 'invalid_query')
  })

  it('reports every problem of a query at once', async () => {
    const { api } = await createTenant()
    const res = await api.get('/contacts?mood=x&limit=999&sort=nope')
    expectProblem(res, 400, 'invalid_query')
    const paths = res.body.errors.map((e: { path: string }) => e.path)
    expect(paths).toEqual(expect.arrayContaining(['mood', 'limit', 'sort']))
  })
})

describe('include on lists', () => {
  it('expands every row of the page as a single get does, and refuses a name that is no relation', async () => {
    const { api } = await createTenant()
    const org = (await api.post('/organizations', { name: 'Fjordline' })).body
    const ann = (await api.post('/contacts', { name: 'Ann', email: 'ann@fjord.dev', organization: org.$id })).body
    await api.post('/leads', { name: 'With contact', source: 'website', contact: ann.$id })
    await api.post('/leads', { name: 'Alone', source: 'website' })

    const leads = await api.get('/leads?include=contact&sort=name')
    expect(leads.status).toBe(200)
    expect(leads.body.data.map((l: { name: string; contact?: { name: string } }) => [l.name, l.contact?.name ?? null])).toEqual([
      ['Alone', null],
      ['With contact', 'Ann'],
    ])
    const orgs = await api.get('/organizations?include=contacts')
    expect(orgs.body.data[0].contacts.map((c: { name: string }) => c.name)).toEqual(['Ann'])
    const refused = await api.get('/leads?include=nope,contact')
    expectProblem(refused, 400, 'invalid_query')
    expect(refused.body.errors[0].path).toBe('include')
  })
})
