/**
 * The dashboard's search (issue 17): a GET form in the header of every signed-in page, and the
 * results page, which reads the tenant object's full-text index as the signed-in user. Hits link to
 * their record's page, snippets keep only the index's marks as markup, anything else a record or a
 * query holds is escaped, paging follows the index's cursor, and whatever the address carries that
 * cannot be searched is a notice on the page, never an error.
 */
import { describe, expect, it } from 'vitest'
import { createTenant, sendRaw } from './helpers'
import { signInAs } from './dashboard-sign-in'
import { snippetHtml } from '../src/dashboard/search-page'

const get = (slug: string, path: string, cookie: string) => sendRaw({ method: 'GET', path: `/~${slug}/dashboard/${path}`, headers: { cookie } })
const search = (slug: string, cookie: string, query: string) => get(slug, `search?${query}`, cookie)

const decode = (html = '') => html.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
const alerted = (html: string) => [...html.matchAll(/<p class="notice" role="alert">([^<]*)<\/p>/g)].map((m) => decode(m[1]))
/** The hits on a results page, in order: id, type, the link of its name (if any), its HTML. */
const hits = (html: string) =>
  [...html.matchAll(/<li data-hit="([^"]+)" data-type="([^"]+)">([\s\S]*?)<\/li>/g)].map((m) => ({
    id: m[1]!,
    type: m[2]!,
    href: /<p class="hit-head"><span class="kind">[^<]*<\/span><a href="([^"]+)">/.exec(m[3]!)?.[1],
    html: m[3]!,
    text: decode(m[3]!.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim(),
  }))
const moreLink = (html: string) => /<a href="([^"]+)" rel="next">More results<\/a>/.exec(html)?.[1]?.replace(/&amp;/g, '&')
const box = (html: string) => /<form class="search" role="search"[\s\S]*?<\/form>/.exec(html)?.[0] ?? ''

describe('the header search box', () => {
  it('is on every signed-in page (for members too): a labelled GET form to the search page that needs no script', async () => {
    const { slug, key, api } = await createTenant('sbox')
    const admin = await signInAs(slug, key)
    const member = await signInAs(slug, key, { role: 'member' })
    const contact = (await api.post('/contacts', { name: 'Boxed Contact' })).body.$id
    const deal = (await api.post('/deals', { name: 'Boxed deal', value: 10 })).body.$id
    const lead = (await api.post('/leads', { name: 'Boxed lead', source: 'website' })).body.$id
    const pages = ['my-day', 'crm', 'board', `contacts/${contact}`, `deals/${deal}`, `leads/${lead}`, 'settings/users', 'account', 'search', 'search?q=boxed']
    for (const path of pages) {
      const res = await get(slug, path, admin.cookie)
      expect(res.status, path).toBe(200)
      const form = box(res.text)
      expect(form, path).toContain(`method="get" action="/~${slug}/dashboard/search"`)
      expect(form, path).toMatch(/<label class="visually-hidden" for="search-q">\s*Search records\s*<\/label><input id="search-q" type="search" name="q"/)
      expect(form, path).toMatch(/<label class="visually-hidden" for="search-type">\s*Kind of record\s*<\/label><select id="search-type" name="type">/)
      expect([...form.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]), path).toEqual(['', 'contacts', 'leads', 'deals', 'organizations', 'activities'])
      expect(form, path).not.toContain('csrf') // a GET: nothing of the session in the address
    }
    expect((await get(slug, 'my-day', member.cookie)).text).toContain('<form class="search" role="search"')
    // Only the search page without a query takes the focus; no page says autofocus="false".
    expect(box((await get(slug, 'search', admin.cookie)).text)).toMatch(/<input [^>]*autofocus/)
    expect(box((await get(slug, 'my-day', admin.cookie)).text)).not.toContain('autofocus')
    // Signed out: the sign-in page, as everywhere.
    const out = await sendRaw({ method: 'GET', path: `/~${slug}/dashboard/search?q=boxed` })
    expect([out.status, out.headers.get('location')]).toEqual([303, `/~${slug}/dashboard/login`])
  })
})

