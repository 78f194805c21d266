/**
 * The tenant routes that are not a noun's collection: the event log, settings sections, pipeline
 * analytics, lead score history and the proposal document (keys, sources, jobs: admin-routes.ts).
 * Settings bodies are the zod schemas the tenant object validates with, converted to JSON Schema.
 */
import { z } from 'zod'
import { EVENT_TYPE_LIST, MAX_EVENT_TYPES } from '../../domain/event-filter'
import { TenantSettings } from '../../domain/settings'
import { SETTINGS_SECTIONS } from '../../durable/settings-ops'
import { TENANT_ERRORS, dataList, jsonBody, jsonResponse, param, problems, type Operation, type Paths } from './components'
import { idSchema, ref, type JsonSchema } from './schemas'

/** A zod schema as JSON Schema (what a request may send). */
export function fromZod(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema
  return rest
}

export const get = (tag: string, operationId: string, summary: string, response: JsonSchema, extra: Operation = {}): Operation => ({
  operationId,
  tags: [tag],
  summary,
  ...extra,
  responses: { '200': jsonResponse(summary, response), ...problems(...((extra.parameters as unknown[] | undefined)?.length ? [400] : []), ...TENANT_ERRORS) },
})

const eventSchema: JsonSchema = {
  type: 'object',
  description: 'One immutable entry of the event log.',
  required: ['seq', 'id', 'type', 'entityType', 'entityId', 'verb', 'version', 'actor', 'at'],
  properties: {
    seq: { type: 'integer' },
    id: { type: 'string', examples: ['evt_fX9bL5nRd'] },
    type: { type: 'string', description: '`noun.past-tense`', examples: ['deal.won'] },
    entityType: { type: 'string' },
    entityId: { type: 'string' },
    verb: { type: 'string' },
    version: { type: 'integer' },
    actor: { type: 'string', description: 'Who acted: the user (`user_…`), else the service key (`key_…`), `public:…` or `system`.' },
    actorRole: { type: 'string' },
    via: { type: ['string', 'null'], description: 'The key (`key_…`) or session (`ses_…`) through which the user acted; null when the actor is not a user.' },
    requestId: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    data: { type: ['object', 'null'] },
    before: { type: ['object', 'null'], description: 'The entity before the verb.' },
    after: { type: ['object', 'null'], description: 'The entity after the verb.' },
    cause: { type: ['string', 'null'], description: 'The event whose after hook caused this one.' },
    prevHash: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'The previous event’s `hash` (64 zeros for the first event).' },
    hash: {
      type: 'string',
      pattern: '^[0-9a-f]{64}$',
      description: 'SHA-256 over `prevHash` and this event’s stored bytes (every column, `data`, `before` and `after` as stored), computed in the transaction that appended it. `GET /events/verify` recomputes the chain.',
    },
  },
}

const verification: JsonSchema = {
  type: 'object',
  required: ['ok', 'count', 'head'],
  properties: {
    ok: { type: 'boolean' },
    count: { type: 'integer', description: 'Events verified (all of them when `ok`; those before `seq` otherwise).' },
    head: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'The hash of the last verified event: compare heads taken at different times.' },
    seq: { type: 'integer', description: 'When not `ok`: the first event that does not verify.' },
    reason: { type: 'string', description: 'When not `ok`: whether the event was altered, or an event removed or reordered.' },
  },
}

