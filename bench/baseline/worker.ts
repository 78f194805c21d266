/**
 * The bench's bare baseline: the least any implementation of Revline's contact endpoints must do,
 * with no framework and no ORM. Route by path, check the bearer token, parse the JSON body, address
 * the tenant's Durable Object with `getByName`, run the same SQL as Revline by hand with
 * `ctx.storage.sql.exec`, and answer JSON shaped like Revline's entities.
 *
 * Schema: the `contacts`, `deals`, `leads` and `events` tables are copies of Revline's (migrations/),
 * same columns and same indexes, so both sides pay the same index maintenance and the same plans.
 *
 *   GET  /                          {"name":"baseline"}               (no DO: the Worker floor)
 *   GET  /~{slug}/ping              DO round trip, no SQL
 *   POST /~{slug}/contacts          one transactionSync: INSERT contact + INSERT event (JSON)
 *   POST /~{slug}/leads             the same for a lead (status New and a stand-in score set by hand)
 *   GET  /~{slug}/contacts/{id}     SELECT * … WHERE id = ? AND deleted_at IS NULL (primary key)
 *   GET  /~{slug}/contacts?stage=&source=&limit=
 *                                   SELECT count(*) over the filter, then SELECT * … ORDER BY
 *                                   created_at DESC, id DESC LIMIT limit+1 (Revline's list SQL)
 *   GET  /~{slug}/leads/{id}?include=contact
 *                                   the lead by primary key, then its contact by primary key,
 *                                   nested in place (Revline's `include` of a forward relation)
 *   GET  /~{slug}/leads?source=&status=&sort=-score&limit=
 *                                   count(*) over the filter, then SELECT * … ORDER BY score DESC,
 *                                   id DESC LIMIT limit+1 (Revline's list SQL for that query)
 *   GET  /~{slug}/leads/summary     GROUP BY status over every lead (a summary without counters)
 *   POST /~{slug}/deals/{id}/win    one transactionSync: UPDATE deals SET stage='Won', won_at=?,
 *                                   version=version+1 … RETURNING * + INSERT event
 *   POST /~{slug}/deals/{id}/advance {"stage"}  the same UPDATE with the stage from the JSON body
 *   POST /~{slug}/capture           no auth; urlencoded form → INSERT contact + INSERT event
 *   POST /~{slug}/{contacts|deals|leads}/import   text/csv or application/x-ndjson, streamed by
 *                                   the Worker, rows sent to the DO in batches of 1,000, each batch
 *                                   one transactionSync of INSERT row + INSERT event per row;
 *                                   answers {created, rejected, rows, durationMs} (+ ids with ?ids=1)
 *   POST /~{slug}/leads/rescore-loop  inside the DO: leads in chunks of 2,000 by primary key (like
 *                                   Revline's job) and UPDATE leads SET score = ? WHERE id = ? for
 *                                   each open one, one transactionSync per chunk; {rows, durationMs}
 */
import { DurableObject } from 'cloudflare:workers'

interface BaselineEnv {
  TENANT: DurableObjectNamespace<BaselineDO>
  /** Set with `--var TOKEN:…`; requests must send `Authorization: Bearer <TOKEN>`. */
  TOKEN: string
}

type Row = Record<string, SqlStorageValue>
type Entity = Record<string, unknown>

/** API field → column, in Revline's Contact order (meta columns first). */
const META: [string, string][] = [
  ['$id', 'id'],
  ['$version', 'version'],
  ['$createdAt', 'created_at'],
  ['$updatedAt', 'updated_at'],
  ['$createdBy', 'created_by'],
  ['$deletedAt', 'deleted_at'],
]
const FIELDS: [string, string][] = [
  ['name', 'name'],
  ['firstName', 'first_name'],
  ['lastName', 'last_name'],
  ['email', 'email'],
  ['phone', 'phone'],
  ['mobile', 'mobile'],
  ['avatar', 'avatar'],
  ['title', 'title'],
  ['department', 'department'],
  ['organization', 'organization'],
  ['role', 'role'],
  ['stage', 'stage'],
  ['status', 'status'],
  ['source', 'source'],
  ['leadScore', 'lead_score'],
  ['preferredChannel', 'preferred_channel'],
  ['timezone', 'timezone'],
  ['language', 'language'],
  ['manager', 'manager'],
  ['linkedinUrl', 'linkedin_url'],
  ['twitterHandle', 'twitter_handle'],
  ['marketingConsent', 'marketing_consent'],
  ['lastEngagement', 'last_engagement'],
  ['owner', 'owner'],
  ['mergedInto', 'merged_into'],
]
const COLUMNS = [...META, ...FIELDS]

