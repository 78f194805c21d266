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
 * A target `t` is { name, slug, headers, ids, counter }: `headers` carries Content-Type and the
 * Bearer key, `ids` are the seeded contact ids (same data on both sides, different ids), `counter`
 * is a per-target integer for unique values. Options are autocannon's per-request options
 * (method, path, headers, body, setupRequest). `setupRequest(req)` runs before each request and
 * returns the request to send: use it to vary paths and bodies.
 *
 * Writes change the tables that later reads run over, and the faster side writes more rows: keep
 * writing scenarios after the reads (as `create` is here) or give them their own tenant.
 */

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

const randomId = (t) => t.ids[Math.floor(Math.random() * t.ids.length)]

export const scenarios = [
  {
    // Informational: no Durable Object, no auth. The floor of each Worker (Hono vs a bare fetch).
    name: 'root',
    goal: null,
    expect: 200,
    ...same(() => ({ method: 'GET', path: '/' })),
  },
  {
    name: 'get',
    goal: 0.6,
    expect: 200,
    ...same((t) => ({
      method: 'GET',
      headers: t.headers,
      setupRequest: (req) => ({ ...req, path: `/~${t.slug}/contacts/${randomId(t)}` }),
    })),
  },
  {
    // COUNT over the filter + SELECT … ORDER BY created_at DESC, id LIMIT 26 (see README).
    name: 'list',
    goal: 0.7,
    expect: 200,
    ...same((t) => ({ method: 'GET', headers: t.headers, path: `/~${t.slug}/contacts?stage=Lead&sort=-$createdAt&limit=25` })),
    baseline: (t) => ({ method: 'GET', headers: t.headers, path: `/~${t.slug}/contacts?stage=Lead&limit=25` }),
  },
  {
    // Last: it grows the tables. Every request sends a distinct email (the field is unique).
    name: 'create',
    goal: 0.7,
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
]
