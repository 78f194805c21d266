/**
 * The bench's scenarios: each pairs a Revline request with the baseline request doing the same work.
 * Add one by appending an object; run.mjs measures them in this order.
 *
 *   name         unique, used by `--only`
 *   goal         minimum Revline rps / baseline rps, or null for an informational row
 *   expect       the status every response must have (others are counted and reported as errors)
 *   connections  optional, overrides the run's `--connections` list for this scenario
 *   revline(t)   autocannon request options for Revline (t: the target, see below)
 *   baseline(t)  the same for the baseline
 *
 * A target `t` is { name, slug, headers, ids, leadIds, counter }: `headers` carries Content-Type and
 * the Bearer key, `ids` and `leadIds` are the seeded contact and lead ids (same data on both sides,
 * different ids; each lead points at a contact), `counter` is a per-target integer for unique values. Options are autocannon's per-request options
 * (method, path, headers, body, setupRequest). `setupRequest(req)` runs before each request and
 * returns the request to send: use it to vary paths and bodies.
 *
 * Writes change the tables that later reads run over, and the faster side writes more rows: keep
 * writing scenarios after the reads (as `create` is here) or give them their own tenant.
 *
 * Optional hooks (ctx: see `context()` in run.mjs: targets, config, request, tenants, CPU snapshots):
 *   setup(ctx)   async, runs once before the scenario's rounds (seed what its requests need)
 *   run(ctx)     makes it a *bulk* scenario: no autocannon, it measures itself once and returns
 *                { unit, revline: { rate, … }, baseline: { rate, … }, ratio, goal, goalLabel, met, notes }
 *   heavy        true for the long bulk scenarios (skip them with --skip import,rescore)
 *   optIn        true: runs only when --only names it
 */

import { backupScenario } from './backup.mjs'
import { customListScenario } from './custom-fields.mjs'
import { feedScenario } from './feed.mjs'
import { scaleEvictScenario, scaleReadsScenario, scaleSearch, scaleWritesScenario } from './scale.mjs'
import { searchScenario } from './search.mjs'
import { coldStartScenario, exportScenario, importScenario, leadImportScenario, raiseCaptureLimit, rescoreScenario, seedDeals } from './bulk.mjs'

/** Seed data: the same contacts, in the same order, on both sides (see seedContact). */
export const STAGES = ['Lead', 'Qualified', 'Customer', 'Churned', 'Partner']
export const SOURCES = ['website', 'referral', 'event', 'ads', 'partner', 'outbound', 'import']

export function seedContact(i) {
  return {
    name: `Seed Contact ${i}`,
    email: `seed-${i}@bench.dev`,
    stage: STAGES[i % STAGES.length],
    source: SOURCES[i % SOURCES.length],
    leadScore: (i * 37) % 100,
  }
}

/** Both apps expose the same paths, so most scenarios share one request builder for both sides. */
const same = (build) => ({ revline: build, baseline: build })

const randomLead = (t) => t.leadIds[Math.floor(Math.random() * t.leadIds.length)]

/** The next deal to win: each open deal is won once; past the end it wraps (Revline then answers 409). */
function nextDeal(t) {
  const id = t.deals[t.dealCursor % t.deals.length]
  t.dealCursor++
  return id
}

