/** A person's rights over their data (issue 18): `POST /contacts/{id}/forget`. */
import { TENANT_ERRORS, jsonResponse, problems, type Paths } from './components'
import { idSchema, ref } from './schemas'

export function privacyPaths(): Paths {
  return {
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
