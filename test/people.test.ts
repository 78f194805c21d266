/** Issue 16, the core: users, invitations, email sign-in links, sessions, keys of users, deactivation. */
import { describe, expect, it } from 'vitest'
import { env, exports } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import { issueLink, LINK_PLACEHOLDER, withSignInLink } from '../src/durable/accounts'
import { ADMIN_TOKEN, createTenant, request, tenantApi } from './helpers'
import { asBrowser, BASE, linkFrom, signInWith, tenantWithOwner } from './people-helpers'

describe('users and invitations', () => {
  it('creating a tenant with an owner email invites the owner; following the link signs them in and activates them', async () => {
    const { slug, api, owner } = await tenantWithOwner()
    expect(owner.email).toBe('olive@people.dev')
    const user = (await api.get(`/users/${owner.id}`)).body
    expect(user).toMatchObject({ email: 'olive@people.dev', name: 'Olive Owner', role: 'owner', status: 'Invited' })
    const contact = (await api.get(`/contacts/${user.contact}`)).body
    expect(contact).toMatchObject({ email: 'olive@people.dev', name: 'Olive Owner' })

    const link = await linkFrom(api, 'olive@people.dev', 'invitation')
    expect(link.startsWith(`${BASE}/~${slug}/auth/link?token=`)).toBe(true)
    const signedIn = await signInWith(link)
    expect(signedIn.status).toBe(303)
    expect(signedIn.location).toBe(`/~${slug}/dashboard`)
    expect(signedIn.cookie).toMatch(/^rvl_session=/)

    const me = await asBrowser(`/~${slug}/me`, { cookie: signedIn.cookie })
    expect(me.status).toBe(200)
    expect(me.body.user).toMatchObject({ $id: owner.id, status: 'Active', role: 'owner' })
    expect(me.body.user.lastSignInAt).toBeTruthy()
    expect(me.body.session).toMatch(/^ses_/)
    const types = await api.eventTypes(owner.id)
    expect(types).toEqual(['user.activated', 'user.updated'])
    const activated = (await api.events(`entity=${owner.id}`))[0]
    expect(activated).toMatchObject({ actor: owner.id, via: me.body.session })

    // Her email is where her sign-in links go: nobody can move it now that she signs in.
    const moved = await api.patch(`/users/${owner.id}`, { email: 'attacker@evil.dev' })
    expect(moved.status).toBe(422)
    expect(moved.body.errors[0].path).toBe('email')
    // The link is single use.
    const again = await signInWith(link)
    expect(again.status).toBe(401)
    expect(again.text).toContain('used already')
  })

  it('POST /users (admin) invites a member with an email; members may not invite; the email is unique', async () => {
    const { key, api, slug } = await createTenant('inv')
    const res = await api.post('/users', { email: 'Mia@Team.dev', name: 'Mia Member', role: 'member' })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ email: 'mia@team.dev', status: 'Invited', role: 'member' })
    const message = (await api.get('/messages?kind=invitation')).body.data[0]
    expect(message).toMatchObject({ to: 'mia@team.dev', status: 'Sent', kind: 'invitation' })
    expect(message.body).toContain(`/~${slug}/auth/link?token=`)
    expect((await api.post('/users', { email: 'mia@team.dev', name: 'Again' })).status).toBe(409)

    const memberKey = (await api.post(`/users/${res.body.$id}/keys`, { name: 'mia laptop' })).body
    expect(memberKey).toMatchObject({ role: 'member', user: res.body.$id })
    const asMia = tenantApi(slug, memberKey.key)
    const refused = await asMia.post('/users', { email: 'x', name: 42 })
    expect(refused.status).toBe(403)
    expect(key).toBeTruthy()
  })

  it('a key never has more rights than its user; deactivating ends sessions and keys at once (401)', async () => {
    const { api, slug } = await createTenant('deact')
    const mia = (await api.post('/users', { email: 'mia@team.dev', name: 'Mia' })).body
    const tooMuch = await api.post(`/users/${mia.$id}/keys`, { name: 'admin please', role: 'admin' })
    expect(tooMuch.status).toBe(422)
    expect(tooMuch.body.errors[0].path).toBe('role')

    const signedIn = await signInWith(await linkFrom(api, 'mia@team.dev', 'invitation'))
    const own = await asBrowser(`/~${slug}/me/keys`, { cookie: signedIn.cookie, method: 'POST', body: { name: 'cli' } })
    expect(own.status).toBe(201)
    expect(own.body).toMatchObject({ role: 'member', user: mia.$id })
    const asMia = tenantApi(slug, own.body.key)
    const created = await asMia.post('/contacts', { name: 'Made by Mia' })
    expect(created.body.$createdBy).toBe(mia.$id)
    const event = (await api.events(`entity=${created.body.$id}`))[0]
    expect(event).toMatchObject({ actor: mia.$id, via: own.body.id, actorRole: 'member' })

    // A cross-site write with the cookie is refused.
    const crossSite = await asBrowser(`/~${slug}/me/keys`, { cookie: signedIn.cookie, method: 'POST', origin: 'https://evil.example', body: { name: 'x' } })
    expect(crossSite.status).toBe(403)

    expect((await api.post(`/users/${mia.$id}/deactivate`)).status).toBe(200)
    expect((await asMia.get('/contacts')).status).toBe(401)
    expect((await asBrowser(`/~${slug}/me`, { cookie: signedIn.cookie })).status).toBe(401)
    expect((await api.get('/keys')).body.data.find((k: { id: string }) => k.id === own.body.id).revokedAt).toBeTruthy()
    // Reactivated, they sign in again; old keys stay revoked.
    expect((await api.post(`/users/${mia.$id}/reactivate`)).status).toBe(200)
    expect((await asMia.get('/contacts')).status).toBe(401)
  })

  it('the last owner can be neither demoted nor deactivated; only an owner makes owners', async () => {
    const { slug, api, owner } = await tenantWithOwner()
    const demote = await api.patch(`/users/${owner.id}`, { role: 'admin' })
    expect(demote.status).toBe(409)
    expect((await api.post(`/users/${owner.id}/deactivate`)).status).toBe(409)
    const ann = (await api.post('/users', { email: 'ann@people.dev', name: 'Ann Admin', role: 'admin' })).body
    const annSession = await signInWith(await linkFrom(api, 'ann@people.dev', 'invitation'))
    const annKey = (await asBrowser(`/~${slug}/me/keys`, { cookie: annSession.cookie, method: 'POST', body: { name: 'k' } })).body
    expect(annKey.role).toBe('admin')
    const asAnn = tenantApi(slug, annKey.key)
    expect((await asAnn.patch(`/users/${ann.$id}`, { role: 'owner' })).status).toBe(403)
    expect((await asAnn.post(`/users/${owner.id}/deactivate`)).status).toBe(403)
    // An owner's way: make Ann owner, then Olive may step down.
    const olive = await signInWith(await linkFrom(api, 'olive@people.dev', 'invitation'))
    const oliveKey = (await asBrowser(`/~${slug}/me/keys`, { cookie: olive.cookie, method: 'POST', body: { name: 'k' } })).body
    const asOlive = tenantApi(slug, oliveKey.key)
    expect((await asOlive.patch(`/users/${ann.$id}`, { role: 'owner' })).status).toBe(200)
    const steppedDown = await asOlive.patch(`/users/${owner.id}`, { role: 'member' })
    expect(steppedDown.status).toBe(200)
    // Her key now acts with her new role: member.
    expect((await asOlive.post('/users', { email: 'z@people.dev', name: 'Z' })).status).toBe(403)
    expect((await asAnn.post(`/users/${owner.id}/deactivate`)).status).toBe(200)
  })
})

