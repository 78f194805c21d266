/**
 * A LeadScore's factor breakdown and facts live in its creation event only (src/durable/event-held.ts):
 * the row stores them NULL, and every read of the record (get, list, include, export, the lead's
 * score history) gives them back in their place, equal to the event's `after`. A row written with
 * its values in place (before this) still reads its own.
 */
import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { createTenant } from './helpers'

const LEAD = { name: 'Held lead', source: 'referral', budget: 40_000, timeline: 'within 2 weeks' }

describe('fields a LeadScore keeps in its creation event', () => {
  it('are stored once, in the event, and read back in place wherever the score is read', async () => {
    const { slug, api } = await createTenant('event-held')
    const lead = (await api.post('/leads', LEAD)).body
    await api.patch(`/leads/${lead.$id}`, { budget: 90_000 })
    const history = (await api.get(`/leads/${lead.$id}/scores`)).body.data
    expect(history).toHaveLength(2)
    const [newest] = history
    expect(newest.factors.length).toBeGreaterThan(0)
    expect(newest.facts).toMatchObject({ budgetConfirmed: true })
    // the field order of the record: factors and facts in their declared place
    expect(Object.keys(newest).filter((k) => !k.startsWith('$'))).toEqual(['lead', 'score', 'band', 'previousScore', 'factors', 'facts', 'rulesetVersion', 'reason'])

    const created = (await api.get(`/events?entity=${newest.$id}`)).body.data[0]
    expect(created.type).toBe('leadscore.created')
    expect(created.after).toEqual(newest)
    expect((await api.get(`/lead-scores/${newest.$id}`)).body).toEqual(newest)
    const included = (await api.get(`/leads/${lead.$id}?include=scores`)).body
    expect(included.scores.map((s: any) => s.factors)).toEqual(expect.arrayContaining([newest.factors]))

    await runInDurableObject(env.TENANT.getByName(slug), (_instance, state) => {
      const rows = state.storage.sql.exec<{ factors: string | null; facts: string | null; score: number }>('SELECT factors, facts, score FROM lead_scores WHERE lead = ?', lead.$id).toArray()
      expect(rows).toHaveLength(2)
      for (const row of rows) expect([row.factors, row.facts]).toEqual([null, null])
      expect(rows.map((r) => r.score).sort()).toEqual(history.map((s: any) => s.score).sort())
    })
  })

  it('a row that holds its values reads its own', async () => {
    const { slug, api } = await createTenant('event-held-old')
    const lead = (await api.post('/leads', LEAD)).body
    const [score] = (await api.get(`/leads/${lead.$id}/scores`)).body.data
    await runInDurableObject(env.TENANT.getByName(slug), (_instance, state) => {
      // as a row written before the fields moved to the event: the trigger keeps rows immutable, so insert one
      state.storage.sql.exec(
        `INSERT INTO lead_scores (id, version, created_at, updated_at, created_by, lead, score, band, factors, facts, ruleset_version, reason)
         VALUES ('leadscore_oldrow012', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 'system', ?, 12, 'low', '[{"rule":"r","label":"R","points":12}]', '{"old":true}', 1, 'created')`,
        lead.$id,
      )
    })
    const old = (await api.get('/lead-scores/leadscore_oldrow012')).body
    expect(old.factors).toEqual([{ rule: 'r', label: 'R', points: 12 }])
    expect(old.facts).toEqual({ old: true })
    expect((await api.get(`/lead-scores/${score.$id}`)).body.factors).toEqual(score.factors)
  })
})