export const scenarios = [
  {
    // Informational: no Durable Object, no auth. The floor of each Worker (Hono vs a bare fetch).
    name: 'root',
    goal: null,
    expect: 200,
    ...same(() => ({ method: 'GET', path: '/' })),
  },
  {
    // A lead by id with its contact expanded in place (`include=contact`), a random one of the
    // 100,000 per request. Baseline: the lead by primary key, then the contact by primary key.
    name: 'get',
    goal: 0.8,
    expect: 200,
    ...same((t) => ({
      method: 'GET',
      headers: t.headers,
      setupRequest: (req) => ({ ...req, path: `/~${t.slug}/leads/${randomLead(t)}?include=contact` }),
    })),
  },
  {
    // Filtered and sorted at 100,000 leads: the referral leads (1 in 6) by score, highest first.
    // Both sides: COUNT over the filter + SELECT … WHERE source = ? ORDER BY score DESC, id LIMIT 26.
    name: 'list',
    goal: 0.8,
    expect: 200,
    ...same((t) => ({ method: 'GET', headers: t.headers, path: `/~${t.slug}/leads?source=referral&sort=-score&limit=25` })),
  },
  {
    // The pipeline summary at 100,000 leads: Revline reads its incremental counters; the baseline
    // runs the GROUP BY over every lead that a summary without counters needs (issue 6: ≥ 10×).
    name: 'summary',
    goal: 10,
    expect: 200,
    revline: (t) => ({ method: 'GET', headers: t.headers, path: `/~${t.slug}/pipeline/summary` }),
    baseline: (t) => ({ method: 'GET', headers: t.headers, path: `/~${t.slug}/leads/summary` }),
  },
  {
    // A list on a tenant's custom indexed field vs the same list on a built-in one, in a tenant of
    // its own with 100,000 leads; then the time (and object blocking) of adding a field (custom-fields.mjs).
    name: 'custom-list',
    heavy: true,
    goal: 0.7,
    run: customListScenario,
  },
  {
    // Full-text search vs a $contains scan for the same word, 100,000 contacts in a tenant of their own (search.mjs).
    name: 'search',
    heavy: true,
    goal: 20,
    run: searchScenario,
  },
  {
    // Opt-in (`--only feed`; `--seed 100 --leads 0` skips the seeding it does not use): events/s
    // delivered to 1, 50, 200 SSE and 200 WebSocket listeners and commit-to-delivery latency, against
    // the same writes with none listening, in a tenant of its own (feed.mjs). Opt-in because it holds
    // hundreds of connections to the server the later scenarios measure.
    name: 'feed',
    optIn: true,
    goal: null,
    run: feedScenario,
  },
  {
    // The streamed export of the 100,000 leads, with the object's memory sampled (bulk.mjs).
    name: 'export',
    heavy: true,
    goal: null,
    run: exportScenario,
  },
  {
    // Nightly rescoring over the 100,000 open leads after a ruleset change (bulk.mjs
    // `rescoreScenario`), against a raw UPDATE loop in the baseline object. Goal: a ratio.
    // Before the writing scenarios: captures add leads on Revline's side only.
    name: 'rescore',
    heavy: true,
    goal: 0.35,
    run: rescoreScenario,
  },
  {
    // Last: it grows the tables. Every request sends a distinct email (the field is unique).
    name: 'create',
    goal: 0.8,
    expect: 201,
    ...same((t) => ({
      method: 'POST',
      headers: t.headers,
      path: `/~${t.slug}/contacts`,
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({ name: 'Alice', email: `bench-${t.counter++}@x.dev`, stage: 'Lead', source: 'website' }),
      }),
    })),
  },
  {
    // Also last-ish: it grows the leads table. The main write of every capture, scored: Revline runs
    // the create pipeline, the lead's scoring (its LeadScore row and that row's event), counters and
    // search; the baseline INSERTs the lead (status New, a stand-in score) and its event.
    name: 'lead-create',
    goal: 0.7,
    expect: 201,
    ...same((t) => ({
      method: 'POST',
      headers: t.headers,
      path: `/~${t.slug}/leads`,
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({ name: `Lead ${t.counter++}`, source: 'website', budget: 12_000, timeline: 'within 2 weeks' }),
      }),
    })),
  },
  {
    // A verb against the baseline's "UPDATE + event INSERT in one transaction":
    // POST /deals/{id}/advance {"stage"} alternating Prospecting ↔ Negotiation (neither has
    // autoNurture, so no outbox row) over a pool of 1,000 deals (seeded by import, ids read back
    // from the export) taken round robin, so no two requests in flight touch the same deal.
    // Revline runs the verb pipeline (load, stage lookup, patch, event) and its one hook, the
    // stage-change Activity (+ its event). Baseline: UPDATE deals SET stage = ? … RETURNING * +
    // INSERT event, stage from the JSON body. Why advance and not win: see README.
    name: 'verb',
    goal: 0.7,
    expect: 200,
    setup: (ctx) => seedDeals(ctx, { count: 1_000, key: 'advanceDeals' }),
    ...same((t) => ({
      method: 'POST',
      headers: t.headers,
      setupRequest: (req) => {
        const i = t.advanceCursor++ % t.advanceDeals.length
        t.advanceStages[i] = t.advanceStages[i] === 'Negotiation' ? 'Prospecting' : 'Negotiation'
        return { ...req, path: `/~${t.slug}/deals/${t.advanceDeals[i]}/advance`, body: JSON.stringify({ stage: t.advanceStages[i] }) }
      },
    })),
  },
  {
    // Opt-in (`--only verb-win`), informational: POST /deals/{id}/win on distinct open deals
    // (each can be won once; `--deals` of them are seeded). Revline runs Deal.won's hooks in the
    // same transaction: a Customer, a Subscription and the stage-change Activity, each with its
    // event (the deals have no contact, so no contact update). Baseline: UPDATE deals SET
    // stage = 'Won', won_at = ?, version = version + 1 … + INSERT event.
    name: 'verb-win',
    optIn: true,
    goal: null,
    expect: 200,
    setup: (ctx) => seedDeals(ctx),
    ...same((t) => ({
      method: 'POST',
      headers: t.headers,
      setupRequest: (req) => ({ ...req, path: `/~${t.slug}/deals/${nextDeal(t)}/win` }),
    })),
  },
  {
    // Public capture of a website form (no key), urlencoded, a distinct email per request. Revline's
    // limit (20/min per client IP) is raised to 10,000 by the setup and the client IP varies over 64
    // addresses (cf-connecting-ip), so no request is refused. Revline: contact upsert by email + a
    // Lead (scored, with its LeadScore row) + events; the baseline: INSERT contact + event.
    name: 'capture',
    goal: 0.6,
    expect: 201,
    setup: (ctx) => raiseCaptureLimit(ctx, 10_000),
    ...same((t) => ({
      method: 'POST',
      path: `/~${t.slug}/capture`,
      setupRequest: (req) => {
        const n = t.counter++
        return {
          ...req,
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'cf-connecting-ip': `198.51.100.${n % 64}` },
          body: `firstName=A&lastName=B&email=capture-${n}@x.dev&source=website`,
        }
      },
    })),
  },
  {
    // Bulk import, timed once per side (bulk.mjs `importScenario`): 100,000 CSV rows into a
    // fresh tenant, Revline's memory sampled. The goal is absolute, Revline's rows/s (≥ 10,000).
    name: 'import',
    heavy: true,
    goal: 10_000,
    run: importScenario,
  },
  {
    // Opt-in (`--only lead-import`): the same for leads (bulk.mjs `leadImportScenario`): `--import-rows`
    // CSV leads into a fresh tenant, each scored with its LeadScore row. Goal: Revline ≥ 10,000 rows/s.
    name: 'lead-import',
    optIn: true,
    heavy: true,
    goal: 10_000,
    run: leadImportScenario,
  },
  {
    // Opt-in (`--only backup`), informational: POST /backups of the seeded bench tenant (100,000
    // imported leads by default), then POST /tenants { restoreFrom } of that backup into a new
    // tenant, timed, with Revline's memory sampled while it restores (backup.mjs).
    name: 'backup',
    optIn: true,
    heavy: true,
    goal: null,
    run: backupScenario,
  },
  // The large-tenant mode's own scenarios (`--scale N` runs them; scale.mjs).
  {
    // Search over N leads by one lead's number vs the baseline's LIKE scan of every name (no index): informational.
    name: 'scale-search',
    optIn: true,
    goal: null,
    expect: 200,
    ...scaleSearch,
  },
  {
    // The summary and a search one request at a time (the baseline's full scans take seconds at scale).
    name: 'scale-reads',
    optIn: true,
    goal: null,
    run: scaleReadsScenario,
  },
  {
    // p99 of lead creates alone and while a filtered list runs, each side.
    name: 'scale-writes',
    optIn: true,
    goal: null,
    run: scaleWritesScenario,
  },
  {
    // The first read after the object is evicted (wrangler restarted on the same data).
    name: 'scale-evict',
    optIn: true,
    goal: null,
    run: scaleEvictScenario,
  },
  {
    // A new tenant's first answer: provisioning + first request vs a fresh baseline object.
    name: 'coldstart',
    goal: null,
    run: coldStartScenario,
  },
]
