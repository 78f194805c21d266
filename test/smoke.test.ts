import { describe, expect, it } from 'vitest'
import { createTenant } from './helpers'

describe('smoke', () => {
  it('creates and reads a contact', async () => {
    const { api } = await createTenant()
    const created = await api.post('/contacts', { name: 'Alice Chen', email: 'alice@acme.dev', stage: 'Lead' })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const got = await api.get(`/contacts/${created.body.$id}`)
    expect(got.body.name).toBe('Alice Chen')
    const list = await api.get('/contacts?stage=Lead')
    expect(list.body.total).toBe(1)
    const q = await api.post(`/contacts/${created.body.$id}/qualify`)
    expect(q.status, JSON.stringify(q.body)).toBe(200)
    expect(await api.eventTypes()).toEqual(['contact.created', 'contact.qualified'])
  })
})
