/**
 * Revline over MCP (seeds 000–002 and the headless.ly design): `search`, `fetch`, `do` (one verb or
 * a list of steps), `events` and `schema`, plus a `revline://schema` resource. Every call is an
 * ordinary tenant operation, so the key's role, the verbs' hooks and the event log apply as over REST.
 */
import { McpServer } from '@modelcontextprotocol/server'
import { z } from 'zod'
import { eventFilterFields } from '../domain/event-filter'
import { nounOfType, verbCallOf } from '../domain/engine/steps'
import type { EntityRecord } from '../domain/engine/types'
import { AppError } from '../domain/errors'
import type { NounSchema } from '../domain/noun/noun'
import type { CollectionRegistry } from '../domain/noun/registry'
import { parseFilter, type Condition } from '../domain/query/filter'
import { ftsQuery } from '../domain/search'
import { DEFAULT_LIMIT, MAX_LIMIT, parseSort, type SortKey } from '../domain/query/list-query'
import type { TenantClient } from '../durable/tenant-client'
import { allNouns, describeNoun, nounSummary } from './schema-text'


/** `{ score: 'desc' }` (seed 001's MCP example) or `"-score,name"`. */
function sortOf(noun: NounSchema, sort: unknown): SortKey[] {
  const errors: { path: string; message: string }[] = []
  const text = typeof sort === 'string' ? sort : sort && typeof sort === 'object' ? Object.entries(sort).map(([f, d]) => (String(d).toLowerCase().startsWith('desc') || d === -1 ? `-${f}` : f)).join(',') : undefined
  const keys = parseSort(noun, text, errors)
  if (errors.length) throw new AppError('invalid_query', 'the sort is not valid', errors)
  return keys
}

/** `query` with a type: the full-text index's words, as `$search` in a list filter. */
function queryCondition(query: string | undefined): Condition[] {
  if (!query) return []
  try {
    return [{ search: ftsQuery(query) }]
  } catch (error) {
    if (error instanceof AppError) throw new AppError(error.code, error.detail, error.errors?.map((e) => ({ ...e, path: 'query' })))
    throw error
  }
}

const json = (value: unknown) => ({ content: [{ type: 'text' as const, text: JSON.stringify(value, null, 2) }], structuredContent: value as Record<string, unknown> })
/**
 * A tool's failure as the client sees it: AppErrors as their problem; anything else is logged here
 * and reported only by request id, so no storage or runtime message (SQL, stack) reaches a client.
 */
const failure = (error: unknown, requestId: string) => {
  let problem: object
  if (error instanceof AppError) problem = error.toFailure()
  else {
    console.error('mcp tool failed', requestId, error)
    problem = { code: 'internal_error', detail: `internal error (request id ${requestId})` }
  }
  return { content: [{ type: 'text' as const, text: JSON.stringify(problem, null, 2) }], isError: true }
}
async function guardedFor<T>(requestId: string, fn: () => Promise<T>) {
  try {
    return json(await fn())
  } catch (error) {
    return failure(error, requestId)
  }
}

const Step = z.object({
  type: z.string().describe('Noun, e.g. Contact, Lead, Deal'),
  verb: z.string().describe('create, update, delete, restore, or a custom verb such as qualify, convert, win'),
  id: z.string().optional().describe('The entity, for instance verbs; may be "$<step>.<field>" (e.g. "$0.$id")'),
  data: z.record(z.string(), z.unknown()).optional().describe('Input: fields for create/update, verb input otherwise; values may be "$<step>.<field>"'),
})

