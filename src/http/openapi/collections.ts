/**
 * The paths of one noun's collection, from its parsed schema: list, create, get, patch, delete,
 * restore, history, import/export (bulk.ts), and one path per custom verb (instance verbs under `{id}`,
 * collection verbs such as `/contacts/capture` beside it).
 */
import type { StoredField } from '../../domain/noun/grammar'
import { apiVerbs, type NounSchema, type VerbSpec } from '../../domain/noun/noun'
import { MAX_IN_VALUES, ME, OPERATORS } from '../../domain/query/filter'
import { ASSIGN_NOTE } from '../../domain/ownership'
import { DEFAULT_LIMIT, MAX_LIMIT } from '../../domain/query/list-query'
import { TENANT_ERRORS, dataList, header, jsonBody, jsonResponse, param, problems, type Operation, type PathItem, type Paths } from './components'
import { POST_HEADERS, bulkPaths, many } from './bulk'
import { fieldSchema, idSchema, ref, verbInputName, type JsonSchema } from './schemas'

const ENTITY_HEADERS = { ETag: header('ETag'), ...POST_HEADERS }


const entityOk = (noun: NounSchema, description: string) => jsonResponse(description, ref(noun.name), ENTITY_HEADERS)

function idParam(noun: NounSchema) {
  return { name: 'id', in: 'path', required: true, schema: idSchema(noun.name) }
}

/** A field filters by equality unless it is JSON; list fields match an item with `[$contains]`. */
function filterParam(field: StoredField) {
  if (field.kind === 'scalar' && field.type === 'json') return undefined
  const schema = fieldSchema({ ...field, list: false })
  delete schema.default
  if (field.list) return { name: `${field.name}[$contains]`, in: 'query', description: `Has this item.`, schema }
  // `?owner=me`: the calling user's own contact (a service key, which has none, is told so: 400).
  if (field.kind === 'relation' && field.target === 'Contact')
    return {
      name: field.name,
      in: 'query',
      description: `Equals. \`me\` is the calling user's own contact (\`?${field.name}=me\`: what I own; 400 for a service key, which belongs to no user). Repeat for any of several values; \`${field.name}[$op]=\` for the other operators.`,
      schema: { anyOf: [schema, { const: ME, description: 'The calling user’s contact.' }] },
    }
  return {
    name: field.name,
    in: 'query',
    description: `Equals. Repeat for any of several values; \`${field.name}[$op]=\` for the other operators.`,
    schema,
  }
}

function listOperation(noun: NounSchema): Operation {
  const fields = Object.values(noun.fields)
  const sortable = ['$createdAt', '$updatedAt', '$version', '$id', ...fields.filter((f) => !f.list && !(f.kind === 'scalar' && f.type === 'json')).map((f) => f.name)]
  return {
    operationId: `list${many(noun)}`,
    tags: [noun.name],
    summary: `List ${noun.plural}`,
    description: [
      `Field filters: \`field=value\` (equality) or \`field[$op]=value\` with $op one of ${OPERATORS.map((o) => `\`${o}\``).join(' ')}`,
      `(\`$in\`/\`$nin\` take up to ${MAX_IN_VALUES} comma-separated values, \`$exists\` true or false; numbers are decimal; dates compare as dates; \`$contains\` is a case-insensitive substring, or an item of a list field).`,
      'Meta fields (`$createdAt`, `$createdBy`, …) filter too, and `relation.field` filters through a relation (`organization.industry=SaaS`).',
      ...(fields.some((f) => f.kind === 'relation' && f.target === 'Contact') ? ['On relations to Contact (`owner`), `me` stands for the calling user’s own contact, in parameters and in `filter` alike (`?owner=me`).'] : []),
      '`$search=words` (or `"$search"` in `filter`, also inside `$or`) keeps the records whose text matches every word, as `GET /search` finds them (case- and accent-insensitive, each word a prefix).',
      'Unknown fields, operators or parameters are 400s.',
      `Sort: comma-separated, \`-\` for descending, at most 3 keys, from ${sortable.map((s) => `\`${s}\``).join(', ')}. Default \`$createdAt\`. Ties are ordered by \`$id\` in the direction of the last key.`,
      `Page size ${DEFAULT_LIMIT} by default, at most ${MAX_LIMIT}.`,
    ].join(' '),
    parameters: [
      ...fields.map(filterParam).filter((p) => p !== undefined),
      param('Filter'),
      { name: '$search', in: 'query', description: 'Full-text: every word must match the record’s text (names, emails, titles, bodies, notes).', schema: { type: 'string', maxLength: 500 } },
      { name: 'sort', in: 'query', description: 'e.g. `-score,name`', schema: { type: 'string' } },
      param('Limit'),
      param('Cursor'),
      param('Page'),
      includeParam(noun),
      param('DateFrom'),
      param('DateTo'),
    ],
    responses: {
      '200': jsonResponse(`A page of ${noun.plural}`, {
        type: 'object',
        required: ['data', 'total', 'next'],
        properties: {
          data: { type: 'array', items: ref(noun.name) },
          total: { type: 'integer', description: 'How many match the filters.' },
          next: { type: ['string', 'null'], description: 'Cursor of the next page, or null.' },
        },
      }),
      ...problems(400, ...TENANT_ERRORS),
    },
  }
}

