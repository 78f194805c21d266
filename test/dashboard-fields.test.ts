/**
 * The tenant's own fields on the dashboard (issue 15): `PUT /settings/dashboard` marks custom fields
 * of Lead (and of the lead's contact) for the lead table and the Add Lead form, checked against the
 * tenant's nouns; a schema change that takes a marked field away is a conflict; the table shows the
 * values, the form offers the right control, and what is typed lands on the lead and contact.
 */
import { describe, expect, it } from 'vitest'
import { createOk, createTenant, expectProblem, issueKey, readOk, sendRaw, type RawResponse, type TenantApi } from './helpers'
import { signInAs } from './dashboard-sign-in'

const ORIGIN = 'http://revline.test'
const LEAD_FIELDS = { budgetTier: 'Bronze | Silver | Gold', seats: 'int', onSite: 'boolean', tags: 'string[]', referrer: 'string!', homepage: 'url', notes: 'text' }

async function tenantWithFields() {
  const t = await createTenant()
  expect((await t.api.put('/nouns/Lead', LEAD_FIELDS)).status).toBe(200)
  expect((await t.api.put('/nouns/Contact', { shoeSize: 'number' })).status).toBe(200)
  return t
}

async function mark(api: TenantApi, dashboard: { leadColumns?: string[]; leadForm?: string[] }) {
  const res = await api.put('/settings/dashboard', dashboard)
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body
}