/** Deals and leads, Revline's columns (migrations/0000_initial.sql + 0003_scoring.sql). */
const DEAL_FIELDS: [string, string][] = [
  ['name', 'name'], ['value', 'value'], ['currency', 'currency'], ['contact', 'contact'], ['organization', 'organization'],
  ['owner', 'owner'], ['stage', 'stage'], ['probability', 'probability'], ['plan', 'plan'], ['source', 'source'],
  ['campaign', 'campaign'], ['expectedCloseAt', 'expected_close_at'], ['stageEnteredAt', 'stage_entered_at'], ['wonAt', 'won_at'],
  ['lostAt', 'lost_at'], ['lostReason', 'lost_reason'], ['description', 'description'], ['nextStep', 'next_step'],
]
const LEAD_FIELDS: [string, string][] = [
  ['name', 'name'], ['contact', 'contact'], ['organization', 'organization'], ['owner', 'owner'], ['status', 'status'],
  ['source', 'source'], ['sourceDetail', 'source_detail'], ['campaign', 'campaign'], ['score', 'score'], ['budget', 'budget'],
  ['authority', 'authority'], ['need', 'need'], ['timeline', 'timeline'], ['deal', 'deal'], ['convertedAt', 'converted_at'],
  ['lostReason', 'lost_reason'], ['lostAt', 'lost_at'], ['firstTouchAt', 'first_touch_at'], ['lastActivityAt', 'last_activity_at'],
  ['band', 'band'], ['agencyExperience', 'agency_experience'],
]

interface Collection {
  table: string
  type: string
  prefix: string
  fields: [string, string][]
  columns: [string, string][]
  /** Number-typed fields: CSV cells are text, coerced like Revline's import does. */
  numbers: Set<string>
  /** Field defaults a create applies (Revline's noun defaults and creating hooks, by hand). */
  defaults: (now: string, input: Entity) => Entity
  insert: string
}
function collection(table: string, type: string, prefix: string, fields: [string, string][], numbers: string[], defaults: (now: string, input: Entity) => Entity): Collection {
  const columns = [...META, ...fields]
  const insert = `INSERT INTO ${table} (${columns.map(([, c]) => c).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`
  return { table, type, prefix, fields, columns, numbers: new Set(numbers), defaults, insert }
}
const COLLECTIONS: Record<string, Collection> = {
  contacts: collection('contacts', 'Contact', 'contact', FIELDS, ['leadScore'], () => ({})),
  deals: collection('deals', 'Deal', 'deal', DEAL_FIELDS, ['value', 'probability'], (now) => ({ currency: 'USD', stage: 'Prospecting', probability: 10, stageEnteredAt: now })),
  leads: collection('leads', 'Lead', 'lead', LEAD_FIELDS, ['score', 'budget'], (_now, input) => ({ status: 'New', score: standInScore(input) })),
}

/**
 * Revline scores every lead it creates (seed 004's table); the baseline stores a stand-in of the
 * same spread (0–100 from budget, source and timeline) so that lists sorted by score walk the same
 * kind of index on both sides. Not Revline's rules: the bench compares storage work, not scoring.
 */
