/**
 * Lead scoring (seeds 003 and 004): the pure scoring function rule by rule, timeline parsing,
 * bands and clamping; then through the API: scores on create, the immutable history
 * (`GET /leads/{id}/scores`), rescoring on input changes, contact changes and `POST /rescore`,
 * the admin ruleset (`PUT /settings/scoring`), auto-qualification and manual scores.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { createValidator, validate } from '../src/domain/noun/validators'
import { LeadScore } from '../src/domain/nouns/lead-score'
import { factsOf } from '../src/domain/scoring/facts'
import { DEFAULT_RULESET, type Ruleset } from '../src/domain/scoring/rules'
import { compareValues } from '../src/domain/query/compare'
import { valueAt } from '../src/domain/own'
import { bandOf, scoreLead } from '../src/domain/scoring/score'
import { timelineDays } from '../src/domain/scoring/timeline'
import { createTenant, issueKey, type TenantApi } from './helpers'

/** A fixed clock: every pure test reads timelines relative to it. */
const NOW = new Date('2026-05-15T00:00:00.000Z')

type Rec = Record<string, unknown>
function score(lead: Rec, related: { contact?: Rec; organization?: Rec } = {}, ruleset: Ruleset = DEFAULT_RULESET) {
  return scoreLead({ lead: { name: 'Lead', source: 'cold_outreach', ...lead }, ...related, now: NOW }, ruleset)
}
const pointsOf = (result: ReturnType<typeof score>) => Object.fromEntries(result.factors.map((f) => [f.rule, f.points]))