describe('PUT /settings/dashboard', () => {
  it('is empty by default, takes custom fields of Lead and of the contact, and is logged as settings.updated', async () => {
    const { api } = await tenantWithFields()
    expect((await readOk(api, '/settings/dashboard')).data).toEqual({ leadColumns: [], leadForm: [] })
    const saved = await mark(api, { leadColumns: ['budgetTier', 'contact.shoeSize'], leadForm: ['budgetTier', 'seats'] })
    expect(saved.data).toEqual({ leadColumns: ['budgetTier', 'contact.shoeSize'], leadForm: ['budgetTier', 'seats'] })
    expect((await readOk(api, '/settings/dashboard')).data).toEqual(saved.data)
    const [event] = (await readOk(api, '/events?type=settings.updated')).data
    expect(event.data).toEqual({ dashboard: saved.data })
    // a section left out is empty
    expect((await mark(api, { leadColumns: ['seats'] })).data).toEqual({ leadColumns: ['seats'], leadForm: [] })
  })

  it('refuses names that are not the tenant’s own fields, naming each entry, and changes nothing', async () => {
    const { api } = await tenantWithFields()
    await mark(api, { leadColumns: ['seats'] })
    const refused = await api.put('/settings/dashboard', { leadColumns: ['seats', 'status', 'nope', 'contact.email', 'seats'], leadForm: ['tags', 'contact.shoeSize', 'Lead.seats'] })
    expectProblem(refused, 422, 'validation_failed')
    expect(refused.body.errors.map((e: { path: string }) => e.path)).toEqual([
      'dashboard.leadColumns[1]',
      'dashboard.leadColumns[2]',
      'dashboard.leadColumns[3]',
      'dashboard.leadColumns[4]',
      'dashboard.leadForm[0]',
      'dashboard.leadForm[2]',
    ])
    const byPath = Object.fromEntries(refused.body.errors.map((e: { path: string; message: string }) => [e.path, e.message]))
    expect(byPath['dashboard.leadColumns[1]']).toMatch(/^'status' is not a custom field of Lead \(it has budgetTier, seats, /)
    expect(byPath['dashboard.leadColumns[3]']).toBe("'contact.email' is not a custom field of Contact (it has contact.shoeSize)")
    expect(byPath['dashboard.leadColumns[4]']).toBe("'seats' is listed twice")
    expect(byPath['dashboard.leadForm[0]']).toBe("'tags' is a list or JSON field, which the form cannot edit")
    expectProblem(await api.put('/settings/dashboard', { leadColumns: 'seats' }), 422, 'validation_failed')
    expectProblem(await api.put('/settings/dashboard', { leadColumns: [], extra: [] }), 422, 'validation_failed')
    expect((await readOk(api, '/settings/dashboard')).data).toEqual({ leadColumns: ['seats'], leadForm: [] })
  })

  it('is for admins', async () => {
    const { slug, key, api } = await tenantWithFields()
    const member = await issueKey(slug, key, 'member')
    expectProblem(await member.api.put('/settings/dashboard', { leadColumns: ['seats'] }), 403, 'forbidden')
    expectProblem(await member.api.get('/settings/dashboard'), 403, 'forbidden')
    expect((await readOk(api, '/settings/dashboard')).data.leadColumns).toEqual([])
  })

  it('makes a schema change that takes a marked field away a 409 schema_conflict naming the setting, ?drop included', async () => {
    const { api } = await tenantWithFields()
    await mark(api, { leadColumns: ['seats', 'contact.shoeSize'], leadForm: ['budgetTier'] })
    const { seats: _seats, budgetTier: _tier, ...rest } = LEAD_FIELDS
    const refused = await api.put('/nouns/Lead?drop=seats,budgetTier', rest)
    expectProblem(refused, 409, 'schema_conflict')
    expect(refused.body.errors.map((e: { path: string }) => e.path)).toEqual(['settings.dashboard.leadColumns[0]', 'settings.dashboard.leadForm[0]'])
    expect(refused.body.errors[0].message).toMatch(/^'seats' is not a custom field of Lead after this change, and the dashboard shows it/)
    expectProblem(await api.put('/nouns/Contact', {}), 409, 'schema_conflict')
    // a list where the form had a control is no control any more
    expectProblem(await api.put('/nouns/Lead', { ...LEAD_FIELDS, budgetTier: 'string[]' }), 409, 'schema_conflict')
    expect(Object.keys((await readOk(api, '/nouns/Lead')).custom)).toContain('seats')
    // unmarked, it goes
    await mark(api, { leadColumns: ['contact.shoeSize'] })
    expect((await api.put('/nouns/Lead', rest)).status).toBe(200)
  })
})

/** Signs in by email link as an admin of the tenant (test/dashboard-sign-in.ts). */
const login = (slug: string, key: string) => signInAs(slug, key)

const crm = (slug: string, cookie: string) => sendRaw({ method: 'GET', path: `/~${slug}/dashboard/crm`, headers: { cookie } })
const addLead = (slug: string, cookie: string, form: Record<string, string>) =>
  sendRaw({ method: 'POST', path: `/~${slug}/dashboard/leads`, headers: { cookie, origin: ORIGIN }, body: new URLSearchParams(form) })

/** The page a form post's redirect leads to, with the flash it set. */
async function follow(slug: string, cookie: string, res: RawResponse) {
  expect(res.status, res.text.slice(0, 200)).toBe(303)
  const flash = res.headers.getSetCookie().find((c) => c.startsWith('rvl_flash='))!.split(';')[0]
  return sendRaw({ method: 'GET', path: res.headers.get('location')!, headers: { cookie: `${cookie}; ${flash}` } })
}

const decode = (html = '') => html.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
const alertText = (html: string) => decode(/<p class="notice" role="alert">([^<]*)<\/p>/.exec(html)?.[1])
const statusText = (html: string) => decode(/<p class="notice notice-ok" role="status">([^<]*)<\/p>/.exec(html)?.[1])
/** The cells of the table row of a lead, by column (data-field), as the page shows them. */
function cells(html: string, leadId: string): Record<string, string> {
  const row = new RegExp(`<tr data-lead="${leadId}">(.*?)</tr>`, 's').exec(html)?.[1] ?? ''
  return Object.fromEntries([...row.matchAll(/<td class="lead-custom" data-label="[^"]*" data-field="([^"]+)"[^>]*>([^<]*)<\/td>/g)].map((m) => [m[1]!, decode(m[2])]))
}
/** The Add Lead dialog's HTML. */
const dialogOf = (html: string) => /<dialog id="add-lead".*?<\/dialog>/s.exec(html)?.[0] ?? ''

describe('the CRM page with marked fields', () => {
  it('shows a column per marked field, values formatted, an en dash for none, the contact’s fields too', async () => {
    const { slug, key, api } = await tenantWithFields()
    const { cookie } = await login(slug, key)
    const plain = await crm(slug, cookie)
    expect(plain.text).not.toContain('class="lead-custom"')
    await mark(api, { leadColumns: ['budgetTier', 'seats', 'onSite', 'tags', 'homepage', 'contact.shoeSize'] })
    const contact = await createOk(api, 'contacts', { name: 'Sam Shoe', email: 'sam@shoe.dev', shoeSize: 44.5 })
    const full = await createOk(api, 'leads', { name: 'Full', source: 'website', referrer: 'Ann', contact: contact.$id, budgetTier: 'Gold', seats: 12000, onSite: false, tags: ['vip', 'eu'], homepage: 'https://full.example' })
    const bare = await createOk(api, 'leads', { name: 'Bare', source: 'website', referrer: 'Bob', tags: [] })

    const page = await crm(slug, cookie)
    expect(page.status).toBe(200)
    const headers = [...page.text.matchAll(/<th scope="col"[^>]*>([^<]*)<\/th>/g)].map((m) => m[1])
    expect(headers).toEqual(['Lead', 'Source', 'Score', 'Budget tier', 'Seats', 'On site', 'Tags', 'Homepage', 'Shoe size (contact)', 'Status', 'Created'])
    expect(cells(page.text, full.$id)).toEqual({ budgetTier: 'Gold', seats: '12,000', onSite: 'No', tags: 'vip, eu', homepage: 'https://full.example', 'contact.shoeSize': '44.5' })
    expect(cells(page.text, bare.$id)).toEqual({ budgetTier: '–', seats: '–', onSite: '–', tags: '–', homepage: '–', 'contact.shoeSize': '–' })
    expect(page.text).toContain('<td class="lead-custom" data-label="Budget tier" data-field="budgetTier">Gold</td>')
  })

  it('offers a control per marked form field: select, number, checkbox, text, required marked', async () => {
    const { slug, key, api } = await tenantWithFields()
    const { cookie } = await login(slug, key)
    expect(dialogOf((await crm(slug, cookie)).text)).not.toContain('name="custom.')
    await mark(api, { leadForm: ['budgetTier', 'seats', 'onSite', 'referrer', 'notes', 'contact.shoeSize'] })
    const dialog = dialogOf((await crm(slug, cookie)).text)
    expect(dialog).toContain('<label><span>Budget tier</span><select name="custom.budgetTier"><option value="">–</option><option value="Bronze">Bronze</option><option value="Silver">Silver</option><option value="Gold">Gold</option></select></label>')
    expect(dialog).toContain('<label><span>Seats</span><input name="custom.seats" type="number" autocomplete="off" step="1" inputmode="numeric"/></label>')
    expect(dialog).toContain('<label class="check"><input type="hidden" name="custom.onSite" value="false"/><input type="checkbox" name="custom.onSite" value="true"/> On site</label>')
    expect(dialog).toContain('<label><span>Referrer<span class="hint"> (required)</span></span><input name="custom.referrer" type="text" required="" autocomplete="off"/></label>')
    expect(dialog).toContain('<textarea name="custom.notes" rows="2"></textarea>')
    expect(dialog).toContain('<label><span>Shoe size (contact)</span><input name="custom.contact.shoeSize" type="number" autocomplete="off" step="any" inputmode="decimal"/></label>')
    // the form's own fields come first, the note last
    expect(dialog.indexOf('name="source"')).toBeLessThan(dialog.indexOf('name="custom.budgetTier"'))
    expect(dialog.indexOf('name="custom.contact.shoeSize"')).toBeLessThan(dialog.indexOf('name="note"'))
  })

  it('puts what is typed on the new lead and its contact, typed, and on the timeline; fills only blanks of an open lead', async () => {
    const { slug, key, api } = await tenantWithFields()
    const { cookie, csrf } = await login(slug, key)
    await mark(api, { leadColumns: ['budgetTier', 'seats'], leadForm: ['budgetTier', 'seats', 'onSite', 'referrer', 'contact.shoeSize'] })
    const base = { csrf, firstName: 'Kim', lastName: 'Lee', email: 'kim@lee.dev', source: 'event' }
    const added = await addLead(slug, cookie, { ...base, 'custom.budgetTier': 'Silver', 'custom.seats': '25', 'custom.onSite': 'true', 'custom.referrer': ' Ann ', 'custom.contact.shoeSize': '41.5' })
    const page = await follow(slug, cookie, added)
    expect(statusText(page.text)).toBe('Lead added: “Kim Lee (event)”.')
    const [lead] = (await readOk(api, '/leads')).data
    expect(lead).toMatchObject({ budgetTier: 'Silver', seats: 25, onSite: true, referrer: 'Ann' })
    expect(cells(page.text, lead.$id)).toEqual({ budgetTier: 'Silver', seats: '25' })
    expect((await readOk(api, `/contacts/${lead.contact}`)).shoeSize).toBe(41.5)
    const [note] = (await readOk(api, `/activities?lead=${lead.$id}`)).data
    expect(note.body).toBe('firstName: Kim\nlastName: Lee\nemail: kim@lee.dev\nsource: event\nbudgetTier: Silver\nseats: 25\nonSite: yes\nreferrer: Ann\ncontact.shoeSize: 41.5')
    const [created] = (await readOk(api, `/events?type=lead.created&entity=${lead.$id}`)).data
    expect(created.after).toMatchObject({ budgetTier: 'Silver', seats: 25 })

    // the same email again joins the open lead: its answers stay, its blanks are filled
    await api.patch(`/leads/${lead.$id}`, { seats: null })
    await follow(slug, cookie, await addLead(slug, cookie, { ...base, 'custom.budgetTier': 'Gold', 'custom.seats': '30', 'custom.referrer': 'Bob', 'custom.contact.shoeSize': '43' }))
    expect((await readOk(api, '/leads')).total).toBe(1)
    expect(await readOk(api, `/leads/${lead.$id}`)).toMatchObject({ budgetTier: 'Silver', seats: 30, referrer: 'Ann' })
    expect((await readOk(api, `/contacts/${lead.contact}`)).shoeSize).toBe(41.5)

    // an unchecked box posts only its hidden "false": No; a form that had no box (marked since) says nothing
    const other = { csrf, firstName: 'Una', lastName: 'Box', source: 'other', 'custom.referrer': 'Ann' }
    await follow(slug, cookie, await addLead(slug, cookie, { ...other, email: 'unchecked@box.dev', 'custom.onSite': 'false' }))
    await follow(slug, cookie, await addLead(slug, cookie, { ...other, email: 'stale@box.dev' }))
    const onSite = async (email: string) => {
      const [contact] = (await readOk(api, `/contacts?email=${email}`)).data
      return (await readOk(api, `/leads?contact=${contact.$id}`)).data[0].onSite
    }
    expect(await onSite('unchecked@box.dev')).toBe(false)
    expect(await onSite('stale@box.dev')).toBeUndefined()
  })

  it('refuses what the fields do not take with the field named, and stores nothing', async () => {
    const { slug, key, api } = await tenantWithFields()
    const signedIn = await login(slug, key)
    const { cookie, csrf } = signedIn
    await mark(api, { leadForm: ['budgetTier', 'seats', 'referrer'] })
    const base = { csrf, firstName: 'Kim', lastName: 'Lee', email: 'kim@lee.dev', 'custom.referrer': 'Ann' }
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'custom.seats': 'twelve' }, /^the lead was not added: Seats must be a number$/],
      [{ 'custom.referrer': ' ' }, /^the lead was not added: Referrer is required$/],
      [{ 'custom.seats': '2.5' }, /Seats must be a whole number/],
      [{ 'custom.budgetTier': 'Platinum' }, /Budget tier /],
    ]
    for (const [form, message] of cases) {
      const page = await follow(slug, cookie, await addLead(slug, cookie, { ...base, ...form }))
      expect(alertText(page.text), JSON.stringify(form)).toMatch(message)
    }
    expect((await readOk(api, '/leads')).total).toBe(0)
    // (the one contact is the signed-in user's own)
    expect((await readOk(api, '/contacts')).data.map((c: { email: string }) => c.email)).toEqual([signedIn.email])
  })
})

