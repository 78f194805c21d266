/**
 * A link to a record deleted since stays on its source (a soft delete leaves links alone); the
 * hooks that copy it onto the records they make leave it out, so the user's own action still goes
 * through (src/domain/hooks/live-link.ts). These used to answer 422 "Activity refers to entities
 * that do not exist" for a deal move, and the same for a win, a conversion and a website form.
 */
import { describe, expect, it } from 'vitest'
import { createTenant, request } from './helpers'

describe('links to deleted records', () => {
  it('a deal whose contact and organization were deleted still moves and wins; what the hooks make leaves them out', async () => {
    const { api } = await createTenant('dangling-deal')
    const organization = (await api.post('/organizations', { name: 'Gone Ltd' })).body
    const contact = (await api.post('/contacts', { name: 'Gone Person', email: 'gone@x.dev' })).body
    const deal = (await api.post('/deals', { name: 'Dangling', value: 1000, contact: contact.$id, organization: organization.$id })).body
    expect((await api.delete(`/contacts/${contact.$id}`)).status).toBe(204)
    expect((await api.delete(`/organizations/${organization.$id}`)).status).toBe(204)

    const moved = await api.post(`/deals/${deal.$id}/advance`, { stage: 'Qualification' })
    expect(moved.status).toBe(200)
    expect(moved.body).toMatchObject({ stage: 'Qualification', contact: contact.$id }) // the deal keeps its link
    const activities = (await api.get(`/activities?deal=${deal.$id}`)).body.data
    // A link left out is absent from the answer, as every unset field is.
    const links = (record: Record<string, unknown>, ...fields: string[]) => Object.fromEntries(fields.map((f) => [f, record[f] ?? null]))
    expect(activities.map((a: Record<string, unknown>) => links(a, 'subject', 'deal', 'contact'))).toEqual([{ subject: 'Stage: Prospecting → Qualification', deal: deal.$id, contact: null }])

    const won = await api.post(`/deals/${deal.$id}/win`, {})
    expect(won.status).toBe(200)
    const customers = (await api.get(`/customers?deal=${deal.$id}`)).body.data
    expect(customers.map((c: Record<string, unknown>) => links(c, 'deal', 'contact', 'organization'))).toEqual([{ deal: deal.$id, contact: null, organization: null }])
  })

  it('a lead whose organization and owner were deleted still converts (one whose contact was deleted is refused, as one without), and a form for a contact whose organization was deleted is still captured', async () => {
    const { slug, api } = await createTenant('dangling-lead')
    const organization = (await api.post('/organizations', { name: 'Gone Inc' })).body
    const owner = (await api.post('/contacts', { name: 'Former Rep' })).body
    const contact = (await api.post('/contacts', { name: 'Buyer', email: 'buyer@x.dev', organization: organization.$id })).body
    const lead = (await api.post('/leads', { name: 'Buyer (website)', source: 'website', contact: contact.$id, organization: organization.$id, owner: owner.$id })).body
    expect((await api.delete(`/organizations/${organization.$id}`)).status).toBe(204)
    expect((await api.delete(`/contacts/${owner.$id}`)).status).toBe(204)

    const converted = await api.post(`/leads/${lead.$id}/convert`, {})
    expect(converted.status).toBe(200)
    const deal = (await api.get(`/deals?contact=${contact.$id}`)).body.data[0]
    expect([deal.contact, deal.organization ?? null, deal.owner ?? null]).toEqual([contact.$id, null, null])

    // A lead whose contact was deleted is refused as a lead with no contact is, naming its own field.
    const leaving = (await api.post('/contacts', { name: 'Leaving' })).body
    const orphan = (await api.post('/leads', { name: 'Orphan', source: 'website', contact: leaving.$id })).body
    expect((await api.delete(`/contacts/${leaving.$id}`)).status).toBe(204)
    const refused = await api.post(`/leads/${orphan.$id}/convert`, {})
    expect([refused.status, refused.body.errors]).toEqual([422, [{ path: 'contact', message: 'link a contact first' }]])

    const form = await request('POST', `/~${slug}/capture`, { body: { email: 'buyer@x.dev', source: 'website' } })
    expect(form.status).toBe(201)
    const leads = (await api.get(`/leads?contact=${contact.$id}&sort=-$createdAt`)).body.data
    expect([leads[0].contact, leads[0].organization ?? null]).toEqual([contact.$id, null])
  })
})