describe('email sign-in', () => {
  it('answers the same 202 for known and unknown addresses; sends a link only to a known user; sessions are listed and revocable', async () => {
    const { slug, api } = await createTenant('mail')
    await api.post('/users', { email: 'sam@team.dev', name: 'Sam' })
    const known = await request('POST', `/~${slug}/auth/email`, { body: { email: 'SAM@team.dev' } })
    const unknown = await request('POST', `/~${slug}/auth/email`, { body: { email: 'nobody@team.dev' } })
    expect(known.status).toBe(202)
    expect(unknown.status).toBe(202)
    expect(unknown.body).toEqual(known.body)
    expect((await api.get('/messages?kind=sign-in')).body.data.map((m: { to: string }) => m.to)).toEqual(['sam@team.dev'])
    const bad = await request('POST', `/~${slug}/auth/email`, { body: { email: 'not an email' } })
    expect(bad.status).toBe(422)
    expect(bad.body.errors[0].path).toBe('email')

    const first = await signInWith(await linkFrom(api, 'sam@team.dev'))
    expect(first.status).toBe(303)
    await request('POST', `/~${slug}/auth/email`, { body: { email: 'sam@team.dev' } })
    const second = await signInWith(await linkFrom(api, 'sam@team.dev'))
    const listed = await asBrowser(`/~${slug}/me/sessions`, { cookie: second.cookie })
    expect(listed.body.data).toHaveLength(2)
    const other = listed.body.data.find((s: { current: boolean }) => !s.current)
    const revoked = await asBrowser(`/~${slug}/me/sessions/${other.id}`, { cookie: second.cookie, method: 'DELETE' })
    expect(revoked.status).toBe(200)
    expect((await asBrowser(`/~${slug}/me`, { cookie: first.cookie })).status).toBe(401)
    expect((await asBrowser(`/~${slug}/me`, { cookie: second.cookie })).status).toBe(200)
  })

  it('rate limits per address', async () => {
    const { slug } = await createTenant('rl')
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) statuses.push((await request('POST', `/~${slug}/auth/email`, { body: { email: 'flood@team.dev' } })).status)
    expect(statuses.slice(0, 3)).toEqual([202, 202, 202])
    expect(statuses.at(-1)).toBe(429)
  })

  it('a session of tenant A is worthless on tenant B', async () => {
    const a = await createTenant('sa')
    const b = await createTenant('sb')
    await a.api.post('/users', { email: 'x@a.dev', name: 'X' })
    const signedIn = await signInWith(await linkFrom(a.api, 'x@a.dev', 'invitation'))
    expect((await asBrowser(`/~${a.slug}/me`, { cookie: signedIn.cookie })).status).toBe(200)
    expect((await asBrowser(`/~${b.slug}/me`, { cookie: signedIn.cookie })).status).toBe(401)
  })
})

