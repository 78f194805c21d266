/**
 * A person's rights over their data: `GET /contacts/{id}/export`, subject access (everything held
 * about the person behind a contact), and `POST /contacts/{id}/forget`, erasure.
 */
import type { CollectionRegistry } from '../../domain/noun/registry'
import { personLinks } from '../../domain/person-links'
import { TENANT_ERRORS, header, jsonResponse, problems, type Paths } from './components'
import { historyEntrySchema } from './collections'
import { idSchema, ref, type JsonSchema } from './schemas'

/** A record as its collection serves it; a soft-deleted one (still held) has `$deletedAt`. */
const held = (noun: string): JsonSchema => ({
  allOf: [ref(noun), { type: 'object', properties: { $deletedAt: { type: 'string', format: 'date-time', description: 'Set when the record is soft-deleted.' } } }],
})

function subjectExportSchema(nouns: CollectionRegistry): JsonSchema {
  const contact = nouns.byName('Contact')!
  const collections = Object.keys(personLinks(nouns)).map((name) => nouns.byName(name)!)
  return {
    type: 'object',
    required: ['exportedAt', 'tenant', 'chainHead', 'subject', 'counts', 'contact', 'history', 'related', 'events'],
    properties: {
      exportedAt: { type: 'string', format: 'date-time' },
      tenant: { type: 'object', required: ['slug', 'name'], properties: { slug: { type: 'string' }, name: { type: 'string' } } },
      chainHead: {
        type: 'object',
        required: ['seq', 'hash'],
        description: 'The log’s hash chain when the export began: every event listed is at or before `seq`; compare `hash` with `GET /events/verify`’s `head` (0 and 64 zeros for an empty log).',
        properties: { seq: { type: 'integer' }, hash: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
      },
      subject: idSchema('Contact'),
      counts: {
        type: 'object',
        required: ['history', 'events', 'related'],
        properties: {
          history: { type: 'integer' },
          events: { type: 'integer' },
          related: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Records per collection, as in `related`.' },
        },
      },
      contact: { ...held(contact.name), description: 'The contact as it is now (a soft-deleted one is exported too).' },
      history: { type: 'array', items: historyEntrySchema(contact), description: 'Every event of the contact, oldest first, as `/contacts/{id}/history` shows them.' },
      related: {
        type: 'object',
        description:
          'Every other record about the person, by collection, in creation order, soft-deleted ones included: their other contact records (merged duplicates, earlier records with the same email), their leads and those leads’ deals, scores, activities, proposals, contracts, billing customers (linked, or holding their email) and subscriptions, messages to them or about their records, notifications, tracked events, their user account, and records of the tenant’s own nouns that relate to the contact. `owner` and `manager` links are not followed: they name colleagues.',
        properties: Object.fromEntries(collections.map((noun) => [noun.plural, { type: 'array', items: held(noun.name) }])),
        additionalProperties: false,
      },
      events: { type: 'array', items: ref('Event'), description: 'Every event of the contact and of each related record, in `seq` order, with its links in the hash chain.' },
    },
  }
}

export function subjectPaths(nouns: CollectionRegistry): Paths {
  if (!nouns.byName('Contact')) return {}
  return {
    '/contacts/{id}/export': {
      get: {
        operationId: 'exportPerson',
        tags: ['Contact'],
        summary: 'Everything held about the person behind a contact (subject access)',
        description:
          'GDPR art. 15: the contact, its history, every record about the person and every event of those records, as one JSON document sent as a download (`Content-Disposition: attachment`). It is streamed as it is read (records and events in pages of 500), so a person with any number of events costs bounded memory. The person’s records and events are fixed in one read of the tenant, at the chain head the document and `Revline-Chain-Head` give; records are read as they are when streamed. Admin keys only.',
        parameters: [{ name: 'id', in: 'path', required: true, schema: idSchema('Contact') }],
        responses: {
          '200': {
            ...jsonResponse('The person’s data', subjectExportSchema(nouns), {
              'Content-Disposition': { description: '`attachment; filename="contact_….json"`', schema: { type: 'string' } },
              'Revline-Chain-Head': header('ChainHead'),
            }),
          },
          ...problems(400, ...TENANT_ERRORS),
        },
      },
    },
    '/contacts/{id}/forget': {
      post: {
        operationId: 'forgetContact',
        tags: ['Contact'],
        summary: 'Forget a person: erase their personal data everywhere (admins)',
        description:
          'GDPR article 17. In one transaction the contact and every record that copied the person’s data (their leads, billing customers, the activities, messages, tracked events and notifications about them, the words of their deals, proposals and contracts) lose their personal fields: names, email, phone, profile, free text (`GET /nouns/{Name}` lists a noun’s fields; the rule is in the README, “Forgetting a person”). Each record gets a `<noun>.forgotten` event naming who asked (`contact.forgotten` first, the others caused by it), and the per-record keys that sealed the personal fields in the log are destroyed: from then on the data is gone from every read (the records, their history and `asOf`, `/events`, search, exports, backups taken after), while the log stays append-only and `GET /events/verify` still verifies. Business facts stay: values, stages, dates, counters, the pipeline summary. A required field keeps the marker `(forgotten)` (`forgotten@erased.invalid` for an email) so business writes to the record still pass validation; writing personal data to it again is a 409. A team member’s own contact is refused (409): deactivate the user. It takes no body; repeating it is harmless.',
        parameters: [{ name: 'id', in: 'path', required: true, schema: idSchema('Contact') }],
        responses: {
          '200': jsonResponse('The person is forgotten', {
            type: 'object',
            required: ['contact', 'records', 'event'],
            properties: {
              contact: ref('Contact'),
              records: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, description: 'The other records that lost the person’s data, by noun: `{ "Lead": ["lead_…"], … }`.' },
              event: { type: 'string', description: 'The `contact.forgotten` event.' },
            },
          }),
          ...problems(409, ...TENANT_ERRORS),
        },
      },
    },
  }
}
