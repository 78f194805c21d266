import { Noun } from '../noun/noun'

/**
 * Outbound email, as the sender port recorded it. With the default (local) sender this is the
 * outbox you read over the API; with a real provider it is the delivery log.
 */
export const Message = Noun(
  'Message',
  {
    to: 'email!',
    subject: 'string!',
    body: 'text',
    kind: 'string#',
    status: 'Queued | Sent | Failed = Queued',
    provider: 'string',
    providerId: 'string',
    error: 'string',
    sentAt: 'datetime',
    /** The event that caused it (a stage entry, a reminder run). */
    cause: 'string#',
    contact: '-> Contact',
    deal: '-> Deal',
    lead: '-> Lead',
    activity: '-> Activity',
    delete: null,
  },
  { machines: { status: { '': ['Queued', 'Sent', 'Failed'], Queued: ['Sent', 'Failed'], Failed: ['Queued'] } } },
)