describe('the search page', () => {
  it('lists hits best first with their kind, links each to its page (an activity to what it is about), marks the words, and narrows by kind', async () => {
    const { slug, key, api } = await createTenant('sres')
    const me = await signInAs(slug, key, { role: 'member' })
    const zoe = (await api.post('/contacts', { name: 'Zoë Ångström', email: 'zoe@fjord.test', title: 'Head of Buying' })).body.$id
    const lead = (await api.post('/leads', { name: 'Zoe referral', source: 'referral' })).body.$id
    const deal = (await api.post('/deals', { name: 'Fjord renewal', value: 5000, description: 'Zoe asked for a renewal quote' })).body.$id
    const org = (await api.post('/organizations', { name: 'Zoetrope Ltd' })).body.$id
    const call = (await api.post('/activities', { subject: 'Lunch with Zoë', type: 'Call', deal })).body.$id
    await api.post('/contacts', { name: 'Nobody Else' })

    const page = await search(slug, me.cookie, 'q=zoe')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("script-src 'nonce-")
    const found = hits(page.text)
    expect(new Set(found.map((h) => h.id))).toEqual(new Set([zoe, lead, deal, org, call]))
    // The names that match come before the deal, which matched in its description only.
    expect(found.at(-1)!.id).toBe(deal)
    const byId = new Map(found.map((h) => [h.id, h]))
    expect(byId.get(zoe)).toMatchObject({ type: 'Contact', href: `/~${slug}/dashboard/contacts/${zoe}` })
    expect(byId.get(lead)).toMatchObject({ type: 'Lead', href: `/~${slug}/dashboard/leads/${lead}` })
    expect(byId.get(deal)).toMatchObject({ type: 'Deal', href: `/~${slug}/dashboard/deals/${deal}` })
    expect(byId.get(org)).toMatchObject({ type: 'Organization', href: undefined })
    expect(byId.get(org)!.html).toContain('<strong><span><mark>Zoetrope</mark> Ltd</span></strong>')
    // The activity has no page: it links to the deal it is about, by the deal's name.
    expect(byId.get(call)).toMatchObject({ type: 'Activity', href: undefined })
    expect(byId.get(call)!.html).toContain(`about <a href="/~${slug}/dashboard/deals/${deal}">Fjord renewal</a>`)
    // A name that matched shows its marks once; other text shows as the snippet below the name.
    expect(byId.get(zoe)!.html).toContain(`<a href="/~${slug}/dashboard/contacts/${zoe}"><span><mark>Zoë</mark> Ångström</span></a>`)
    expect(byId.get(deal)!.html).toMatch(/<a href="[^"]+">Fjord renewal<\/a><\/p><p class="snippet">[^<]*<mark>Zoe<\/mark> asked for a renewal quote<\/p>/)
    expect(page.text).toContain('Results for “zoe”')
    // The box keeps the query; the title names it.
    expect(box(page.text)).toContain('value="zoe"')
    expect(page.text).toContain('<title>Search: zoe · ')

    const deals = await search(slug, me.cookie, 'q=zoe&type=deals')
    expect(hits(deals.text).map((h) => h.id)).toEqual([deal])
    expect(box(deals.text)).toContain('<option value="deals" selected="">Deals</option>')
    expect(deals.text).toContain('Results for “zoe” among deals')
    expect(hits((await search(slug, me.cookie, 'q=zoe&type=Organization')).text).map((h) => h.id)).toEqual([org])

    const none = await search(slug, me.cookie, 'q=quokka')
    expect(hits(none.text)).toEqual([])
    expect(decode(none.text)).toContain('Nothing found for “quokka”.')
    expect(alerted(none.text)).toEqual([])
    const noneOfKind = await search(slug, me.cookie, 'q=nobody&type=leads')
    expect(decode(noneOfKind.text)).toContain('Nothing found for “nobody” among leads.')
    expect(noneOfKind.text).toContain(`<a href="/~${slug}/dashboard/search?q=nobody">search every kind of record</a>`)

    // No query: the box only (and a line on what it finds), no results, no notice.
    const empty = await search(slug, me.cookie, 'q=%20%20')
    expect(empty.status).toBe(200)
    expect(empty.text).not.toContain('results-title')
    expect(alerted(empty.text)).toEqual([])
    expect(empty.text).toContain('in the search box, then press Enter')
  })

  it('escapes what records and queries hold: only the index’s marks are markup', async () => {
    const { slug, key, api } = await createTenant('sesc')
    const me = await signInAs(slug, key)
    const hostile = (await api.post('/contacts', { name: '<img src=x onerror=alert(1)>', title: 'Buyer "<b>" & <i>co</i>' })).body.$id
    const note = (await api.post('/activities', { subject: 'Note', type: 'Note', body: 'Said <script>alert(1)</script> about onerror handling' })).body.$id

    const page = await search(slug, me.cookie, 'q=onerror')
    const found = new Map(hits(page.text).map((h) => [h.id, h]))
    expect([...found.keys()].sort()).toEqual([hostile, note].sort())
    expect(found.get(hostile)!.html).toContain('&lt;img src=x <mark>onerror</mark>=alert(1)&gt;')
    expect(found.get(note)!.html).toContain('Said &lt;script&gt;alert(1)&lt;/script&gt; about <mark>onerror</mark> handling')
    const title = await search(slug, me.cookie, 'q=buyer')
    expect(hits(title.text)[0]!.html).toContain('<mark>Buyer</mark> &quot;&lt;b&gt;&quot; &amp; &lt;i&gt;co&lt;/i&gt;')
    for (const res of [page, title]) {
      expect(res.text).not.toMatch(/<img|<script>alert|<b>|<i>/)
    }

    // The query itself: in the box, the heading and the title, always as text.
    const q = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    const echoed = await search(slug, me.cookie, `q=${encodeURIComponent(q)}`)
    expect(echoed.status).toBe(200)
    expect(echoed.text).not.toMatch(/<script>alert|<img/)
    expect(box(echoed.text)).toContain(`value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"`)
    expect(hits(echoed.text)).toEqual([]) // every word is required: "script", "alert", "1"… match nothing
    expect(decode(echoed.text)).toContain(`Nothing found for “${q}”.`)

    // A record holding the index's own marker characters cannot unbalance the marks.
    const odd = (await api.post('/contacts', { name: 'Quill \u0003odd\u0002 marker' })).body.$id
    // (GET /search answers `<mark>Quill</mark> </mark>odd<mark> marker` for it today)
    const marked = hits((await search(slug, me.cookie, 'q=quill')).text).find((h) => h.id === odd)!
    expect(marked.html.split('<mark>').length).toBe(marked.html.split('</mark>').length)
    expect(marked.html).not.toMatch(/<mark>[^<]*<mark>|<\/mark>[^<]*<\/mark>/)
  })

  it('answers hostile and malformed queries with a notice on the page, never an error page', async () => {
    const { slug, key, api } = await createTenant('shost')
    const me = await signInAs(slug, key)
    await api.post('/contacts', { name: 'Hostile Near' })
    const noWords = ['"', '*', '()', '"()*', '-', '^', ':', '%22%22%22', '(*)%22']
    for (const q of noWords) {
      const res = await search(slug, me.cookie, `q=${q}`)
      expect(res.status, q).toBe(200)
      expect(res.headers.get('content-type'), q).toContain('text/html')
      expect(alerted(res.text), q).toEqual([expect.stringMatching(/^“.*” has no words to search for: type at least one letter or digit\.$/)])
      expect(res.text, q).not.toContain('results-title')
    }
    // FTS syntax is words: each is searched for as a word.
    for (const q of ['hostile OR', 'NEAR(hostile near, 2)', 'name:hostile', 'hostile"', '-hostile', 'hostile AND NOT', 'hostile*']) {
      const res = await search(slug, me.cookie, `q=${encodeURIComponent(q)}`)
      expect(res.status, q).toBe(200)
      expect(alerted(res.text), q).toEqual([])
    }
    expect(hits((await search(slug, me.cookie, `q=${encodeURIComponent('NEAR(hostile near)')}`)).text)).toHaveLength(1)

    const long = await search(slug, me.cookie, `q=${'a'.repeat(600)}`)
    expect([long.status, alerted(long.text)]).toEqual([200, ['That search is too long: use at most 500 characters.']])
    expect(box(long.text)).toContain(`value="${'a'.repeat(500)}"`)

    // Text no route should see (NUL, bytes that are not UTF-8, an unpaired surrogate): a notice, not echoed.
    for (const q of ['%00', 'a%00b', '%FF%FE', '%ED%A0%80', 'hostile%C3']) {
      const res = await search(slug, me.cookie, `q=${q}`)
      expect(res.status, q).toBe(200)
      expect(alerted(res.text), q).toEqual(['The search has characters that cannot be searched for. Type the words again.'])
      expect(box(res.text), q).toContain('value=""')
    }
    // Other pages still refuse such text.
    expect((await get(slug, 'crm?status=%00', me.cookie)).status).toBe(400)

    const kind = await search(slug, me.cookie, `type=${encodeURIComponent('<x>')}&q=hostile`)
    expect(alerted(kind.text)).toEqual(['There is no kind of record “<x>” to search, so every kind was searched.'])
    expect(kind.text).not.toContain('<x>')
    expect(hits(kind.text)).toHaveLength(1)
    for (const cursor of ['-1', 'abc', '0', '0x10', '1e3', '1001', '99999999999', '%20']) {
      const res = await search(slug, me.cookie, `q=hostile&cursor=${cursor}`)
      expect([res.status, alerted(res.text)], cursor).toEqual([200, ['That page of results does not exist, so these are the first results.']])
      expect(hits(res.text), cursor).toHaveLength(1)
    }
    // Repeated parameters: the first counts.
    expect(hits((await search(slug, me.cookie, 'q=hostile&q=%22&type=contacts&type=deals')).text)).toHaveLength(1)
    // A POST is not a search.
    expect((await sendRaw({ method: 'POST', path: `/~${slug}/dashboard/search?q=%00`, headers: { cookie: me.cookie, origin: 'http://revline.test' } })).status).not.toBe(500)
  })

  it('pages with "More results" (the index’s cursor, the kind kept) until the last page', async () => {
    const { slug, key, api } = await createTenant('spage')
    const me = await signInAs(slug, key)
    const made = new Set<string>()
    for (let i = 0; i < 23; i++) made.add((await api.post('/contacts', { name: `Pager Person ${i}` })).body.$id)
    await api.post('/deals', { name: 'Pager deal', value: 1 })

    const first = await search(slug, me.cookie, 'q=pager&type=contacts')
    expect(hits(first.text)).toHaveLength(20)
    expect(first.text).toContain('(1–20)')
    const more = moreLink(first.text)!
    expect(more).toBe(`/~${slug}/dashboard/search?q=pager&type=contacts&cursor=20`)
    expect(first.text).not.toContain('First results')

    const second = await sendRaw({ method: 'GET', path: more, headers: { cookie: me.cookie } })
    expect(hits(second.text)).toHaveLength(3)
    expect(second.text).toContain('(21–23)')
    expect(moreLink(second.text)).toBeUndefined()
    expect(second.text).toContain(`<a href="/~${slug}/dashboard/search?q=pager&amp;type=contacts">First results</a>`)
    expect(new Set([...hits(first.text), ...hits(second.text)].map((h) => h.id))).toEqual(made)

    // Past the end: no more results, and the way back.
    const past = await search(slug, me.cookie, 'q=pager&cursor=1000')
    expect(hits(past.text)).toEqual([])
    expect(past.text).toContain('No more results.')
    expect(past.text).not.toContain('Nothing found')
    expect(past.text).toContain('First results')
    expect(alerted(past.text)).toEqual([])
  })
})

describe('snippetHtml', () => {
  it('keeps escaped text and balanced marks, and refuses anything else as markup', () => {
    expect(snippetHtml('&lt;b&gt; <mark>Zoë</mark> &amp; &quot;co&quot;')).toBe('&lt;b&gt; <mark>Zoë</mark> &amp; &quot;co&quot;')
    expect(snippetHtml('<mark>a</mark> </mark>b<mark> c')).toBe('<mark>a</mark> b<mark> c</mark>')
    expect(snippetHtml('<mark><mark>a</mark>')).toBe('<mark>a</mark>')
    for (const bad of ['<b>x</b>', '<mark onclick=x>a</mark>', 'a < b', 'a > b', 'a & b', '&#x3c;', '<MARK>a</MARK>', '<img src=x>']) expect(snippetHtml(bad), bad).toBeUndefined()
  })
})