function writeNote(noun: NounSchema, admin = false) {
  return noun.adminOnly || admin ? ' Admin keys only.' : ''
}

function createOperation(noun: NounSchema): Operation {
  return {
    operationId: `create${noun.name}`,
    tags: [noun.name],
    summary: `Create a ${noun.name}`,
    description: `Runs the create verb (hooks, validation, unique checks) and appends \`${noun.idPrefix}.created\`.${writeNote(noun)}`,
    parameters: [param('IdempotencyKey')],
    requestBody: jsonBody(ref(`${noun.name}Create`)),
    responses: {
      '201': jsonResponse(`The new ${noun.name}`, ref(noun.name), { Location: header('Location'), ...ENTITY_HEADERS }),
      ...problems(400, ...TENANT_ERRORS, 409, 413, 415, 422),
    },
  }
}

function includeParam(noun: NounSchema) {
  const names = [...Object.values(noun.fields).filter((f) => f.kind === 'relation').map((f) => f.name), ...Object.keys(noun.reverse)]
  return {
    name: 'include',
    in: 'query',
    description: `Comma-separated relations to expand in place (forward) or add (reverse lists): ${names.map((n) => `\`${n}\``).join(', ') || 'none'}.`,
    schema: { type: 'string' },
  }
}

function itemPath(noun: NounSchema): PathItem {
  const item: PathItem = {
    get: {
      operationId: `get${noun.name}`,
      tags: [noun.name],
      summary: `Get a ${noun.name}`,
      parameters: [includeParam(noun), param('AsOf')],
      responses: { '200': entityOk(noun, `The ${noun.name}`), ...problems(400, ...TENANT_ERRORS) },
    },
  }
  if (apiVerbs(noun).update) {
    item.patch = {
      operationId: `update${noun.name}`,
      tags: [noun.name],
      summary: `Update a ${noun.name}`,
      description: `Sets the given fields (null unsets an optional one); state fields move only as the state machine allows.${writeNote(noun)}`,
      parameters: [param('IfMatch')],
      requestBody: jsonBody(ref(`${noun.name}Update`)),
      responses: { '200': entityOk(noun, `The ${noun.name} after the update`), ...problems(400, ...TENANT_ERRORS, 409, 412, 413, 415, 422) },
    }
  }
  if (apiVerbs(noun).delete) {
    item.delete = {
      operationId: `delete${noun.name}`,
      tags: [noun.name],
      summary: `Delete a ${noun.name}`,
      description: 'Soft delete: reads answer 404 afterwards, the event log keeps it, `restore` brings it back. Admin keys only.',
      parameters: [param('IfMatch')],
      responses: { '204': { description: 'Deleted' }, ...problems(...TENANT_ERRORS, 409, 412) },
    }
  }
  return { parameters: [idParam(noun)], ...item }
}

/** Where a state verb may start from: its own list, or the states whose machine allows the target. */
function fromStates(noun: NounSchema, verb: VerbSpec): string[] | undefined {
  if (verb.from) return [...verb.from]
  const machine = verb.stateField ? noun.machines[verb.stateField] : undefined
  if (!machine || !verb.state) return undefined
  return Object.entries(machine)
    .filter(([, tos]) => tos.includes(verb.state!))
    .map(([from]) => from)
}

function verbDescription(noun: NounSchema, verb: VerbSpec): string {
  const parts: string[] = []
  if (verb.stateField) {
    const from = fromStates(noun, verb)
    parts.push(`Moves \`${verb.stateField}\` to \`${verb.state}\``)
    if (from) parts.push(`from ${from.map((s) => (s === '' ? '(unset)' : `\`${s}\``)).join(', ')}; any other state is 409 \`invalid_transition\``)
    parts[parts.length - 1] += '.'
  }
  if (verb.timestampField) parts.push(`Stamps \`${verb.timestampField}\`.`)
  if (verb.verb === 'assign' && Object.hasOwn(verb.input, 'user')) parts.push(ASSIGN_NOTE)
  parts.push(`Appends a \`${noun.idPrefix}.${verb.past}\` event; \`${noun.name}.${verb.gerund}\` hooks may reject it (422 \`rejected\`).`)
  if (noun.adminOnly) parts.push('Admin keys only.')
  return parts.join(' ')
}