function eventPaths(): Paths {
  const q = (name: string, schema: JsonSchema, description: string) => ({ name, in: 'query', description, schema })
  return {
    '/events': {
      get: get('Events', 'listEvents', 'The event log, oldest first', dataList(ref('Event'), true), {
        parameters: [
          q('type', { type: 'string', maxLength: 1000, pattern: EVENT_TYPE_LIST.source }, `\`deal.won\`, \`deal.*\` for every verb of a noun, or up to ${MAX_EVENT_TYPES} of either, comma-separated (\`lead.*,deal.won\`).`),
          q('entity', { type: 'string', maxLength: 64 }, 'Only events about this entity id.'),
          q('actor', { type: 'string', maxLength: 128 }, 'Only events by this key id or system actor.'),
          q('after', { type: 'integer', minimum: 0 }, 'Only events with a larger `seq` (the previous page’s `next`).'),
          q('limit', { type: 'integer', minimum: 1, maximum: 500, default: 100 }, 'Page size.'),
        ],
      }),
    },
    '/events/verify': {
      get: get('Events', 'verifyEvents', 'Recompute the log’s hash chain (admins)', verification, {
        description: 'Walks the whole log in pages (never held in memory) and recomputes each event’s hash from the previous one. `ok: false` names the first event that was altered, or that follows a removed or reordered one.',
      }),
    },
    ...feedPaths(q),
  }
}

const FEED_LIMITS =
  'Open connections are limited per key (or signed-in session) and per tenant (wrangler vars `FEED_CONNECTIONS_PER_KEY`, default 100, and `FEED_CONNECTIONS_PER_TENANT`, default 1,000): one more is a 429 with `Retry-After`. A connection ends when its key is revoked, its user deactivated or signed out, or its tenant suspended.'

/** The live feed: the log's committed events as they happen, over SSE or a WebSocket (src/durable/live-feed.ts). */
function feedPaths(q: (name: string, schema: JsonSchema, description: string) => Record<string, unknown>): Paths {
  const filter = [
    q('type', { type: 'string', maxLength: 1000, pattern: EVENT_TYPE_LIST.source }, `\`deal.won\`, \`deal.*\` for every verb of a noun, or up to ${MAX_EVENT_TYPES} of either, comma-separated (\`lead.*,deal.won\`).`),
    q('entity', { type: 'string', maxLength: 64 }, 'Only events about this entity id.'),
    q('actor', { type: 'string', maxLength: 128 }, 'Only events by this actor.'),
    q('after', { type: 'integer', minimum: 0 }, 'Start after this `seq`: the backlog from the log first, then live. Left out: from now on. `0`: the whole log.'),
  ]
  return {
    '/events/stream': {
      get: {
        operationId: 'streamEvents',
        tags: ['Events'],
        summary: 'The live feed as Server-Sent Events',
        description:
          'One SSE message per committed event, in log order: `id` is its `seq`, `event` its type, `data` the event as `/events` shows it. Events are sent only after their transaction commits (a rolled-back write sends nothing). A reconnecting client sends `Last-Event-ID` (EventSource does it by itself) and gets every event after it once, with no gap. Comments (`: heartbeat`) keep idle streams open through proxies. Any key of the tenant, or the dashboard’s session cookie. ' +
          FEED_LIMITS,
        parameters: [...filter, { name: 'Last-Event-ID', in: 'header', description: 'The `seq` of the last event received; wins over `after`.', schema: { type: 'string', pattern: '^\\d+$' } }],
        responses: {
          '200': {
            description: 'An endless `text/event-stream`: `retry: 2000`, then `id: 42`, `event: deal.won`, `data: {…the Event…}` per event.',
            content: { 'text/event-stream': { schema: { type: 'string', description: 'Server-Sent Events; each `data` is an `Event`.' } } },
          },
          ...problems(400, ...TENANT_ERRORS, 429),
        },
      },
    },
    '/events/ws': {
      get: {
        operationId: 'eventsWebSocket',
        tags: ['Events'],
        summary: 'The live feed over a WebSocket',
        description:
          'The same feed as `/events/stream`, over a WebSocket the tenant object holds with the hibernation API (idle sockets cost no CPU). The URL’s filter and `after` subscribe at once. The server sends `{"op":"subscribed","filter":{…},"after":N}`, then `{"op":"event","seq":N,"event":{…Event…}}` per event. The client may send `{"op":"subscribe","type":"deal.*","after":N}` to change filter and position (the backlog after N, then live); a bad message is answered `{"op":"error","status":422,"detail":…,"errors":[…]}` and the socket stays open. Text `ping` is answered `pong`. A browser (whose WebSocket cannot send `Authorization`) offers the key as a subprotocol, `new WebSocket(url, [\'revline\', \'bearer.\' + key])`, and the server answers `Sec-WebSocket-Protocol: revline`. ' +
          FEED_LIMITS,
        parameters: [...filter, { name: 'Upgrade', in: 'header', required: true, schema: { type: 'string', const: 'websocket' } }],
        responses: { '101': { description: 'Switching protocols: the socket is open and subscribed.' }, ...problems(400, ...TENANT_ERRORS, 426, 429) },
      },
    },
  }
}