function standInScore(input: Entity): number {
  const budget = Number(input.budget ?? 0)
  const timeline = String(input.timeline ?? '')
  return (budget >= 50_000 ? 30 : budget >= 10_000 ? 20 : 5) + (input.source === 'referral' ? 20 : 10) + (/asap|week/i.test(timeline) ? 25 : timeline ? 10 : 0)
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS contacts (
  id text PRIMARY KEY NOT NULL, version integer NOT NULL, created_at text NOT NULL, updated_at text NOT NULL,
  created_by text NOT NULL, deleted_at text, name text, first_name text, last_name text, email text, phone text,
  mobile text, avatar text, title text, department text, organization text, role text, stage text, status text,
  source text, lead_score real, preferred_channel text, timezone text, language text, manager text,
  linkedin_url text, twitter_handle text, marketing_consent text, last_engagement text, owner text, merged_into text
);
CREATE INDEX IF NOT EXISTS contacts_created_idx ON contacts (created_at, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX IF NOT EXISTS contacts_email_uniq ON contacts (email) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS contacts_organization_idx ON contacts (organization) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS contacts_source_idx ON contacts (source) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS contacts_manager_idx ON contacts (manager) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS contacts_owner_idx ON contacts (owner) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS contacts_merged_into_idx ON contacts (merged_into) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS contacts_stage_idx ON contacts (stage) WHERE deleted_at IS NULL;
CREATE TABLE IF NOT EXISTS deals (
  id text PRIMARY KEY NOT NULL, version integer NOT NULL, created_at text NOT NULL, updated_at text NOT NULL,
  created_by text NOT NULL, deleted_at text, name text, value real, currency text, contact text, organization text,
  owner text, stage text, probability real, plan text, source text, campaign text, expected_close_at text,
  stage_entered_at text, won_at text, lost_at text, lost_reason text, description text, next_step text
);
CREATE INDEX IF NOT EXISTS deals_created_idx ON deals (created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS deals_contact_idx ON deals (contact) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS deals_organization_idx ON deals (organization) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS deals_owner_idx ON deals (owner) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS deals_stage_idx ON deals (stage) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS deals_plan_idx ON deals (plan) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS deals_source_idx ON deals (source) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS deals_campaign_idx ON deals (campaign) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS deals_stage_entered_at_idx ON deals (stage_entered_at) WHERE deleted_at IS NULL;
CREATE TABLE IF NOT EXISTS leads (
  id text PRIMARY KEY NOT NULL, version integer NOT NULL, created_at text NOT NULL, updated_at text NOT NULL,
  created_by text NOT NULL, deleted_at text, name text, contact text, organization text, owner text, status text,
  source text, source_detail text, campaign text, score real, budget real, authority text, need text, timeline text,
  deal text, converted_at text, lost_reason text, lost_at text, first_touch_at text, last_activity_at text,
  band text, agency_experience integer
);
CREATE INDEX IF NOT EXISTS leads_created_idx ON leads (created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS leads_contact_idx ON leads (contact) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS leads_organization_idx ON leads (organization) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS leads_owner_idx ON leads (owner) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS leads_campaign_idx ON leads (campaign) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS leads_score_idx ON leads (score) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS leads_deal_idx ON leads (deal) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS leads_status_score_id_idx ON leads (status, score, id) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS leads_source_score_id_idx ON leads (source, score, id) WHERE deleted_at IS NULL;
CREATE TABLE IF NOT EXISTS events (
  seq integer PRIMARY KEY AUTOINCREMENT NOT NULL, id text NOT NULL, type text NOT NULL, entity_type text NOT NULL,
  entity_id text NOT NULL, verb text NOT NULL, version integer NOT NULL, actor text NOT NULL,
  actor_role text NOT NULL, request_id text NOT NULL, at text NOT NULL, data text, before text, after text, cause text
);
CREATE UNIQUE INDEX IF NOT EXISTS events_id_uniq ON events (id);
CREATE UNIQUE INDEX IF NOT EXISTS events_stream_uniq ON events (entity_id, version);
CREATE INDEX IF NOT EXISTS events_type_idx ON events (type, seq);
CREATE INDEX IF NOT EXISTS events_actor_idx ON events (actor, seq);
CREATE INDEX IF NOT EXISTS events_at_idx ON events (at);
`

const INSERT_EVENT =
  'INSERT INTO events (id, type, entity_type, entity_id, verb, version, actor, actor_role, request_id, at, data, before, after, cause) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
function newId(prefix: string): string {
  let out = ''
  while (out.length < 9) {
    for (const b of crypto.getRandomValues(new Uint8Array(18))) {
      if (b < 248) out += BASE62[b % 62]
      if (out.length === 9) break
    }
  }
  return `${prefix}_${out}`
}

function toEntity(row: Row, columns: [string, string][] = COLUMNS, type = 'Contact'): Entity {
  const entity: Entity = { $type: type }
  for (const [field, col] of columns) {
    const value = row[col]
    if (value !== null && value !== undefined) entity[field] = value
  }
  return entity
}

const OPEN_LEAD = ['New', 'Contacted', 'Qualified']
/** Revline's ORDER BY for these sorts: ties broken by id in the sort's direction. */
const LEAD_SORTS: Record<string, { sql: string; field: string }> = {
  '-score': { sql: 'score DESC, id DESC', field: 'score' },
  score: { sql: 'score ASC, id ASC', field: 'score' },
  '-$createdAt': { sql: 'created_at DESC, id DESC', field: '$createdAt' },
}

export class BaselineDO extends DurableObject<BaselineEnv> {
  private readonly sql: SqlStorage

  constructor(ctx: DurableObjectState, env: BaselineEnv) {
    super(ctx, env)
    this.sql = ctx.storage.sql
    this.sql.exec(SCHEMA)
  }

  ping(): string {
    return 'pong'
  }

  /** INSERT the row and its `created` event (the caller holds the transaction); throws on a UNIQUE violation. */
  private insert(c: Collection, input: Entity, actor: string, role: string, requestId: string, now: string): Entity {
    const entity: Entity = { $id: newId(c.prefix), $type: c.type, $version: 1, $createdAt: now, $updatedAt: now, $createdBy: actor, ...c.defaults(now, input) }
    for (const [field] of c.fields) if (input[field] != null) entity[field] = input[field]
    this.sql.exec(c.insert, ...c.columns.map(([field]) => (entity[field] ?? null) as SqlStorageValue))
    this.sql.exec(
      INSERT_EVENT,
      newId('evt'), `${c.prefix}.created`, c.type, entity.$id as string, 'create', 1, actor, role, requestId, now,
      JSON.stringify(input), null, JSON.stringify(entity), null,
    )
    return entity
  }

  /** null when the email is taken (the unique index says so). `collection`: contacts, or leads (with their stand-in score). */
  create(input: Entity, actor: string, requestId: string, role = 'admin', collection: 'contacts' | 'leads' = 'contacts'): Entity | null {
    const now = new Date().toISOString()
    try {
      return this.ctx.storage.transactionSync(() => this.insert(COLLECTIONS[collection]!, input, actor, role, requestId, now))
    } catch (error) {
      if (String(error).includes('UNIQUE')) return null
      throw error
    }
  }

  /**
   * One batch of an import: one transactionSync, INSERT row + INSERT event per row. A row that
   * breaks a UNIQUE index (a known email) is rejected alone: SQLite rolls back only its statement.
   */
  importRows(name: string, rows: Entity[], actor: string, requestId: string, withIds: boolean): { created: number; rejected: number; ids?: string[] } {
    const c = COLLECTIONS[name]!
    const now = new Date().toISOString()
    let created = 0
    let rejected = 0
    const ids: string[] = []
    this.ctx.storage.transactionSync(() => {
      for (const input of rows) {
        try {
          const entity = this.insert(c, input, actor, 'admin', requestId, now)
          created++
          if (withIds) ids.push(entity.$id as string)
        } catch (error) {
          if (!String(error).includes('UNIQUE')) throw error
          rejected++
        }
      }
    })
    return withIds ? { created, rejected, ids } : { created, rejected }
  }

  get(id: string): Entity | null {
    const row = this.sql.exec<Row>('SELECT * FROM contacts WHERE id = ? AND deleted_at IS NULL', id).toArray()[0]
    return row ? toEntity(row) : null
  }

  /** A lead by primary key and, with `withContact`, its contact by primary key in place of the id. */
  getLead(id: string, withContact: boolean): Entity | null {
    const c = COLLECTIONS.leads!
    const row = this.sql.exec<Row>('SELECT * FROM leads WHERE id = ? AND deleted_at IS NULL', id).toArray()[0]
    if (!row) return null
    const lead = toEntity(row, c.columns, c.type)
    if (withContact && typeof lead.contact === 'string') {
      const contact = this.get(lead.contact)
      if (contact) lead.contact = contact
    }
    return lead
  }

  /** Revline's list SQL for `?source=&status=&sort=±score|-$createdAt`: count(*), then the page. */
  listLeads(filter: { source?: string; status?: string }, sort: string, limit: number): { data: Entity[]; total: number; next: string | null } {
    const c = COLLECTIONS.leads!
    let where = 'deleted_at IS NULL'
    const binds: string[] = []
    if (filter.source !== undefined) (where += ' AND source = ?'), binds.push(filter.source)
    if (filter.status !== undefined) (where += ' AND status = ?'), binds.push(filter.status)
    const order = LEAD_SORTS[sort] ?? LEAD_SORTS['-$createdAt']!
    const total = this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM leads WHERE ${where}`, ...binds).one().n
    const rows = this.sql.exec<Row>(`SELECT * FROM leads WHERE ${where} ORDER BY ${order.sql} LIMIT ?`, ...binds, limit + 1).toArray()
    const data = rows.slice(0, limit).map((row) => toEntity(row, c.columns, c.type))
    const last = data.at(-1)
    const next = rows.length > limit && last ? btoa(JSON.stringify([sort, [last[order.field]], last.$id])) : null
    return { data, total, next }
  }

  list(filter: { stage?: string; source?: string }, limit: number): { data: Entity[]; total: number; next: string | null } {
    let where = 'deleted_at IS NULL'
    const binds: string[] = []
    if (filter.stage !== undefined) (where += ' AND stage = ?'), binds.push(filter.stage)
    if (filter.source !== undefined) (where += ' AND source = ?'), binds.push(filter.source)
    const total = this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM contacts WHERE ${where}`, ...binds).one().n
    const rows = this.sql.exec<Row>(`SELECT * FROM contacts WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT ?`, ...binds, limit + 1).toArray()
    const data = rows.slice(0, limit).map((row) => toEntity(row))
    const last = data.at(-1)
    const next = rows.length > limit && last ? btoa(JSON.stringify(['-$createdAt', [last.$createdAt], last.$id])) : null
    return { data, total, next }
  }

  /**
   * A deal verb by hand: one transactionSync of UPDATE deals … version = version + 1 RETURNING *
   * and the event INSERT. `win` sets stage 'Won' and won_at; `advance` sets the given stage.
   */
  moveDeal(id: string, verb: 'win' | 'advance', stage: string, actor: string, requestId: string): Entity | null {
    const now = new Date().toISOString()
    const c = COLLECTIONS.deals!
    return this.ctx.storage.transactionSync(() => {
      const row =
        verb === 'win'
          ? this.sql.exec<Row>("UPDATE deals SET stage = 'Won', won_at = ?, probability = 100, stage_entered_at = ?, updated_at = ?, version = version + 1 WHERE id = ? AND deleted_at IS NULL RETURNING *", now, now, now, id).toArray()[0]
          : this.sql.exec<Row>('UPDATE deals SET stage = ?, stage_entered_at = ?, updated_at = ?, version = version + 1 WHERE id = ? AND deleted_at IS NULL RETURNING *', stage, now, now, id).toArray()[0]
      if (!row) return null
      const entity = toEntity(row, c.columns, c.type)
      this.sql.exec(
        INSERT_EVENT,
        newId('evt'), verb === 'win' ? 'deal.won' : 'deal.advanced', c.type, id, verb, entity.$version as number, actor, 'admin', requestId, now,
        verb === 'win' ? '{}' : JSON.stringify({ stage }), null, JSON.stringify(entity), null,
      )
      return entity
    })
  }

  /**
   * What a pipeline summary costs without counters: a GROUP BY over every lead, per request.
   * `NOT INDEXED` gives it its best plan: left alone, SQLite walks `leads_status_score_idx` for the
   * grouping and fetches every row through it, twice the time of a plain scan + sort.
   */
  /**
   * What a lead search costs without an index (the scale bench's floor for `GET /search`): a LIKE
   * scan of every lead's name, the first `limit` matches.
   */
  searchLeads(words: string, limit: number) {
    const c = COLLECTIONS.leads!
    const pattern = `%${words.replace(/[%_\\]/g, (ch) => `\\${ch}`)}%`
    return this.sql
      .exec<Row>("SELECT * FROM leads WHERE deleted_at IS NULL AND name LIKE ? ESCAPE '\\' LIMIT ?", pattern, limit)
      .toArray()
      .map((row) => toEntity(row, c.columns, c.type))
  }

  leadSummary() {
    return this.sql
      .exec('SELECT status, count(*) AS n, avg(score) AS avgScore, sum(budget) AS budget FROM leads NOT INDEXED WHERE deleted_at IS NULL GROUP BY status')
      .toArray()
  }

  /**
   * The nightly rescoring's floor: leads in id order, chunks of `chunk` (Revline's 2,000), the open ones
   * get a raw `UPDATE leads SET score = ? WHERE id = ?` per lead, one transactionSync per chunk.
   * Timed here; note that workerd may freeze the clock during synchronous work, so the caller
   * also times the call (see `run.mjs`).
   */
  rescoreLoop(chunk: number): { rows: number; chunks: number; durationMs: number } {
    const t0 = performance.now()
    let cursor = ''
    let rows = 0
    let chunks = 0
    for (;;) {
      // By primary key, closed leads skipped here: the plan Revline's job uses (see jobs/rescore.ts).
      const page = this.sql
        .exec<{ id: string; score: number | null; status: string }>('SELECT id, score, status FROM leads WHERE deleted_at IS NULL AND id > ? ORDER BY id LIMIT ?', cursor, chunk)
        .toArray()
      if (page.length === 0) break
      const open = page.filter((lead) => OPEN_LEAD.includes(lead.status))
      this.ctx.storage.transactionSync(() => {
        for (const lead of open) this.sql.exec('UPDATE leads SET score = ? WHERE id = ?', ((lead.score ?? 0) + 7) % 101, lead.id)
      })
      rows += open.length
      chunks++
      cursor = page.at(-1)!.id
      if (page.length < chunk) break
    }
    return { rows, chunks, durationMs: performance.now() - t0 }
  }
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
const problem = (status: number, title: string) => json({ title, status }, status)

const TENANT_ROUTE = /^\/~([a-z0-9-]+)\/(ping|contacts|deals|leads|capture)(?:\/([^/]+))?(?:\/(win|advance))?$/
const IMPORT_BATCH = 1_000

async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffer = ''
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
    buffer += chunk
    let nl: number
    while ((nl = buffer.indexOf('\n')) >= 0) {
      yield buffer.slice(0, nl)
      buffer = buffer.slice(nl + 1)
    }
  }
  if (buffer) yield buffer
}

/**
 * Streams an import: CSV (a plain split on commas: the bench's files have no quoted cells, so this
 * is the least a CSV reader does) or NDJSON, in batches of 1,000 rows to the tenant object.
 */
async function importBody(request: Request, stub: DurableObjectStub<BaselineDO>, name: string, withIds: boolean): Promise<Response> {
  const c = COLLECTIONS[name]!
  const csv = (request.headers.get('content-type') ?? '').startsWith('text/csv')
  if (!request.body) return problem(400, 'the import is empty')
  const started = Date.now()
  const requestId = crypto.randomUUID()
  let header: string[] | undefined
  let batch: Entity[] = []
  let created = 0
  let rejected = 0
  const ids: string[] = []
  const send = async () => {
    if (batch.length === 0) return
    const part = await stub.importRows(name, batch, 'key_baseline', requestId, withIds)
    created += part.created
    rejected += part.rejected
    if (part.ids) ids.push(...part.ids)
    batch = []
  }
  for await (const line of lines(request.body)) {
    if (!line.trim()) continue
    let row: Entity
    if (csv) {
      const cells = line.replace(/\r$/, '').split(',')
      if (!header) {
        header = cells
        continue
      }
      row = {}
      header.forEach((field, i) => {
        const cell = cells[i]
        if (cell !== undefined && cell !== '') row[field] = c.numbers.has(field) ? Number(cell) : cell
      })
    } else {
      row = JSON.parse(line) as Entity
    }
    batch.push(row)
    if (batch.length >= IMPORT_BATCH) await send()
  }
  await send()
  return json({ created, rejected, rows: created + rejected, durationMs: Date.now() - started, ...(withIds ? { ids } : {}) })
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    if (url.pathname === '/') return json({ name: 'baseline' })
    const match = TENANT_ROUTE.exec(url.pathname)
    if (!match) return problem(404, 'not found')
    const [, slug, resource, id, verb] = match
    const stub = env.TENANT.getByName(slug!)

    // Public capture: no key. Parse the urlencoded form, INSERT the contact and its event.
    if (resource === 'capture') {
      if (request.method !== 'POST' || id !== undefined) return problem(405, 'method not allowed')
      const form = new URLSearchParams(await request.text())
      const email = form.get('email')?.trim().toLowerCase()
      if (!email || !email.includes('@')) return problem(422, 'a valid email is required')
      const firstName = form.get('firstName') ?? undefined
      const lastName = form.get('lastName') ?? undefined
      const input: Entity = { name: [firstName, lastName].filter(Boolean).join(' ') || email, firstName, lastName, email, stage: 'Lead', source: form.get('source') ?? 'website' }
      const entity = await stub.create(input, 'public', crypto.randomUUID(), 'public')
      return entity ? json({ ok: true, contact: (entity as Entity).$id }, 201) : problem(409, 'email already used')
    }

    if (request.headers.get('authorization') !== `Bearer ${env.TOKEN}`) return problem(401, 'unauthorized')
    if (resource === 'ping') return json({ pong: await stub.ping() })

    if (request.method === 'POST' && id === 'import') return importBody(request, stub, resource!, url.searchParams.get('ids') === '1')
    // What a pipeline summary costs without counters: GROUP BY over every lead, per request.
    if (request.method === 'GET' && resource === 'leads' && id === 'summary') return json(await stub.leadSummary())
    if (request.method === 'GET' && resource === 'leads' && id === 'search') return json({ data: await stub.searchLeads(url.searchParams.get('q') ?? '', 20) })
    if (request.method === 'GET' && resource === 'leads' && verb === undefined) {
      const q = url.searchParams
      if (id !== undefined) {
        const lead = await stub.getLead(id, q.get('include') === 'contact')
        return lead ? json(lead) : problem(404, 'not found')
      }
      const limit = Math.min(Math.max(Number(q.get('limit') ?? 25) || 25, 1), 100)
      return json(await stub.listLeads({ source: q.get('source') ?? undefined, status: q.get('status') ?? undefined }, q.get('sort') ?? '-$createdAt', limit))
    }
    // A lead create: one transactionSync, INSERT lead (status New, the stand-in score) + INSERT event.
    if (request.method === 'POST' && resource === 'leads' && id === undefined) {
      let input: unknown
      try {
        input = await request.json()
      } catch {
        return problem(400, 'body is not JSON')
      }
      if (!input || typeof input !== 'object' || Array.isArray(input) || typeof (input as Entity).name !== 'string' || typeof (input as Entity).source !== 'string')
        return problem(422, 'a lead needs a name and a source')
      return json(await stub.create(input as Entity, 'key_baseline', crypto.randomUUID(), 'admin', 'leads'), 201)
    }
    if (request.method === 'POST' && resource === 'leads' && id === 'rescore-loop') {
      const t0 = Date.now()
      const result = await stub.rescoreLoop(Math.min(Math.max(Number(url.searchParams.get('chunk') ?? 2000) || 2000, 1), 10_000))
      return json({ ...result, callMs: Date.now() - t0 })
    }
    if (resource === 'deals') {
      if (request.method !== 'POST' || id === undefined || verb === undefined) return problem(405, 'method not allowed')
      let stage = 'Won'
      if (verb === 'advance') {
        let input: unknown
        try {
          input = await request.json()
        } catch {
          return problem(400, 'body is not JSON')
        }
        if (!input || typeof input !== 'object' || typeof (input as Entity).stage !== 'string') return problem(422, 'advance needs a stage')
        stage = (input as { stage: string }).stage
      }
      const entity = await stub.moveDeal(id, verb as 'win' | 'advance', stage, 'key_baseline', crypto.randomUUID())
      return entity ? json(entity) : problem(404, 'not found')
    }
    if (resource !== 'contacts' || verb !== undefined) return problem(404, 'not found')

    if (request.method === 'POST' && id === undefined) {
      let input: unknown
      try {
        input = await request.json()
      } catch {
        return problem(400, 'body is not JSON')
      }
      if (!input || typeof input !== 'object' || Array.isArray(input) || typeof (input as Entity).name !== 'string')
        return problem(422, 'a contact needs a name')
      const entity = await stub.create(input as Entity, 'key_baseline', crypto.randomUUID())
      return entity ? json(entity, 201) : problem(409, 'email already used')
    }
    if (request.method === 'GET' && id !== undefined) {
      const entity = await stub.get(id)
      return entity ? json(entity) : problem(404, 'not found')
    }
    if (request.method === 'GET') {
      const q = url.searchParams
      const limit = Math.min(Math.max(Number(q.get('limit') ?? 25) || 25, 1), 100)
      const filter = { stage: q.get('stage') ?? undefined, source: q.get('source') ?? undefined }
      return json(await stub.list(filter, limit))
    }
    return problem(405, 'method not allowed')
  },
} satisfies ExportedHandler<BaselineEnv>
