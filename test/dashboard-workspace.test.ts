/**
 * The dashboard as the team's workspace (issue 16): My day, the pipeline board (moving a deal runs
 * `advance` as the signed-in user), the contact and deal pages with their timelines from the event
 * log, and the settings pages, which are for admins only. Each test signs in by email link.
 */
import { describe, expect, it } from 'vitest'
import { createTenant, sendRaw, tenantApi, type RawResponse, type TenantApi } from './helpers'
import { signInAs, type DashboardSession } from './dashboard-sign-in'

const ORIGIN = 'http://revline.test'
const DAY = 86_400_000

const get = (slug: string, path: string, cookie: string) => sendRaw({ method: 'GET', path: `/~${slug}/dashboard/${path}`, headers: { cookie } })
const post = (slug: string, path: string, who: DashboardSession, form: Record<string, string>, headers: Record<string, string> = { origin: ORIGIN }) =>
  sendRaw({ method: 'POST', path: `/~${slug}/dashboard/${path}`, headers: { cookie: who.cookie, ...headers }, body: new URLSearchParams({ csrf: who.csrf, ...form }) })

/** Follows a form's 303 with the session and the flash it set: the page the browser shows next. */
async function follow(res: RawResponse, who: DashboardSession) {
  expect(res.status, res.text.slice(0, 300)).toBe(303)
  const flash = res.headers.getSetCookie().find((c) => c.startsWith('rvl_flash='))?.split(';')[0]
  return sendRaw({ method: 'GET', path: res.headers.get('location')!, headers: { cookie: flash ? `${who.cookie}; ${flash}` : who.cookie } })
}

const decode = (html = '') => html.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
const said = (html: string) => decode(/<p class="notice notice-ok" role="status">(.*?)<\/p>/s.exec(html)?.[1]?.replace(/<[^>]+>/g, ' ').trim())
const alerted = (html: string) => decode(/<p class="notice" role="alert">([^<]*)<\/p>/.exec(html)?.[1])
/** The HTML of the section labelled by `id` (up to the next section). */
const section = (html: string, id: string) => new RegExp(`<section[^>]*aria-labelledby="${id}"[^>]*>([\\s\\S]*?)</section>`).exec(html)?.[1] ?? ''
/** The board's columns in order, each with the deal ids on its cards. */
const columns = (html: string) => [...html.matchAll(/<section class="column" data-stage="([^"]+)"[\s\S]*?<\/section>/g)].map((m) => ({ stage: decode(m[1]), cards: [...m[0].matchAll(/data-card="([^"]+)"/g)].map((c) => c[1]) }))
const versionOn = (html: string, deal: string) => new RegExp(`action="[^"]*/deals/${deal}/advance"[^>]*>.*?name="version" value="(\\d+)"`, 's').exec(html)?.[1]

const contactOf = async (api: TenantApi, user: string) => (await api.get(`/users/${user}`)).body.contact as string