function settingsPaths(): Paths {
  const shape = TenantSettings.shape as Record<string, z.ZodType>
  const paths: Paths = {}
  for (const section of SETTINGS_SECTIONS) {
    const body = shape[section] ? fromZod(shape[section]) : {}
    const answer = { type: 'object', required: ['data', 'version'], properties: { data: body, version: { type: 'integer', description: 'The settings version, bumped on every write.' } } }
    paths[`/settings/${section}`] = {
      get: get('Settings', `get${section}Settings`, `The ${section} settings`, answer, { description: 'Admin keys only.' }),
      put: {
        operationId: `put${section}Settings`,
        tags: ['Settings'],
        summary: `Replace the ${section} settings`,
        description:
          'The body is the whole section. Validated, versioned and logged as `settings.updated`. Admin keys only.' +
          (section === 'webhooks' ? ' Each `url` must be a public http(s) address: loopback, private and link-local targets are refused (422 naming `webhooks.<i>.url`) except in local development.' : '') +
          (section === 'dashboard'
            ? " Names the tenant's own fields the dashboard shows: Lead's (`budgetTier`) or the lead's contact's (`contact.shoeSize`); any other name, a repeat, or a list or JSON field in `leadForm` is a 422 naming `dashboard.leadColumns[i]`. A schema change that takes a marked field away is a 409 until it is unmarked."
            : '') +
          (section === 'assignment'
            ? ' Who takes new leads: every lead created without an owner (captured, ingested, imported, or created over the API or MCP) is assigned in the transaction that creates it, as a `lead.assigned` event caused by its `lead.created`. `round-robin` gives each lead to the next user in turn (the turn is read from the event log, so restarts keep it); `rules` gives it to the first rule whose `when` (the list filter language, on the new lead) matches, else to the `fallback`. Users by id or email, saved as ids (the manifest shows emails); deactivated users are skipped, and with nobody left the lead stays unassigned. An unknown, deactivated or repeated user, or a filter that does not parse, is a 422 naming it (`assignment.users.1`, `assignment.rules.0.when.budget`).'
            : ''),
        requestBody: jsonBody(body),
        responses: { '200': jsonResponse(`The ${section} settings as saved`, answer), ...problems(400, ...TENANT_ERRORS, 413, 415, 422) },
      },
    }
  }
  return paths
}

