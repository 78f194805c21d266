/**
 * The bench's bare baseline: the least any implementation of Revline's contact endpoints must do,
 * with no framework and no ORM. Route by path, check the bearer token, parse the JSON body, address
 * the tenant's Durable Object with `getByName`, run the same SQL as Revline by hand with
 * `ctx.storage.sql.exec`, and answer JSON shaped like Revline's entities.
 *
 * Schema: the `contacts` and `events` tables are copies of Revline's (migrations/0000_initial.sql),
 * same columns and same indexes, so both sides pay the same index maintenance and the same plans.
 *
 *   GET  /                          {"name":"baseline"}               (no DO: the Worker floor)
 *   GET  /~{slug}/ping              DO round trip, no SQL
 *   POST /~{slug}/contacts          one transactionSync: INSERT contact + INSERT event (JSON)
 *   GET  /~{slug}/contacts/{id}     SELECT * … WHERE id = ? AND deleted_at IS NULL (primary key)
 *   GET  /~{slug}/contacts?stage=&source=&limit=
 *                                   SELECT count(*) over the filter, then SELECT * … ORDER BY
 *                                   created_at DESC, id ASC LIMIT limit+1 (Revline's list SQL)
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
]
const COLUMNS = [...META, ...FIELDS]

const SCHEMA = `
CREATE TABLE IF NOT EXISTS contacts (
  id text PRIMARY KEY NOT NULL, version integer NOT NULL, created_at text NOT NULL, updated_at text NOT NULL,
  created_by text NOT NULL, deleted_at text, name text, first_name text, last_name text, email text, phone text,
  mobile text, avatar text, title text, department text, organization text, role text, stage text, status text,
  source text, lead_score real, preferred_channel text, timezone text, language text, manager text,
  linkedin_url text, twitter_handle text, marketing_consent text, last_engagement text, owner text
);
CREATE INDEX IF NOT EXISTS contacts_created_idx ON contacts (created_at, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX IF NOT EXISTS contacts_email_uniq ON contacts (email) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS contacts_organization_idx ON contacts (organization) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS contacts_source_idx ON contacts (source) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS contacts_manager_idx ON contacts (manager) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS contacts_owner_idx ON contacts (owner) WHERE deleted_at IS NULL;
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

const INSERT_CONTACT = `INSERT INTO contacts (${COLUMNS.map(([, c]) => c).join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`
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

function toEntity(row: Row): Entity {
  const entity: Entity = { $type: 'Contact' }
  for (const [field, col] of COLUMNS) {
    const value = row[col]
    if (value !== null && value !== undefined) entity[field] = value
  }
  return entity
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

  /** null when the email is taken (the unique index says so). */
  create(input: Entity, actor: string, requestId: string): Entity | null {
    const now = new Date().toISOString()
    const entity: Entity = { $id: newId('contact'), $type: 'Contact', $version: 1, $createdAt: now, $updatedAt: now, $createdBy: actor }
    for (const [field] of FIELDS) if (input[field] != null) entity[field] = input[field]
    const binds = COLUMNS.map(([field]) => (entity[field] ?? null) as SqlStorageValue)
    try {
      this.ctx.storage.transactionSync(() => {
        this.sql.exec(INSERT_CONTACT, ...binds)
        this.sql.exec(
          INSERT_EVENT,
          newId('evt'), 'contact.created', 'Contact', entity.$id as string, 'create', 1, actor, 'admin', requestId, now,
          JSON.stringify(input), null, JSON.stringify(entity), null,
        )
      })
    } catch (error) {
      if (String(error).includes('UNIQUE')) return null
      throw error
    }
    return entity
  }

  get(id: string): Entity | null {
    const row = this.sql.exec<Row>('SELECT * FROM contacts WHERE id = ? AND deleted_at IS NULL', id).toArray()[0]
    return row ? toEntity(row) : null
  }

  list(filter: { stage?: string; source?: string }, limit: number): { data: Entity[]; total: number; next: string | null } {
    let where = 'deleted_at IS NULL'
    const binds: string[] = []
    if (filter.stage !== undefined) (where += ' AND stage = ?'), binds.push(filter.stage)
    if (filter.source !== undefined) (where += ' AND source = ?'), binds.push(filter.source)
    const total = this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM contacts WHERE ${where}`, ...binds).one().n
    const rows = this.sql.exec<Row>(`SELECT * FROM contacts WHERE ${where} ORDER BY created_at DESC, id ASC LIMIT ?`, ...binds, limit + 1).toArray()
    const data = rows.slice(0, limit).map(toEntity)
    const last = data.at(-1)
    const next = rows.length > limit && last ? btoa(JSON.stringify(['-$createdAt', [last.$createdAt], last.$id])) : null
    return { data, total, next }
  }
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
const problem = (status: number, title: string) => json({ title, status }, status)

const TENANT_ROUTE = /^\/~([a-z0-9-]+)\/(ping|contacts)(?:\/([^/]+))?$/

export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    if (url.pathname === '/') return json({ name: 'baseline' })
    const match = TENANT_ROUTE.exec(url.pathname)
    if (!match) return problem(404, 'not found')
    if (request.headers.get('authorization') !== `Bearer ${env.TOKEN}`) return problem(401, 'unauthorized')
    const [, slug, resource, id] = match
    const stub = env.TENANT.getByName(slug!)
    if (resource === 'ping') return json({ pong: await stub.ping() })

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