describe('scoring rules (pure)', () => {
  it('scores a lead that matches no rule 0, low, with no factors', () => {
    const result = score({})
    expect(result).toMatchObject({ score: 0, band: 'low', factors: [], rulesetVersion: 1 })
    expect(result.facts).toEqual({
      budgetConfirmed: false,
      decisionMaker: false,
      timelineDays: null,
      industryMatch: false,
      teamSize: null,
      titleSeniority: null,
      sourceQuality: 'low',
      completeness: 0,
    })
  })

  describe('seed 004 criteria', () => {
    it('budget confirmed: +20', () => {
      const result = score({ budget: 5_000 })
      expect(result.score).toBe(20)
      expect(result.factors).toEqual([{ rule: 'budget-confirmed', label: 'Budget confirmed', points: 20 }])
      expect(score({ budget: 0 }).score).toBe(0)
    })

    it('decision maker: +15, from the authority text or the contact role', () => {
      const byAuthority = score({ authority: 'CTO has the final decision' })
      expect(byAuthority.score).toBe(15)
      expect(pointsOf(byAuthority)).toEqual({ 'decision-maker': 15 })
      const byRole = score({}, { contact: { name: 'Dana', role: 'DecisionMaker' } })
      expect(byRole.score).toBe(15)
      expect(pointsOf(byRole)).toEqual({ 'decision-maker': 15 })
      expect(score({ authority: 'still evaluating' }).score).toBe(0)
      expect(score({}, { contact: { name: 'Ivy', role: 'Influencer' } }).score).toBe(0)
    })

    it('timeline under 30 days: +15', () => {
      const soon = score({ timeline: 'within 2 weeks' })
      expect(soon.score).toBe(15)
      expect(soon.facts.timelineDays).toBe(14)
      expect(pointsOf(soon)).toEqual({ 'timeline-30-days': 15 })
      expect(score({ timeline: 'ASAP' }).score).toBe(15)
      expect(score({ timeline: 'Q4 2026' }).score).toBe(0)
      expect(score({ timeline: 'in 6 weeks' }).score).toBe(0)
    })

    it('referral source: +20', () => {
      const result = score({ source: 'referral' })
      expect(result.score).toBe(20)
      expect(result.factors).toEqual([{ rule: 'referral-source', label: 'Referral source', points: 20 }])
      expect(result.facts.sourceQuality).toBe('high')
    })

    it("industry match: +10 (the ruleset's target industries, any case)", () => {
      const result = score({}, { organization: { name: 'Acme', industry: 'saas' } })
      expect(result.score).toBe(10)
      expect(pointsOf(result)).toEqual({ 'industry-match': 10 })
      expect(score({}, { organization: { name: 'Farm', industry: 'Agriculture' } }).score).toBe(0)
    })

    it('team size 5+: +10', () => {
      const result = score({}, { organization: { name: 'Acme', employeeCount: 5 } })
      expect(result.score).toBe(10)
      expect(pointsOf(result)).toEqual({ 'team-size-5': 10 })
      expect(score({}, { organization: { name: 'Tiny', employeeCount: 4 } }).score).toBe(0)
    })

    it('previous agency experience: +10', () => {
      const result = score({ agencyExperience: true })
      expect(result.score).toBe(10)
      expect(result.factors).toEqual([{ rule: 'agency-experience', label: 'Previous agency experience', points: 10 }])
      expect(score({ agencyExperience: false }).score).toBe(0)
    })
  })

  describe('seed 003 factors', () => {
    it('source quality: partner and event +5, low-quality channels nothing', () => {
      for (const source of ['partner', 'event']) {
        const result = score({ source })
        expect(result.score, source).toBe(5)
        expect(pointsOf(result), source).toEqual({ 'source-quality': 5 })
      }
      for (const source of ['paid_ads', 'social_media', 'cold_outreach', 'other', 'website']) expect(score({ source }).score, source).toBe(0)
    })

    it('company size: 200+ people adds +5 on top of team size', () => {
      const result = score({}, { organization: { name: 'Big', employeeCount: 250 } })
      expect(pointsOf(result)).toEqual({ 'team-size-5': 10, 'company-size': 5 })
      expect(result.score).toBe(15)
      expect(pointsOf(score({}, { organization: { name: 'Mid', employeeCount: 199 } }))).toEqual({ 'team-size-5': 10 })
    })

    it('deal value: 50k+ adds +5, 10k–50k adds +3 (on top of the budget)', () => {
      const high = score({ budget: 50_000 })
      expect(pointsOf(high)).toEqual({ 'budget-confirmed': 20, 'deal-value-high': 5 })
      expect(high.score).toBe(25)
      const mid = score({ budget: 10_000 })
      expect(pointsOf(mid)).toEqual({ 'budget-confirmed': 20, 'deal-value-mid': 3 })
      expect(mid.score).toBe(23)
      expect(pointsOf(score({ budget: 49_999 }))).toEqual({ 'budget-confirmed': 20, 'deal-value-mid': 3 })
      expect(pointsOf(score({ budget: 9_999 }))).toEqual({ 'budget-confirmed': 20 })
    })

    it('senior title: VP, Director, Head, C-level and Founder +5 (all but Head also count as decision makers)', () => {
      const cases: [string, string, number][] = [
        ['VP Sales', 'vp', 20],
        ['Director of Operations', 'director', 20],
        ['CEO', 'c-level', 20],
        ['Chief Revenue Officer', 'c-level', 20],
        ['Co-Founder', 'founder', 20],
        ['Head of Growth', 'head', 5],
      ]
      for (const [title, seniority, total] of cases) {
        const result = score({}, { contact: { name: 'P', title } })
        expect(result.facts.titleSeniority, title).toBe(seniority)
        expect(pointsOf(result)['senior-title'], title).toBe(5)
        expect(result.score, title).toBe(total)
      }
      const manager = score({}, { contact: { name: 'M', title: 'Sales Manager' } })
      expect(manager.facts.titleSeniority).toBe('manager')
      expect(manager.score).toBe(0)
      expect(score({}, { contact: { name: 'A', title: 'Analyst' } }).facts.titleSeniority).toBe('other')
    })

    it('profile completeness: 80%+ of the profile fields filled adds +5', () => {
      const contact = { name: 'C', email: 'c@x.dev', phone: '+1 555 0100', title: 'Analyst', organization: 'org_000000000' }
      const lead = { authority: 'evaluating', need: 'A CRM', timeline: 'Q4 2027' }
      const seven = score(lead, { contact })
      expect(seven.facts.completeness).toBe(88)
      expect(pointsOf(seven)).toEqual({ 'profile-complete': 5 })
      expect(seven.score).toBe(5)
      const six = score({ authority: 'evaluating', need: 'A CRM' }, { contact })
      expect(six.facts.completeness).toBe(75)
      expect(six.score).toBe(0)
    })
  })

  it('clamps the total to 0–100 while keeping every factor', () => {
    const everything = score(
      { source: 'referral', budget: 60_000, authority: 'decision maker', need: 'CRM', timeline: 'ASAP', agencyExperience: true },
      { contact: { name: 'Ceo', email: 'ceo@big.dev', phone: '1', title: 'CEO', organization: 'org_000000000' }, organization: { name: 'Big', industry: 'Software', employeeCount: 500 } },
    )
    expect(everything.factors.reduce((sum, f) => sum + f.points, 0)).toBe(120)
    expect(everything.score).toBe(100)
    expect(everything.band).toBe('high')

    const penalty: Ruleset = { ...DEFAULT_RULESET, rules: [{ id: 'cold', label: 'Cold outreach', when: { source: 'cold_outreach' }, points: -40 }] }
    const negative = score({}, {}, penalty)
    expect(negative.factors).toEqual([{ rule: 'cold', label: 'Cold outreach', points: -40 }])
    expect(negative.score).toBe(0)
    expect(negative.band).toBe('low')
  })

  it('bands: 70+ high, 40–69 medium, under 40 low', () => {
    const bands = DEFAULT_RULESET.bands
    expect([100, 70, 69, 40, 39, 0].map((s) => bandOf(s, bands))).toEqual(['high', 'high', 'medium', 'medium', 'low', 'low'])
  })

  it('seed 004 threshold: budget + decision maker + timeline under 30 days + referral = 70, which qualifies (60+)', () => {
    const result = score({ source: 'referral', budget: 5_000, authority: 'decision maker', timeline: 'within 2 weeks' })
    expect(pointsOf(result)).toEqual({ 'budget-confirmed': 20, 'decision-maker': 15, 'timeline-30-days': 15, 'referral-source': 20 })
    expect(result.score).toBe(70)
    expect(result.score).toBeGreaterThanOrEqual(DEFAULT_RULESET.qualifyThreshold)
    expect(DEFAULT_RULESET.qualifyThreshold).toBe(60)
    expect(result.band).toBe('high')
  })

  it('facts are computed once from the lead, its contact and organization', () => {
    const facts = factsOf({ lead: { source: 'partner', budget: 1 }, contact: { title: 'VP Marketing' }, organization: { industry: 'Fintech', employeeCount: 12 }, targetIndustries: ['fintech'], now: NOW })
    expect(facts).toMatchObject({ budgetConfirmed: true, decisionMaker: true, industryMatch: true, teamSize: 12, titleSeniority: 'vp', sourceQuality: 'high' })
  })
})