const count = (description: string): JsonSchema => ({ type: 'integer', description })
const amount = (description: string): JsonSchema => ({ type: 'number', description: `${description} In major units of the currency (48000 is $48,000).` })
const summarySchema: JsonSchema = {
  type: 'object',
  description:
    "Seed 003's pipelineSummary. Its fields count two populations: `total`, `active`, `conversionRate` and `avgScore` are about leads; `won`, `lost`, the pipeline values and `byStage` about deals. `leads` and `deals` repeat the counts under the population they count.",
  properties: {
    total: count('Leads: every lead (created in the range, when one is given).'),
    active: count('Leads that are open: New, Contacted or Qualified.'),
    won: count('Deals in the Won stage.'),
    lost: count('Deals in the Lost stage.'),
    totalPipelineValue: amount('Deals: the value of the open ones.'),
    weightedPipelineValue: amount('Deals: the open ones, each value times its probability.'),
    conversionRate: { type: 'number', description: 'Leads: the percentage of leads that converted into a deal.' },
    avgScore: { type: ['number', 'null'], description: 'Leads: the average score of the scored ones.' },
    leads: {
      type: 'object',
      description: 'The lead counts: every lead, the open ones, the converted and the lost.',
      properties: { total: { type: 'integer' }, active: { type: 'integer' }, converted: { type: 'integer' }, lost: { type: 'integer' } },
    },
    deals: {
      type: 'object',
      description: 'The deal counts: open, won and lost.',
      properties: { open: { type: 'integer' }, won: { type: 'integer' }, lost: { type: 'integer' } },
    },
    byStage: {
      type: 'array',
      description: 'Deals per stage of the pipeline, in stage order.',
      items: { type: 'object', properties: { stageId: { type: 'string' }, stageName: { type: 'string' }, count: count('Deals in the stage.'), value: amount('Their value.') } },
    },
  },
  additionalProperties: true,
}

function pipelinePaths(): Paths {
  const range = [param('PipelineDateFrom'), param('PipelineDateTo')]
  const report = (name: string, summary: string, schema: JsonSchema, ranged: boolean): Operation => ({
    get: get('Pipeline', `pipeline${name.charAt(0).toUpperCase()}${name.slice(1)}`, summary, schema, { description: 'Read from incremental aggregates: O(stages) at any tenant size.', parameters: ranged ? range : [] }),
  })
  const any = { type: 'object', additionalProperties: true }
  return {
    '/pipeline/summary': report('summary', 'Pipeline summary (seed 003 pipelineSummary)', summarySchema, true),
    '/pipeline/funnel': report('funnel', 'Leads reaching each status, deals each stage, step conversion', any, true),
    '/pipeline/attribution': report('attribution', 'Leads, conversions and won value by source and campaign', any, false),
    '/pipeline/cycle': report('cycle', 'Sales-cycle length (first touch → conversion, deal → won)', any, false),
    '/pipeline/billing': report('billing', 'MRR (major units) and active subscriptions', any, false),
  }
}

function leadPaths(): Paths {
  return {
    '/leads/{id}/scores': {
      get: {
        operationId: 'listLeadScoreHistory',
        tags: ['Lead'],
        summary: 'Every score the lead has had, newest first',
        description: 'Immutable LeadScore rows with each rule’s points. Takes the list parameters of `/lead-scores`.',
        parameters: [{ name: 'id', in: 'path', required: true, schema: idSchema('Lead') }, param('Limit'), param('Cursor'), param('Page'), { name: 'sort', in: 'query', schema: { type: 'string', default: '-$createdAt' } }],
        responses: {
          '200': jsonResponse('A page of scores', { type: 'object', required: ['data', 'total', 'next'], properties: { data: { type: 'array', items: ref('LeadScore') }, total: { type: 'integer' }, next: { type: ['string', 'null'] } } }),
          ...problems(400, ...TENANT_ERRORS),
        },
      },
    },
    '/proposals/{id}/document': {
      get: {
        operationId: 'proposalDocument',
        tags: ['Proposal'],
        summary: 'The proposal as a printable HTML document',
        parameters: [{ name: 'id', in: 'path', required: true, schema: idSchema('Proposal') }],
        responses: { '200': { description: 'An HTML page', content: { 'text/html': { schema: { type: 'string' } } } }, ...problems(...TENANT_ERRORS) },
      },
    },
  }
}

export const tenantRouteSchemas = (): Record<string, JsonSchema> => ({ Event: eventSchema })

export const tenantRoutePaths = (): Paths => ({ ...eventPaths(), ...settingsPaths(), ...pipelinePaths(), ...leadPaths() })