describe('My day', () => {
  it('lists my overdue and due-today tasks and my deals past their stage SLA, each linking to its record, and nothing of anyone else', async () => {
    const { slug, key, api } = await createTenant('day')
    const me = await signInAs(slug, key, { role: 'member', name: 'Mia Member' })
    const other = await signInAs(slug, key, { role: 'member', name: 'Otto Other' })
    const [mine, theirs] = [await contactOf(api, me.user), await contactOf(api, other.user)]
    const now = Date.now()
    const endOfToday = Math.floor(now / DAY) * DAY + DAY
    const at = (ms: number) => new Date(ms).toISOString()

    const deal = async (name: string, owner: string, stage: string, enteredDaysAgo: number) => {
      const made = (await api.post('/deals', { name, value: 5000, owner, stage })).body
      expect((await api.patch(`/deals/${made.$id}`, { stageEnteredAt: at(now - enteredDaysAgo * DAY) })).status).toBe(200)
      return made.$id as string
    }
    const late = await deal('Late rollout', mine, 'Prospecting', 10) // SLA 7
    await deal('Fresh pilot', mine, 'Negotiation', 2) // SLA 10
    await deal('Their late deal', theirs, 'Proposal', 30)

    const task = async (subject: string, dueAt: number, extra: Record<string, unknown> = {}) => (await api.post('/activities', { subject, type: 'Task', owner: mine, dueAt: at(dueAt), ...extra })).body.$id as string
    const overdue = await task('Send the contract', now - 2 * DAY, { deal: late, priority: 'High' })
    const today = await task('Call back Ana', Math.min(now + 60_000, endOfToday - 1))
    const tomorrow = await task('Prepare the QBR', endOfToday + 3_600_000)
    const done = await task('Already done', now - DAY, { status: 'Done' })
    const call = (await api.post('/activities', { subject: 'A call, not a task', type: 'Call', owner: mine, dueAt: at(now - DAY) })).body.$id
    const othersTask = (await api.post('/activities', { subject: 'Not mine', type: 'Task', owner: theirs, dueAt: at(now - DAY) })).body.$id

    const page = await get(slug, 'my-day', me.cookie)
    expect(page.status).toBe(200)
    const ids = (html: string, attr: string) => [...html.matchAll(new RegExp(`${attr}="([^"]+)"`, 'g'))].map((m) => m[1])
    expect(ids(section(page.text, 'overdue'), 'data-task')).toEqual([overdue])
    expect(ids(section(page.text, 'due-today'), 'data-task')).toEqual([today])
    expect(page.text).not.toContain(tomorrow)
    for (const hidden of [done, call, othersTask]) expect(page.text).not.toContain(hidden)
    // the overdue task links to the deal it is about; the late deal links to its page
    expect(section(page.text, 'overdue')).toContain(`<a href="/~${slug}/dashboard/deals/${late}">Late rollout</a>`)
    const deals = section(page.text, 'late-deals')
    expect(ids(deals, 'data-late-deal')).toEqual([late])
    expect(decode(deals.replace(/<[^>]+>/g, ''))).toMatch(/Prospecting for 10 days \(SLA 7\)/)
    expect(deals).toContain(`href="/~${slug}/dashboard/deals/${late}"`)
  })

  it('says plainly when the day is clear', async () => {
    const { slug, key } = await createTenant('day')
    const me = await signInAs(slug, key, { role: 'member' })
    const page = await get(slug, 'my-day', me.cookie)
    expect(page.text).toContain('No overdue tasks.')
    expect(page.text).toContain('Nothing else is due today.')
    expect(page.text).toContain('Every deal of yours is within its stage’s SLA.')
  })
})

