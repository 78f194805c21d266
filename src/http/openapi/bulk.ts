/** `POST /{collection}/import` (CSV or NDJSON, streamed) and `GET /{collection}/export` of one noun. */
import { apiVerbs, type NounSchema } from '../../domain/noun/noun'
import { TENANT_ERRORS, header, jsonResponse, param, problems, type Paths } from './components'
import { ref } from './schemas'
import type { JsonSchema } from './schemas'

export const POST_HEADERS = { 'Idempotent-Replayed': header('IdempotentReplayed') }

/** `lead-scores` → `LeadScores`, for operation ids. */
export const many = (noun: NounSchema) => noun.plural.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')

const importReport: JsonSchema = {
  type: 'object',
  required: ['created', 'updated', 'rejected', 'errors'],
  properties: {
    created: { type: 'integer' },
    updated: { type: 'integer', description: 'Rows that matched an existing entity (contacts by email).' },
    rejected: { type: 'integer' },
    errors: {
      type: 'array',
      description: 'The first 1,000 rejected rows.',
      items: { type: 'object', required: ['line', 'field', 'message'], properties: { line: { type: 'integer' }, field: { type: ['string', 'null'] }, message: { type: 'string' } } },
    },
    rows: { type: 'integer' },
    durationMs: { type: 'integer' },
  },
}

/** A batch that could not be stored ends the import: RFC 9457 with where it stopped and what was done. */
const importInterrupted: JsonSchema = {
  allOf: [
    ref('Problem'),
    {
      type: 'object',
      required: ['line', 'batch', 'imported', 'resumable'],
      properties: {
        status: { const: 500 },
        code: { const: 'internal_error' },
        line: { type: 'integer', description: 'The row that could not be stored.' },
        batch: { type: 'object', description: 'Lines of its batch, none of which was written.', properties: { firstLine: { type: 'integer' }, lastLine: { type: 'integer' } } },
        imported: { ...importReport, description: 'What the batches before it did (they stay imported).' },
        resumable: { type: 'boolean', description: 'True with an Idempotency-Key: the same file with the same key replays the imported batches and writes only the rest.' },
      },
    },
  ],
}

export function bulkPaths(noun: NounSchema): Paths {
  const text = { schema: { type: 'string' } }
  const out: Paths = {
    [`/${noun.plural}/export`]: {
      get: {
        operationId: `export${many(noun)}`,
        tags: [noun.name],
        summary: `Export every ${noun.name}`,
        description: 'Streams the whole collection (keyset pages of 1,000), one JSON object per line or CSV with a header row. `Revline-Chain-Head` says where the event log stood when the export began.',
        parameters: [{ name: 'format', in: 'query', schema: { type: 'string', enum: ['ndjson', 'csv'], default: 'ndjson' } }],
        responses: {
          '200': { description: 'The collection', headers: { 'Revline-Chain-Head': header('ChainHead') }, content: { 'application/x-ndjson': text, 'text/csv': text } },
          ...problems(400, ...TENANT_ERRORS),
        },
      },
    },
  }
  if (apiVerbs(noun).create) {
    out[`/${noun.plural}/import`] = {
      post: {
        operationId: `import${many(noun)}`,
        tags: [noun.name],
        summary: `Import ${noun.plural}`,
        description: `Streams CSV (header row of field names) or NDJSON; each row is validated like a single create (up to 64 MB).${noun.name === 'Contact' ? ' Contacts are deduplicated by email.' : ''}`,
        parameters: [param('IdempotencyKey')],
        requestBody: { required: true, content: { 'text/csv': text, 'application/x-ndjson': text } },
        responses: {
          '200': jsonResponse('What was created, updated and rejected', importReport, POST_HEADERS),
          '422': jsonResponse('Every row was rejected', importReport),
          ...problems(400, ...TENANT_ERRORS, 413, 415),
          '500': { description: 'A row could not be stored (a fault on our side): nothing of its batch was written; earlier batches were.', content: { 'application/problem+json': { schema: importInterrupted } } },
        },
      },
    }
  }
  return out
}