describe('a real email provider', () => {
  it('never stores a usable link: the message holds a placeholder, and the hand-over mints a single-use link for its user', async () => {
    const { slug, api } = await createTenant('http-mail')
    const sam = (await api.post('/users', { email: 'sam@team.dev', name: 'Sam' })).body
    const stub = env.TENANT.getByName(slug)
    const handed = await runInDurableObject(stub, (instance) => {
      const db = (instance as unknown as { db: Parameters<typeof withSignInLink>[0] }).db
      const stored = { to: 'sam@team.dev', kind: 'sign-in', body: `Sign in: ${LINK_PLACEHOLDER}\n` }
      return [withSignInLink(db, stored, `${BASE}/~${slug}`), withSignInLink(db, { ...stored, to: 'nobody@team.dev' }, `${BASE}/~${slug}`)]
    })
    const link = /(http\S+\/auth\/link\?token=[A-Za-z0-9_-]{43})/.exec(String(handed[0]!.body))?.[1]
    expect(link).toBeTruthy()
    expect(String(handed[1]!.body)).toContain('no longer active')
    const signedIn = await signInWith(link!)
    expect(signedIn.status).toBe(303)
    const me = await asBrowser(`/~${slug}/me`, { cookie: signedIn.cookie })
    expect(me.body.user.$id).toBe(sam.$id)
  })
})

describe('link expiry', () => {
  it('refuses a sign-in link past 15 minutes and an invitation past 7 days, and spends neither', async () => {
    const { slug, api } = await createTenant('expiry')
    const sam = (await api.post('/users', { email: 'sam@team.dev', name: 'Sam' })).body
    const stub = env.TENANT.getByName(slug)
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000)
    const [fresh, stale, oldInvitation] = await runInDurableObject(stub, (instance) => {
      const db = (instance as unknown as { db: Parameters<typeof issueLink>[0] }).db
      return [issueLink(db, sam.$id, 'sign-in', minutesAgo(14)), issueLink(db, sam.$id, 'sign-in', minutesAgo(16)), issueLink(db, sam.$id, 'invitation', minutesAgo(7 * 24 * 60 + 1))]
    })
    for (const token of [stale, oldInvitation]) {
      const res = await signInWith(`${BASE}/~${slug}/auth/link?token=${token}`)
      expect(res.status).toBe(401)
      expect(res.text).toContain('expired')
    }
    expect((await signInWith(`${BASE}/~${slug}/auth/link?token=${fresh}`)).status).toBe(303)
  })
})

describe('on the tenant’s own host', () => {
  it('the invitation link and the session cookie work at {slug}.BASE_HOST, whose every path is the tenant’s', async () => {
    const slug = `h-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`
    const host = `http://${slug}.revline.localhost`
    const created = await request('POST', '/tenants', { key: ADMIN_TOKEN, body: { slug, name: 'Host Co', owner: { email: 'h@host.dev', name: 'H' } } })
    expect(created.status).toBe(201)
    const api = tenantApi(slug, created.body.apiKey)
    // Asked for on the tenant's host, the link points there.
    const asked = await exports.default.fetch(new Request(`${host}/auth/email`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'h@host.dev' }) }))
    expect(asked.status).toBe(202)
    const link = await linkFrom(api, 'h@host.dev')
    expect(link.startsWith(`${host}/auth/link?token=`)).toBe(true)
    const token = new URL(link).searchParams.get('token')!
    const res = await exports.default.fetch(new Request(`${host}/auth/link`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: host }, body: new URLSearchParams({ token }) }))
    expect(res.status).toBe(303)
    const setCookie = res.headers.get('set-cookie')!
    expect(setCookie).toMatch(/Path=\/(;|$)/)
    const me = await exports.default.fetch(new Request(`${host}/me`, { headers: { cookie: setCookie.split(';')[0]! } }))
    expect(me.status).toBe(200)
  })
})