describe('the pipeline board', () => {
  it('shows open deals as cards by stage; moving one runs advance as the user (deal.advanced, via the session)', async () => {
    const { slug, key, api } = await createTenant('board')
    const me = await signInAs(slug, key, { role: 'member', name: 'Mia Member' })
    const a = (await api.post('/deals', { name: 'Acme rollout', value: 20000, stage: 'Prospecting' })).body.$id
    const b = (await api.post('/deals', { name: 'Globex pilot', value: 9000, stage: 'Proposal' })).body.$id
    const won = (await api.post('/deals', { name: 'Initech renewal', value: 4000 })).body.$id
    await api.post(`/deals/${won}/win`)

    const board = await get(slug, 'board', me.cookie)
    expect(board.status).toBe(200)
    expect(columns(board.text)).toEqual([
      { stage: 'Prospecting', cards: [a] },
      { stage: 'Qualification', cards: [] },
      { stage: 'Proposal', cards: [b] },
      { stage: 'Negotiation', cards: [] },
    ])
    // each card's control is a labelled select and a button, in a form that works without script
    expect(board.text).toContain(`<label class="visually-hidden" for="move-${a}">Stage of Acme rollout</label>`)

    const moved = await post(slug, `deals/${a}/advance`, me, { stage: 'Negotiation', version: versionOn(board.text, a)!, back: 'board' })
    expect(moved.headers.get('location')).toBe(`/~${slug}/dashboard/board`)
    const after = await follow(moved, me)
    expect(said(after.text)).toBe('“Acme rollout” moved to Negotiation.')
    expect(columns(after.text).find((c) => c.stage === 'Negotiation')!.cards).toEqual([a])
    const event = (await api.events(`entity=${a}`)).at(-1)
    expect(event).toMatchObject({ type: 'deal.advanced', actor: me.user, actorRole: 'member', via: expect.stringMatching(/^ses_/) })
    expect(event.after.stage).toBe('Negotiation')
  })

  it('shows a refused move as a notice: the stage it is in, a closing stage, an unknown stage, a page that is out of date', async () => {
    const { slug, key, api } = await createTenant('board')
    const me = await signInAs(slug, key, { role: 'member' })
    const deal = (await api.post('/deals', { name: 'Acme rollout', value: 20000, stage: 'Proposal' })).body
    const version = String(deal.$version)
    const refusal = async (form: Record<string, string>) => alerted((await follow(await post(slug, `deals/${deal.$id}/advance`, me, form), me)).text)
    expect(await refusal({ stage: 'Proposal', version })).toBe('Deal is already in Proposal.')
    expect(await refusal({ stage: 'Won', version })).toMatch(/^A deal enters 'Won' through win, not by moving it there/)
    expect(await refusal({ stage: 'Bogus', version })).toMatch(/^'Bogus' is not one of this tenant's stages/)
    // someone else moves it: the page's version is out of date, and the move is not applied
    await api.post(`/deals/${deal.$id}/advance`, { stage: 'Negotiation' })
    expect(await refusal({ stage: 'Qualification', version })).toMatch(/^This deal changed since the page was loaded/)
    expect((await api.get(`/deals/${deal.$id}`)).body.stage).toBe('Negotiation')
  })

  it('refuses a move without the CSRF token or from another origin (403), and moves nothing', async () => {
    const { slug, key, api } = await createTenant('board')
    const me = await signInAs(slug, key, { role: 'member' })
    const deal = (await api.post('/deals', { name: 'Acme rollout', stage: 'Proposal' })).body.$id
    const noToken = await post(slug, `deals/${deal}/advance`, { ...me, csrf: '' }, { stage: 'Negotiation' })
    expect(noToken.status).toBe(403)
    const wrongToken = await post(slug, `deals/${deal}/advance`, { ...me, csrf: 'f'.repeat(32) }, { stage: 'Negotiation' })
    expect(wrongToken.status).toBe(403)
    const crossSite = await post(slug, `deals/${deal}/advance`, me, { stage: 'Negotiation' }, { origin: 'https://evil.example' })
    expect(crossSite.status).toBe(403)
    expect((await api.get(`/deals/${deal}`)).body.stage).toBe('Proposal')
    expect(await api.eventTypes(deal)).toEqual(['deal.created'])
  })
})

describe('record pages', () => {
  it('shows a deal with its related records and a timeline, newest first, naming the user who acted and what changed', async () => {
    const { slug, key, api, keyId } = await createTenant('rec')
    const me = await signInAs(slug, key, { role: 'member', name: 'Mia Member' })
    const contact = (await api.post('/contacts', { name: 'Ana Lima', email: 'ana@lima.dev' })).body.$id
    const deal = (await api.post('/deals', { name: 'Lima rollout', value: 12000, contact, stage: 'Prospecting' })).body.$id
    await api.post('/activities', { subject: 'Kick-off call', type: 'Call', deal, contact, status: 'Done' })
    const board = await get(slug, 'board', me.cookie)
    await follow(await post(slug, `deals/${deal}/advance`, me, { stage: 'Proposal', version: versionOn(board.text, deal)!, back: 'deal' }), me)

    const page = await get(slug, `deals/${deal}`, me.cookie)
    expect(page.status).toBe(200)
    expect(page.text).toContain('<h1>Lima rollout</h1>')
    expect(page.text).toContain(`<a href="/~${slug}/dashboard/contacts/${contact}">Ana Lima</a>`)
    const activities = decode(section(page.text, 'deal-activities').replace(/<[^>]+>/g, ' '))
    expect(activities).toContain('Kick-off call')
    expect(activities).toContain('Stage: Prospecting → Proposal')
    const timeline = section(page.text, 'timeline-title')
    const entries = [...timeline.matchAll(/<li data-event="([^"]+)"[^>]*>([\s\S]*?)<\/li>\s*(?=<li data-event|<\/ol>)/g)].map((m) => ({ type: m[1], text: decode(m[2]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')).trim() }))
    expect(entries.map((e) => e.type)).toEqual(['deal.advanced', 'deal.created'])
    expect(entries[0]!.text).toMatch(/^Advanced by Mia Member · \d{4}-\d\d-\d\d \d\d:\d\d UTC · deal\.advanced/)
    expect(entries[0]!.text).toContain('stage: Prospecting → Proposal')
    expect(entries[0]!.text).toContain('probability: 10 → 50')
    expect(entries[0]!.text).not.toContain('stageId')
    expect(entries[1]!.text).toMatch(new RegExp(`^Created by API key ${keyId} `))
    expect(entries[1]!.text).toContain('name: Lima rollout')
    // the move came from the deal's own page, and went back there
    expect(page.text).toContain(`action="/~${slug}/dashboard/deals/${deal}/advance"`)
  })

  it('shows a contact with its leads, deals and activities, and its timeline', async () => {
    const { slug, key, api } = await createTenant('rec')
    const me = await signInAs(slug, key, { role: 'member', name: 'Mia Member' })
    const contact = (await api.post('/contacts', { name: 'Ana Lima', email: 'ana@lima.dev', stage: 'Lead' })).body.$id
    const lead = (await api.post('/leads', { name: 'Lima inquiry', source: 'website', contact })).body.$id
    const deal = (await api.post('/deals', { name: 'Lima rollout', contact })).body.$id
    await api.patch(`/contacts/${contact}`, { title: 'CTO' })

    const page = await get(slug, `contacts/${contact}`, me.cookie)
    expect(page.status).toBe(200)
    expect(page.text).toContain('<h1>Ana Lima</h1>')
    expect(section(page.text, 'contact-leads')).toContain(`<a href="/~${slug}/dashboard/leads/${lead}">Lima inquiry</a>`)
    expect(section(page.text, 'contact-deals')).toContain(`<a href="/~${slug}/dashboard/deals/${deal}">Lima rollout</a>`)
    const timeline = decode(section(page.text, 'timeline-title').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '))
    expect(timeline.indexOf('Updated by')).toBeLessThan(timeline.indexOf('Created by'))
    expect(timeline).toContain('title: – → CTO')
    // and a lead's page links to it
    expect((await get(slug, `leads/${lead}`, me.cookie)).text).toContain(`href="../contacts/${contact}"`)
  })

  it('lets an admin forget a person from their contact page, after a typed confirmation; a member sees no such control', async () => {
    const { slug, key, api } = await createTenant('forget')
    const admin = await signInAs(slug, key, { role: 'admin', name: 'Ada Admin' })
    const member = await signInAs(slug, key, { role: 'member', name: 'Mia Member' })
    const contact = (await api.post('/contacts', { name: 'Ana Lima', email: 'ana@lima.dev', phone: '+55 11 5555 0101' })).body.$id
    await api.post('/leads', { name: 'Ana Lima', source: 'website', contact })

    expect(section((await get(slug, `contacts/${contact}`, member.cookie)).text, 'contact-forget')).toBe('')
    expect((await post(slug, `contacts/${contact}/forget`, member, { confirm: 'forget' })).status).toBe(403)
    const form = section((await get(slug, `contacts/${contact}`, admin.cookie)).text, 'contact-forget')
    expect(form).toContain(`action="/~${slug}/dashboard/contacts/${contact}/forget"`)

    const unconfirmed = await follow(await post(slug, `contacts/${contact}/forget`, admin, { confirm: 'yes' }), admin)
    expect(alerted(unconfirmed.text)).toBe('Type “forget” to confirm: nothing was erased.')
    expect((await api.get(`/contacts/${contact}`)).body).toMatchObject({ name: 'Ana Lima', email: 'ana@lima.dev' })

    const page = await follow(await post(slug, `contacts/${contact}/forget`, admin, { confirm: 'forget' }), admin)
    expect(said(page.text)).toBe('The person is forgotten: their personal data is erased from this contact and 1 related record.')
    expect(page.text).toContain('<h1>(forgotten)</h1>')
    expect(page.text).not.toContain('ana@lima.dev')
    expect(page.text).not.toContain('Ana Lima')
  })

  it('answers a record that is not there with a 404 page, and no session with the sign-in page', async () => {
    const { slug, key } = await createTenant('rec')
    const me = await signInAs(slug, key, { role: 'member' })
    for (const path of ['deals/deal_000000000', 'contacts/contact_000000000', 'deals/nope', 'contacts/lead_000000000']) {
      const res = await get(slug, path, me.cookie)
      expect(res.status, path).toBe(404)
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/)
      expect(res.text, path).toContain('<h1>Not found</h1>')
    }
    const anonymous = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/deals/deal_000000000` })
    expect(anonymous.status).toBe(303)
    expect(anonymous.headers.get('location')).toBe(`/~${slug}/dashboard/login`)
  })
})

describe('settings', () => {
  it('are for admins: a member has no Settings link and gets 403 pages, and 403 for every settings form before it is read', async () => {
    const { slug, key, api } = await createTenant('set')
    const member = await signInAs(slug, key, { role: 'member' })
    const home = await get(slug, 'my-day', member.cookie)
    expect(home.text).not.toContain('/dashboard/settings')
    for (const path of ['settings', 'settings/users', 'settings/keys', 'settings/stages']) {
      const res = await get(slug, path, member.cookie)
      expect(res.status, path).toBe(403)
      expect(res.text, path).toContain('Only admins of this team may open this page.')
    }
    const users = (await api.get('/users')).body.total
    const stages = (await api.get('/stages')).body.total
    // invalid forms too: 403 before validation
    const posts: [string, Record<string, string>][] = [
      ['settings/users', { email: 'not an email', name: '' }],
      ['settings/users', { email: 'new@team.test', name: 'New', role: 'admin' }],
      [`settings/users/${member.user}/role`, { role: 'admin' }],
      ['settings/keys', { name: '', role: 'superuser' }],
      ['settings/stages', { name: 'Demo' }],
      ['settings/stages/stage_000000000/retire', {}],
    ]
    for (const [path, form] of posts) expect((await post(slug, path, member, form)).status, path).toBe(403)
    expect((await api.get('/users')).body.total).toBe(users)
    expect((await api.get('/stages')).body.total).toBe(stages)
    expect((await api.get(`/users/${member.user}`)).body.role).toBe('member')
  })

  it('let an admin invite someone (the invitation is a Message), change a role, deactivate and reactivate', async () => {
    const { slug, key, api } = await createTenant('set')
    const admin = await signInAs(slug, key, { role: 'admin', name: 'Ada Admin' })
    const invited = await post(slug, 'settings/users', admin, { name: 'Ben Seller', email: 'Ben@Team.test', role: 'member' })
    expect(invited.headers.get('location')).toBe(`/~${slug}/dashboard/settings/users`)
    const page = await follow(invited, admin)
    expect(said(page.text)).toBe('Invitation sent to ben@team.test (member).')
    const ben = (await api.get('/users?email=ben@team.test')).body.data[0]
    expect(ben).toMatchObject({ name: 'Ben Seller', role: 'member', status: 'Invited' })
    expect(page.text).toContain(`data-user="${ben.$id}"`)
    const message = (await api.get('/messages?kind=invitation&to=ben@team.test')).body.data[0]
    expect(message).toMatchObject({ to: 'ben@team.test', status: 'Sent' })
    expect(message.body).toContain(`http://revline.test/~${slug}/auth/link?token=`)
    // the event names the admin who invited, through the session
    expect((await api.events(`entity=${ben.$id}`))[0]).toMatchObject({ type: 'user.created', actor: admin.user, via: expect.stringMatching(/^ses_/) })

    expect(alerted((await follow(await post(slug, 'settings/users', admin, { name: 'X', email: 'nope' }), admin)).text)).toMatch(/email/)
    // an admin who is not an owner is not offered owner, and is refused it
    expect(page.text).not.toContain('<option value="owner"')
    expect(alerted((await follow(await post(slug, `settings/users/${ben.$id}/role`, admin, { role: 'owner' }), admin)).text)).toBe('Only an owner may make or unmake an owner.')

    expect(said((await follow(await post(slug, `settings/users/${ben.$id}/role`, admin, { role: 'admin' }), admin)).text)).toBe('Ben Seller is now admin.')
    expect(said((await follow(await post(slug, `settings/users/${ben.$id}/deactivate`, admin, {}), admin)).text)).toBe('Ben Seller is deactivated: their sessions ended and their keys are revoked.')
    expect((await api.get(`/users/${ben.$id}`)).body).toMatchObject({ role: 'admin', status: 'Deactivated' })
    expect(said((await follow(await post(slug, `settings/users/${ben.$id}/reactivate`, admin, {}), admin)).text)).toBe('Ben Seller is active again.')
    expect((await api.get(`/users/${ben.$id}`)).body.status).toBe('Active')
  })

  it('make a key for me whose secret shows once and acts as me, and revoke keys', async () => {
    const { slug, key } = await createTenant('set')
    const admin = await signInAs(slug, key, { role: 'admin', name: 'Ada Admin' })
    const made = await post(slug, 'settings/keys', admin, { name: 'laptop CLI', role: 'member' })
    const page = await follow(made, admin)
    const secret = decode(/<code class="secret">([^<]+)<\/code>/.exec(page.text)?.[1])
    expect(secret).toMatch(/^rvl_/)
    expect(said(page.text)).toMatch(/^Key “laptop CLI” \(member, key_\w+\) is made\. Copy its secret now: it is not shown again\./)
    // once: the same page again has no secret, and the list never shows one
    const again = await get(slug, 'settings/keys', admin.cookie)
    expect(again.text).not.toContain(secret)
    expect(again.text).toContain('laptop CLI')
    const me = await tenantApi(slug, secret).get('/me')
    expect(me.body).toMatchObject({ user: { $id: admin.user }, role: 'member' })

    const id = me.body.key as string
    expect(said((await follow(await post(slug, `settings/keys/${id}/revoke`, admin, {}), admin)).text)).toBe('Key “laptop CLI” is revoked: it stops working at once.')
    expect((await tenantApi(slug, secret).get('/me')).status).toBe(401)
    expect(alerted((await follow(await post(slug, 'settings/keys', admin, { name: '' }), admin)).text)).toBe('The key was not made: name is required (up to 100 characters).')
  })

  it('add, rename, reorder, retire and reinstate stages; Won keeps its name', async () => {
    const { slug, key, api } = await createTenant('set')
    const admin = await signInAs(slug, key, { role: 'admin' })
    const stages = async () => ((await api.get('/stages?sort=order&limit=50')).body.data as { $id: string; name: string; order: number; status: string; slaDays?: number }[])
    const id = async (name: string) => (await stages()).find((s) => s.name === name)!.$id
    const order = async () => (await stages()).map((s) => `${s.order}:${s.name}`)

    expect(said((await follow(await post(slug, 'settings/stages', admin, { name: 'Demo', probability: '40', slaDays: '3', after: await id('Qualification') }), admin)).text)).toBe('Stage “Demo” is added.')
    expect(await order()).toEqual(['1:Prospecting', '2:Qualification', '3:Demo', '4:Proposal', '5:Negotiation', '6:Won', '7:Lost'])
    expect((await stages()).find((s) => s.name === 'Demo')).toMatchObject({ slaDays: 3, probability: 40 })

    const demo = await id('Demo')
    expect(said((await follow(await post(slug, `settings/stages/${demo}`, admin, { name: 'Live demo', probability: '45', slaDays: '' }), admin)).text)).toBe('Stage “Live demo” is saved.')
    expect((await stages()).find((s) => s.$id === demo)).toMatchObject({ name: 'Live demo', probability: 45 })
    expect((await stages()).find((s) => s.$id === demo)!.slaDays).toBeUndefined()

    await follow(await post(slug, `settings/stages/${demo}/move`, admin, { direction: 'up' }), admin)
    expect(await order()).toEqual(['1:Prospecting', '2:Live demo', '3:Qualification', '4:Proposal', '5:Negotiation', '6:Won', '7:Lost'])
    const top = await follow(await post(slug, `settings/stages/${await id('Prospecting')}/move`, admin, { direction: 'up' }), admin)
    expect(said(top.text)).toBe('“Prospecting” is already at the top of the open stages.')

    expect(said((await follow(await post(slug, `settings/stages/${demo}/retire`, admin, {}), admin)).text)).toBe('Stage “Live demo” is retired.')
    expect(columns((await get(slug, 'board', admin.cookie)).text).map((c) => c.stage)).toEqual(['Prospecting', 'Qualification', 'Proposal', 'Negotiation'])
    await follow(await post(slug, `settings/stages/${demo}/reinstate`, admin, {}), admin)
    expect(columns((await get(slug, 'board', admin.cookie)).text).map((c) => c.stage)).toEqual(['Prospecting', 'Live demo', 'Qualification', 'Proposal', 'Negotiation'])

    const won = await id('Won')
    expect(alerted((await follow(await post(slug, `settings/stages/${won}`, admin, { name: 'Closed won' }), admin)).text)).toMatch(/^The Won stage keeps its name and kind/)
    expect(alerted((await follow(await post(slug, 'settings/stages', admin, { name: 'Proposal' }), admin)).text)).toMatch(/name/)
  })
})