/** The rules' meaning read straight off the filter, each time (how rules were evaluated before they were compiled): the oracle. */
function matchesWhen(subject: Record<string, unknown>, when: Record<string, unknown>): boolean {
  return Object.entries(when).every(([key, condition]) => {
    if (key === '$and') return (condition as Record<string, unknown>[]).every((c) => matchesWhen(subject, c))
    if (key === '$or') return (condition as Record<string, unknown>[]).some((c) => matchesWhen(subject, c))
    const actual = valueAt(subject, key) ?? null
    if (condition !== null && typeof condition === 'object' && !Array.isArray(condition))
      return Object.entries(condition).every(([op, expected]) => compareValues(actual, op, expected))
    return compareValues(actual, '$eq', condition)
  })
}

describe('compiled rules (pure)', () => {
  it('match exactly the leads matchesWhen matches, rule by rule', () => {
    const rules = [
      ...DEFAULT_RULESET.rules,
      { id: 'either', label: 'Either', when: { $or: [{ source: 'event' }, { 'contact.title': { $contains: 'vp' } }] }, points: 1 },
      { id: 'both', label: 'Both', when: { $and: [{ budget: { $gte: 1_000, $lt: 9_000 } }, { 'facts.teamSize': { $exists: false } }] }, points: 1 },
      { id: 'none-of', label: 'None of', when: { source: { $nin: ['referral', 'event'] }, need: null }, points: 1 },
    ]
    const ruleset = { ...DEFAULT_RULESET, rules }
    const leads = [
      { lead: { source: 'event', budget: 5_000 } },
      { lead: { source: 'referral', need: 'CRM', timeline: 'ASAP' }, contact: { title: 'VP Sales', role: 'DecisionMaker' } },
      { lead: { source: 'website', budget: 60_000, agencyExperience: true }, organization: { industry: 'SaaS', employeeCount: 250 } },
      { lead: {} },
    ]
    for (const { lead, ...related } of leads) {
      const subject = { ...lead, facts: factsOf({ lead, ...related, targetIndustries: ruleset.targetIndustries, now: NOW }), contact: related.contact ?? {}, organization: related.organization ?? {} }
      const expected = rules.filter((rule) => matchesWhen(subject, rule.when)).map((rule) => rule.id)
      expect(score(lead, related, ruleset).factors.map((f) => f.rule)).toEqual(expected)
    }
  })
})