describe('Contact.capture with leadFields and contactFields (the API door)', () => {
  it('lands the tenant’s own fields, names refused ones by their input, and takes no built-in field', async () => {
    const { api } = await tenantWithFields()
    const ok = await api.post('/contacts/capture', { email: 'ana@api.dev', name: 'Ana', leadFields: { referrer: 'Web', seats: 3 }, contactFields: { shoeSize: 38 } })
    expect(ok.status, JSON.stringify(ok.body)).toBe(200)
    expect(ok.body.shoeSize).toBe(38)
    const [lead] = (await readOk(api, '/leads')).data
    expect(lead).toMatchObject({ referrer: 'Web', seats: 3 })
    const [note] = (await readOk(api, `/activities?lead=${lead.$id}`)).data
    expect(note.body).toBe('name: Ana\nemail: ana@api.dev\nreferrer: Web\nseats: 3\ncontact.shoeSize: 38')

    const refusals: [unknown, string][] = [
      [{ leadFields: { referrer: 'x', seats: 'many' } }, 'leadFields.seats'],
      [{ leadFields: { referrer: 'x', status: 'Lost' } }, 'leadFields.status'],
      [{ leadFields: { referrer: 'x', nope: 1 } }, 'leadFields.nope'],
      [{ leadFields: ['x'] }, 'leadFields'],
      [{ leadFields: { referrer: 'x' }, contactFields: { email: 'b@b.dev' } }, 'contactFields.email'],
      [{ leadFields: { referrer: 'x' }, contactFields: { shoeSize: 'big' } }, 'contactFields.shoeSize'],
    ]
    for (const [extra, path] of refusals) {
      const res = await api.post('/contacts/capture', { email: 'new@api.dev', ...(extra as object) })
      expectProblem(res, 422, 'validation_failed', path)
      expect(res.body.errors.map((e: { path: string }) => e.path), JSON.stringify(res.body)).toContain(path)
    }
    expect((await readOk(api, '/contacts?email=new@api.dev')).total).toBe(0)
  })
})

describe("a lead's own page", () => {
  it('shows every custom field of the lead and its contact that holds a value, marked or not', async () => {
    const { api, slug, key } = await tenantWithFields()
    const contact = await createOk(api, 'contacts', { name: 'Ivo Page', email: 'ivo@page.dev', shoeSize: 44.5 })
    const lead = await createOk(api, 'leads', { name: 'Page lead', source: 'website', contact: contact.$id, budgetTier: 'Gold', seats: 1200, onSite: false, referrer: 'Ann' })
    const { cookie } = await login(slug, key)
    const page = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/leads/${lead.$id}`, headers: { cookie } })
    expect(page.status).toBe(200)
    for (const [label, value] of [['Budget tier', 'Gold'], ['Seats', '1,200'], ['On site', 'No'], ['Referrer', 'Ann'], ['Shoe size (contact)', '44.5']])
      expect(page.text, label).toContain(`<dt>${label}</dt><dd>${value}</dd>`)
    expect(page.text).not.toContain('<dt>Homepage</dt>')
  })
})