/** `nouns`: the tenant's (its own fields and nouns included), so every tool works on them as on Revline's. */
export function buildServer(tenant: TenantClient, requestId: string, nouns: CollectionRegistry): McpServer {
  const nounOf = (type: string): NounSchema => nounOfType(nouns, type)
  const server = new McpServer({ name: 'revline', version: '0.1.0' }, { instructions: `Revline CRM for tenant ${tenant.slug}. Types:\n${nounSummary(nouns)}` })
  const guarded = <T>(fn: () => Promise<T>) => guardedFor(requestId, fn)

  const runStep = async (step: z.infer<typeof Step>) => {
    // The same checks a step of a list gets inside the tenant object.
    const call = verbCallOf(nouns, step)
    const result = await tenant.run({ kind: 'verb', noun: call.noun.name, verb: call.verb, ...(call.id !== undefined ? { id: call.id } : {}), input: call.input })
    return result ?? { $id: step.id, deleted: step.verb === 'delete' }
  }

  /** Every step in one transaction in the tenant object: all results, or the failed step and nothing written. */
  const runSteps = async (steps: z.infer<typeof Step>[]) => {
    try {
      return json({ results: await tenant.run<EntityRecord[]>({ kind: 'steps', steps }) })
    } catch (error) {
      const step = error instanceof AppError ? error.extensions?.step : undefined
      if (!(error instanceof AppError) || typeof step !== 'number') return failure(error, requestId)
      const { extensions: _where, ...problem } = error.toFailure()
      const text = JSON.stringify({ failedStep: step, error: problem, applied: false, detail: `step ${step} failed, so no step was applied: a list of steps is all or nothing` }, null, 2)
      return { content: [{ type: 'text' as const, text }], isError: true }
    }
  }

  server.registerTool(
    'search',
    {
      title: 'Search',
      description: `Find entities. With "type": list that type, filtered (the REST filter language: equality, $eq $ne $gt $gte $lt $lte $in $nin $exists $contains, $and/$or, relation paths such as "organization.industry"; { "owner": "me" } for what the calling user owns), sorted ({ "score": "desc" } or "-score"), paged by cursor. "query" is full-text search (case- and accent-insensitive, each word a prefix, best matches first): without "type" across every noun, answering { data: [{ $type, $id, name, snippet, score }], next } (pass "next" as "cursor"); with "type" it narrows that list. Types:\n${nounSummary(nouns)}`,
      inputSchema: z.object({
        type: z.string().optional(),
        query: z.string().max(200).optional(),
        filter: z.record(z.string(), z.unknown()).optional(),
        sort: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
        limit: z.number().int().min(1).max(MAX_LIMIT).optional(),
        cursor: z.string().optional(),
      }),
    },
    async ({ type, query, filter, sort, limit, cursor }) =>
      guarded(async () => {
        if (!type) {
          if (!query) throw new AppError('validation_failed', 'give a type, a query, or both', [{ path: 'query', message: 'is required without a type' }])
          const offset = cursor && /^\d{1,4}$/.test(cursor) ? Number(cursor) : 0
          return tenant.run({ kind: 'search', q: query, limit: Math.min(limit ?? 10, 100), offset })
        }
        const noun = nounOf(type)
        const where: Condition = { and: [parseFilter(noun, filter ?? {}, nouns, 'json', { me: true }), ...queryCondition(query)] }
        const page = await tenant.run<Record<string, unknown>>({ kind: 'list', noun: noun.name, query: { where, sort: sortOf(noun, sort), limit: limit ?? DEFAULT_LIMIT, ...(cursor ? { cursor } : {}) } })
        return { type: noun.name, ...page }
      }),
  )

  server.registerTool(
    'fetch',
    {
      title: 'Fetch',
      description: 'Get one entity by type and id. "include" expands relations in place (e.g. ["contact","organization","deal"]) and adds reverse lists (e.g. ["leads","activities"]); "asOf" (ISO date-time) answers from the event log as the entity was then.',
      inputSchema: z.object({ type: z.string(), id: z.string(), include: z.array(z.string()).optional(), asOf: z.string().optional() }),
    },
    async ({ type, id, include, asOf }) =>
      guarded(async () => {
        const noun = nounOf(type)
        let when: string | undefined
        if (asOf) {
          const ms = Date.parse(asOf)
          if (Number.isNaN(ms)) throw new AppError('validation_failed', 'asOf must be an ISO date-time', [{ path: 'asOf', message: 'is not a date' }])
          when = new Date(ms).toISOString()
        }
        // The object reads the includes against the tenant's own schema (its custom relations too).
        return tenant.run({ kind: 'get', noun: noun.name, id, ...(include ? { includeParam: include.join(',') } : {}), ...(when ? { asOf: when } : {}) })
      }),
  )

  server.registerTool(
    'do',
    {
      title: 'Do',
      description:
        'Run verbs. One: { type, verb, id?, data? }. Several: { steps: [ ... ] } run in order as one transaction, all or nothing: if a step fails, the answer names it (failedStep) and no step is applied. A step may use an earlier result as "$<index>.<field>", e.g. create a contact then { "type": "Contact", "verb": "qualify", "id": "$0.$id" }. Hooks run as over REST (winning a deal creates the customer and subscription). Returns each result.',
      inputSchema: z.object({
        type: z.string().optional(),
        verb: z.string().optional(),
        id: z.string().optional(),
        data: z.record(z.string(), z.unknown()).optional(),
        steps: z.array(Step).min(1).max(50).optional(),
      }),
    },
    async (input) => {
      if (!input.steps) {
        if (!input.type || !input.verb) return failure(new AppError('validation_failed', 'give { type, verb } or { steps }', [{ path: 'type', message: 'is required without steps' }]), requestId)
        return guarded(() => runStep({ type: input.type!, verb: input.verb!, id: input.id, data: input.data }))
      }
      return runSteps(input.steps)
    },
  )

  server.registerTool(
    'events',
    {
      title: 'Events',
      description:
        'Read the immutable event log, oldest first: filter by type ("deal.won", "deal.*", or several comma-separated: "lead.*,deal.won"), entity id, actor. Answers { data, next }: pass "next" as "after" for the next page (events with a larger seq); next is null on the last page.',
      inputSchema: z.object({
        // The filter as REST's `/events` checks it: a long list of types is refused, not run as SQL.
        ...eventFilterFields,
        // `next` is a string (as REST's `/events` and every list cursor): it must come back as it went out.
        after: z.union([z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), z.string().regex(/^\d{1,15}$/, 'is the "next" of a previous answer')]).optional(),
        limit: z.number().int().min(1).max(500).optional(),
      }),
    },
    async ({ after, ...query }) => guarded(() => tenant.run({ kind: 'events', query: { ...query, ...(after === undefined ? {} : { after: Number(after) }), limit: query.limit ?? 100 } })),
  )

  server.registerTool(
    'schema',
    {
      title: 'Schema',
      description: 'Describe the types: every field (with enums and relations), verb (with its input, event and from-states) and state machine. Give "type" for one.',
      inputSchema: z.object({ type: z.string().optional() }),
    },
    async ({ type }) => guarded(async () => (type ? describeNoun(nounOf(type)) : { types: allNouns(nouns) })),
  )

  server.registerResource('schema', 'revline://schema', { title: 'Revline schema', description: 'Every noun, field, enum and verb', mimeType: 'application/json' }, async (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ types: allNouns(nouns) }, null, 2) }],
  }))

  return server
}