describe('timeline parsing (pure)', () => {
  it('reads urgency words as 0 days', () => {
    for (const text of ['ASAP', 'asap!', 'Immediately', 'urgent', 'today']) expect(timelineDays(text, NOW), text).toBe(0)
  })

  it('reads spans', () => {
    expect(timelineDays('within 2 weeks', NOW)).toBe(14)
    expect(timelineDays('in 3 months', NOW)).toBe(90)
    expect(timelineDays('30 days', NOW)).toBe(30)
    expect(timelineDays('a couple of weeks', NOW)).toBe(14)
    expect(timelineDays('next week', NOW)).toBe(7)
  })

  it('reads quarters relative to now', () => {
    // 2026-05-15 → 2026-07-01 is 47 days.
    expect(timelineDays('Q3 2026', NOW)).toBe(47)
    expect(timelineDays('q3/2026', NOW)).toBe(47)
    // The current quarter is now; a past one too.
    expect(timelineDays('Q2 2026', NOW)).toBe(0)
    expect(timelineDays('Q1 2026', NOW)).toBe(0)
    // 2026-05-15 → 2027-01-01 is 231 days.
    expect(timelineDays('Q1 2027', NOW)).toBe(231)
    // Without a year: this year's, or next year's if it is over.
    expect(timelineDays('Q3', NOW)).toBe(47)
    expect(timelineDays('Q1', NOW)).toBe(231)
  })

  it('reads ISO dates and month names; past dates count as 0', () => {
    expect(timelineDays('2026-06-14', NOW)).toBe(30)
    expect(timelineDays('by 2026-12-01', NOW)).toBe(200)
    expect(timelineDays('2026-06', NOW)).toBe(17)
    expect(timelineDays('2025-01-01', NOW)).toBe(0)
    expect(timelineDays('June 14, 2026', NOW)).toBe(30)
    expect(timelineDays('December 2026', NOW)).toBe(200)
  })

  it("reads 'next month' as 30 days", () => {
    expect(timelineDays('next month', NOW)).toBe(30)
  })

  it('returns undefined for unreadable text (null in the facts)', () => {
    for (const text of ['whenever', 'no idea', 'TBD', '', '   ']) expect(timelineDays(text, NOW), JSON.stringify(text)).toBeUndefined()
    expect(timelineDays(42, NOW)).toBeUndefined()
    expect(timelineDays(undefined, NOW)).toBeUndefined()
    expect(score({ timeline: 'whenever' }).facts.timelineDays).toBeNull()
  })

  it('does not read a month out of ordinary words ("decision", "may")', () => {
    // Month names are matched by prefix: "decision" reads as December, "may" as May.
    // 2026-11-20 + "after the board decision" would then be 11 days away and earn +15.
    const november = new Date('2026-11-20T00:00:00.000Z')
    expect.soft(timelineDays('after the board decision', november), '"decision" read as December').toBeUndefined()
    expect.soft(timelineDays('we may buy later', NOW), '"may" read as May').toBeUndefined()
    expect.soft(scoreLead({ lead: { name: 'L', source: 'website', timeline: 'after the board decision' }, now: november }, DEFAULT_RULESET).score).toBe(0)
  })
})

// ---------------------------------------------------------------------------------------------
// Through the API

/** Beyond the shared warm-up (test/warm-up.ts): the file's first scored lead, out of the first test's budget. */
beforeAll(async () => {
  const { api } = await createTenant('warm')
  await api.post('/leads', { name: 'Warm-up', source: 'website' })
})