function verbOperation(noun: NounSchema, verb: VerbSpec): Operation {
  const hasInput = Object.keys(verb.input).length > 0
  const required = Object.values(verb.input).some((f) => f.required) || verb.exactlyOne !== undefined
  const body = hasInput ? ref(verbInputName(noun, verb)) : { type: 'object', additionalProperties: false, description: 'This verb takes no input.' }
  const instance = verb.scope === 'instance'
  return {
    operationId: `${verb.verb}${noun.name}`,
    tags: [noun.name],
    summary: `${verb.verb} (${instance ? 'instance' : 'collection'} verb)`,
    description: verbDescription(noun, verb),
    parameters: instance ? [idParam(noun), param('IfMatch'), param('IdempotencyKey')] : [param('IdempotencyKey')],
    requestBody: jsonBody(body, required),
    responses: {
      '200': entityOk(noun, `The ${noun.name} after ${verb.gerund}`),
      ...problems(400, ...TENANT_ERRORS, 409, ...(instance ? [412] : []), 413, 415, 422),
    },
  }
}

function restoreOperation(noun: NounSchema): Operation {
  return {
    operationId: `restore${noun.name}`,
    tags: [noun.name],
    summary: `Restore a deleted ${noun.name}`,
    description: `Undoes a soft delete and appends \`${noun.idPrefix}.restored\`. Admin keys only.`,
    parameters: [idParam(noun), param('IfMatch'), param('IdempotencyKey')],
    responses: { '200': entityOk(noun, `The restored ${noun.name}`), ...problems(...TENANT_ERRORS, 409, 412) },
  }
}

/** One entry of an entity's history: an event of it, with the entity after it. */
export const historyEntrySchema = (noun: NounSchema): JsonSchema => ({
  type: 'object',
  required: ['version', 'event', 'seq', 'type', 'at', 'actor', 'entity'],
  properties: {
    version: { type: 'integer' },
    event: { type: 'string', description: 'The event id (`evt_…`).' },
    seq: { type: 'integer', description: 'The event’s place in the log.' },
    prevHash: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'The previous event’s hash in the log’s chain.' },
    hash: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'This event’s hash: SHA-256 over `prevHash` and the stored event.' },
    type: { type: 'string', examples: [`${noun.idPrefix}.created`] },
    at: { type: 'string', format: 'date-time' },
    actor: { type: 'string' },
    entity: { anyOf: [ref(noun.name), { type: 'null' }] },
  },
})

/** Every path of one noun, relative to the tenant server `/~{tenant}`. */
export function collectionPaths(noun: NounSchema): Paths {
  const base = `/${noun.plural}`
  const verbs = apiVerbs(noun)
  const paths: Paths = { [base]: { get: listOperation(noun), ...(verbs.create ? { post: createOperation(noun) } : {}) } }
  Object.assign(paths, bulkPaths(noun))
  paths[`${base}/{id}`] = itemPath(noun)
  paths[`${base}/{id}/history`] = {
    get: {
      operationId: `history${noun.name}`,
      tags: [noun.name],
      summary: `Every version of a ${noun.name}`,
      description: 'Answered from the event log: one entry per event, with the entity after it.',
      parameters: [idParam(noun)],
      responses: {
        '200': jsonResponse('The history, oldest first', dataList(historyEntrySchema(noun))),
        ...problems(400, ...TENANT_ERRORS),
      },
    },
  }
  for (const verb of Object.values(verbs)) {
    if (verb.kind === 'restore') paths[`${base}/{id}/restore`] = { post: restoreOperation(noun) }
    if (verb.kind !== 'custom') continue
    paths[verb.scope === 'instance' ? `${base}/{id}/${verb.verb}` : `${base}/${verb.verb}`] = { post: verbOperation(noun, verb) }
  }
  return paths
}