async function created(api: TenantApi, path: string, body: unknown) {
  const res = await api.post(path, body)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

async function ok<T = any>(promise: Promise<{ status: number; body: T }>): Promise<T> {
  const res = await promise
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body
}

async function history(api: TenantApi, lead: string): Promise<any[]> {
  return (await ok(api.get(`/leads/${lead}/scores`))).data
}

/** The seed 004 "qualified" lead: budget + decision maker + timeline under 30 days + referral = 70. */
const QUALIFYING = { name: 'Hot referral', source: 'referral', budget: 5_000, authority: 'decision maker', timeline: 'within 2 weeks' }

describe('scores through the API', () => {
  it('a created lead carries its score and band, and one history row explaining it', async () => {
    const { api } = await createTenant()
    const lead = await created(api, '/leads', { name: 'Referral', source: 'referral', budget: 5_000 })
    expect(lead).toMatchObject({ score: 40, band: 'medium' })
    const rows = await history(api, lead.$id)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ lead: lead.$id, score: 40, band: 'medium', rulesetVersion: 1, reason: 'created' })
    expect(rows[0].factors).toEqual([
      { rule: 'budget-confirmed', label: 'Budget confirmed', points: 20 },
      { rule: 'referral-source', label: 'Referral source', points: 20 },
    ])
    expect(rows[0].previousScore ?? null).toBeNull()
  })

  it('an input change (budget) appends a new row, newest first; a non-input change does not', async () => {
    const { api } = await createTenant()
    const lead = await created(api, '/leads', { name: 'Growing', source: 'referral' })
    expect(lead.score).toBe(20)

    const patched = await ok(api.patch(`/leads/${lead.$id}`, { budget: 60_000 }))
    expect(patched).toMatchObject({ score: 45, band: 'medium' })
    let rows = await history(api, lead.$id)
    expect(rows.map((r) => r.score)).toEqual([45, 20])
    expect(rows[0]).toMatchObject({ previousScore: 20, reason: 'updated: budget', rulesetVersion: 1 })
    expect(Object.fromEntries(rows[0].factors.map((f: any) => [f.rule, f.points]))).toEqual({ 'budget-confirmed': 20, 'referral-source': 20, 'deal-value-high': 5 })

    const renamed = await ok(api.patch(`/leads/${lead.$id}`, { name: 'Growing fast', lastActivityAt: new Date().toISOString() }))
    expect(renamed.score).toBe(45)
    rows = await history(api, lead.$id)
    expect(rows).toHaveLength(2)

    // An input change that leaves the score where it was does not add a row either.
    await ok(api.patch(`/leads/${lead.$id}`, { need: 'Pipeline hygiene' }))
    expect(await history(api, lead.$id)).toHaveLength(2)
  })

  it("a contact's title change rescores its open leads (lead.rescored caused by contact.updated)", async () => {
    const { api } = await createTenant()
    const contact = await created(api, '/contacts', { name: 'Sam Park', title: 'Analyst' })
    const lead = await created(api, '/leads', { name: 'Via Sam', source: 'website', contact: contact.$id })
    expect(lead.score).toBe(0)

    await ok(api.patch(`/contacts/${contact.$id}`, { title: 'VP Sales' }))
    const after = await ok(api.get(`/leads/${lead.$id}`))
    expect(after.score).toBe(20)

    const events = await api.events()
    const contactUpdated = events.find((e) => e.type === 'contact.updated' && e.entityId === contact.$id)
    const rescored = events.filter((e) => e.type === 'lead.rescored' && e.entityId === lead.$id)
    expect(rescored).toHaveLength(1)
    expect(rescored[0].cause).toBe(contactUpdated.id)

    const rows = await history(api, lead.$id)
    expect(rows.map((r) => r.score)).toEqual([20, 0])
    expect(rows[0]).toMatchObject({ reason: 'rescored', previousScore: 0 })
    expect(rows[0].factors.map((f: any) => [f.rule, f.points])).toEqual([
      ['decision-maker', 15],
      ['senior-title', 5],
    ])
  })

  it('PUT /settings/scoring validates the ruleset (unknown fields, band order) and bumps its version', async () => {
    const { api } = await createTenant()
    const before = await ok(api.get('/settings/scoring'))
    expect(before.data.version).toBe(1)
    expect(before.data.rules.map((r: any) => r.id)).toEqual(DEFAULT_RULESET.rules.map((r) => r.id))

    const unknownField = await api.put('/settings/scoring', { ...DEFAULT_RULESET, rules: [{ id: 'colour', label: 'Likes blue', when: { favouriteColour: 'blue' }, points: 5 }] })
    expect(unknownField.status, JSON.stringify(unknownField.body)).toBe(422)
    expect(unknownField.body.code).toBe('validation_failed')
    expect(JSON.stringify(unknownField.body.errors)).toContain('favouriteColour')

    const unknownFact = await api.put('/settings/scoring', { ...DEFAULT_RULESET, rules: [{ id: 'luck', label: 'Lucky', when: { 'facts.luck': true }, points: 5 }] })
    expect(unknownFact.status).toBe(422)
    expect(JSON.stringify(unknownFact.body.errors)).toContain('facts.luck')

    const bands = await api.put('/settings/scoring', { ...DEFAULT_RULESET, bands: { high: 50, medium: 50 } })
    expect(bands.status, JSON.stringify(bands.body)).toBe(422)
    expect(bands.body.errors.map((e: any) => e.path)).toContain('bands')

    // Nothing was saved by the refused writes.
    expect((await ok(api.get('/settings/scoring'))).data.version).toBe(1)

    const saved = await ok(api.put('/settings/scoring', { ...DEFAULT_RULESET, qualifyThreshold: 55 }))
    expect(saved.data).toMatchObject({ version: 2, qualifyThreshold: 55 })
    const again = await ok(api.put('/settings/scoring', { ...DEFAULT_RULESET, version: 1 }))
    expect(again.data.version).toBe(3)

    // New scores record the version they were computed with.
    const lead = await created(api, '/leads', { name: 'V3', source: 'referral' })
    expect((await history(api, lead.$id))[0].rulesetVersion).toBe(3)
  })

  it('the scoring settings are admin-only', async () => {
    const { slug, key } = await createTenant()
    const member = await issueKey(slug, key, 'member')
    expect((await member.api.put('/settings/scoring', DEFAULT_RULESET)).status).toBe(403)
  })

  it('with autoQualify on and threshold 60, a qualifying lead moves New → Qualified (lead.updated caused by lead.created)', async () => {
    const { api } = await createTenant()
    await ok(api.put('/settings/scoring', { ...DEFAULT_RULESET, autoQualify: true, qualifyThreshold: 60 }))

    const lead = await created(api, '/leads', QUALIFYING)
    expect(lead.score).toBe(70)
    expect(lead.status).toBe('Qualified')

    const cold = await created(api, '/leads', { name: 'Cold', source: 'referral', budget: 5_000 })
    expect(cold.score).toBe(40)
    expect(cold.status).toBe('New')

    const events = (await api.events()).filter((e) => e.entityId === lead.$id)
    expect(events.map((e) => e.type)).toEqual(['lead.created', 'lead.updated'])
    expect(events[1].cause).toBe(events[0].id)
    expect(events[1].data).toMatchObject({ status: 'Qualified' })
    // The status change is not a new score.
    expect(await history(api, lead.$id)).toHaveLength(1)
  })

  it('with autoQualify off (the default) a qualifying lead stays New', async () => {
    const { api } = await createTenant()
    const lead = await created(api, '/leads', QUALIFYING)
    expect(lead).toMatchObject({ score: 70, band: 'high', status: 'New' })
  })

  it('a score given on create is kept as a manual score (seed 001: score 65)', async () => {
    const { api } = await createTenant()
    const lead = await created(api, '/leads', { name: 'Website Demo Request', source: 'website', sourceDetail: '/pricing', score: 65 })
    expect(lead).toMatchObject({ score: 65, band: 'medium' })
    expect((await ok(api.get(`/leads/${lead.$id}`))).score).toBe(65)
    const rows = await history(api, lead.$id)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ score: 65, band: 'medium', reason: 'manual', factors: [] })
  })

  it('POST /leads/{id}/rescore recomputes with the current rules', async () => {
    const { api } = await createTenant()
    const lead = await created(api, '/leads', { name: 'Ruled', source: 'referral' })
    expect(lead).toMatchObject({ score: 20, scoreSource: 'rules' })
    await ok(api.put('/settings/scoring', { ...(await ok(api.get('/settings/scoring'))).data, rules: [{ id: 'referral-source', label: 'Referral source', when: { source: 'referral' }, points: 35 }] }))
    const rescored = await ok(api.post(`/leads/${lead.$id}/rescore`))
    expect(rescored).toMatchObject({ score: 35, band: 'low', scoreSource: 'rules' })
    const rows = await history(api, lead.$id)
    expect(rows.map((r) => [r.score, r.reason])).toEqual([
      [35, 'rescored'],
      [20, 'created'],
    ])
    expect(rows[0]).toMatchObject({ previousScore: 20, rulesetVersion: 2 })
    expect(rows[0].factors).toEqual([{ rule: 'referral-source', label: 'Referral source', points: 35 }])
    expect((await api.eventTypes(lead.$id)).filter((t) => t === 'lead.rescored')).toHaveLength(1)
  })

  it('every history row is stored exactly as its validator returns it, and explains the lead as stored', async () => {
    const { api } = await createTenant()
    const contact = await created(api, '/contacts', { name: 'Vera', email: 'vera@scored.dev', title: 'Account Manager' })
    const lead = await created(api, '/leads', { name: 'Rows', source: 'referral', budget: 20_000, timeline: 'within 2 weeks', contact: contact.$id })
    await ok(api.patch(`/leads/${lead.$id}`, { budget: 60_000 }))
    await ok(api.patch(`/contacts/${contact.$id}`, { title: 'Chief Executive Officer' }))
    // A rule on the lead's own band: the score it explains is the one stored, band included.
    const rules = [...DEFAULT_RULESET.rules, { id: 'already-high', label: 'Already high', when: { band: 'high' }, points: 1 }]
    await ok(api.put('/settings/scoring', { ...(await ok(api.get('/settings/scoring'))).data, rules }))
    await ok(api.post(`/leads/${lead.$id}/rescore`))
    await ok(api.patch(`/leads/${lead.$id}`, { score: 90 }))
    const stored = await ok(api.get(`/leads/${lead.$id}`))
    const events = (await api.events('type=leadscore.created')).filter((e) => e.data.lead === lead.$id)
    expect(events.map((e) => e.data.reason)).toEqual(['created', 'updated: budget', 'rescored', 'rescored', 'manual'])
    for (const event of events) {
      expect(JSON.stringify(validate(createValidator(LeadScore.schema), event.data, 'row'))).toBe(JSON.stringify(event.data))
      expect(event.after).toMatchObject(Object.fromEntries(Object.entries(event.data).filter(([, v]) => v !== null)))
    }
    // The last rule-made row, recomputed from the lead as it was then stored: the same factors.
    const rescored = events[3]!
    const leadThen = (await api.events(`entity=${lead.$id}`)).find((e) => e.type === 'lead.rescored' && e.seq < rescored.seq && e.version === 4)!.after
    const ceo = await ok(api.get(`/contacts/${contact.$id}`))
    const again = scoreLead({ lead: leadThen, contact: ceo, now: new Date(rescored.at) }, { ...DEFAULT_RULESET, rules, version: 2 })
    expect(rescored.data.factors).toEqual(again.factors)
    expect(rescored.data.facts).toEqual(again.facts)
    expect(stored).toMatchObject({ score: 90, scoreSource: 'manual' })
  })

  describe('a manual score (given by a person or an integration)', () => {
    it('is kept through rule-input changes and refused by an explicit rescore; the history marks it manual', async () => {
      const { api } = await createTenant()
      const lead = await created(api, '/leads', { name: 'Website Demo Request', source: 'website', score: 65 })
      expect(lead).toMatchObject({ score: 65, band: 'medium', scoreSource: 'manual' })
      // A change to a rule input would move a ruled score: the manual one stays.
      expect(await ok(api.patch(`/leads/${lead.$id}`, { budget: 90_000, source: 'referral' }))).toMatchObject({ score: 65, scoreSource: 'manual' })
      const refused = await api.post(`/leads/${lead.$id}/rescore`)
      expect(refused.status).toBe(422)
      expect(refused.body).toMatchObject({ code: 'rejected', errors: [{ path: 'score' }] })
      const rows = await history(api, lead.$id)
      expect(rows.map((r) => [r.score, r.reason])).toEqual([[65, 'manual']])
    })

    it('a manual score set later pins it; score: null hands it back to the rules at once', async () => {
      const { api } = await createTenant()
      const lead = await created(api, '/leads', { name: 'Later', source: 'referral' })
      expect(lead).toMatchObject({ score: 20, scoreSource: 'rules' })
      expect(await ok(api.patch(`/leads/${lead.$id}`, { score: 90 }))).toMatchObject({ score: 90, band: 'high', scoreSource: 'manual' })
      expect(await ok(api.patch(`/leads/${lead.$id}`, { budget: 5_000 }))).toMatchObject({ score: 90, scoreSource: 'manual' })
      const released = await ok(api.patch(`/leads/${lead.$id}`, { score: null }))
      expect(released).toMatchObject({ score: 40, band: 'medium', scoreSource: 'rules' })
      const rows = await history(api, lead.$id)
      expect(rows.map((r) => [r.score, r.reason])).toEqual([
        [40, 'manual score cleared'],
        [90, 'manual'],
        [20, 'created'],
      ])
      expect(rows[0].factors.length).toBeGreaterThan(0)
    })

    it("a contact's change does not rescore a lead with a manual score", async () => {
      const { api } = await createTenant()
      const contact = await created(api, '/contacts', { name: 'Pat Lee', title: 'Analyst' })
      const lead = await created(api, '/leads', { name: 'Pinned', source: 'website', contact: contact.$id, score: 12 })
      await ok(api.patch(`/contacts/${contact.$id}`, { title: 'Chief Executive Officer' }))
      expect((await ok(api.get(`/leads/${lead.$id}`))).score).toBe(12)
      expect((await api.eventTypes(lead.$id)).filter((t) => t === 'lead.rescored')).toHaveLength(0)
    })

    it('scores are 0 to 100: 250 or -1 is a 422 naming score, nothing written', async () => {
      const { api } = await createTenant()
      for (const score of [250, -1, 1e308]) {
        const res = await api.post('/leads', { name: 'Too much', source: 'website', score })
        expect(res.status).toBe(422)
        expect(res.body.errors).toEqual([{ path: 'score', message: 'must be a number from 0 to 100' }])
      }
      expect((await ok(api.get('/leads'))).total).toBe(0)
    })
  })

  it('lead scores are the system\'s: POST, PATCH, DELETE and import on /lead-scores are 405, for admins too', async () => {
    const { api } = await createTenant()
    const lead = await created(api, '/leads', { name: 'Scored', source: 'referral' })
    const [row] = await history(api, lead.$id)
    const refused = [
      await api.post('/lead-scores', { lead: lead.$id, score: 99 }),
      await api.patch(`/lead-scores/${row.$id}`, { score: 99 }),
      await api.delete(`/lead-scores/${row.$id}`),
      await api.post('/lead-scores/import', `{"lead":"${lead.$id}","score":99}\n`, { headers: { 'content-type': 'application/x-ndjson' } }),
    ]
    for (const res of refused) expect(res.status).toBe(405)
    expect(await history(api, lead.$id)).toHaveLength(1)
  })

  it('lead score rows cannot be changed: not over the API, not in SQL', async () => {
    const { slug, api } = await createTenant()
    const lead = await created(api, '/leads', { name: 'Fixed', source: 'referral' })
    const [row] = await history(api, lead.$id)
    expect((await api.patch(`/lead-scores/${row.$id}`, { score: 99 })).status).toBeGreaterThanOrEqual(400)
    expect((await api.delete(`/lead-scores/${row.$id}`)).status).toBeGreaterThanOrEqual(400)

    await runInDurableObject(env.TENANT.getByName(slug), (_instance, state) => {
      const sql = state.storage.sql
      expect(sql.exec<{ n: number }>('SELECT count(*) AS n FROM lead_scores WHERE lead = ?', lead.$id).one().n).toBeGreaterThanOrEqual(1)
      expect(() => sql.exec('UPDATE lead_scores SET score = 99 WHERE id = ?', row.$id)).toThrow(/immutable/)
      expect(() => sql.exec('DELETE FROM lead_scores WHERE id = ?', row.$id)).toThrow(/immutable/)
    })
    expect((await history(api, lead.$id))[0]).toMatchObject({ $id: row.$id, score: 20 })
  })
})
