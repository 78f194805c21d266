import { Noun } from '../noun/noun'

/**
 * Product-analytics events that hooks record (seed 001's `$.Event.create({ name: 'lead_converted' })`).
 * Named TrackedEvent so it is never mistaken for the immutable event log at `/events`.
 */
export const TrackedEvent = Noun(
  'TrackedEvent',
  {
    name: 'string!#',
    properties: 'json',
    contact: '-> Contact',
    lead: '-> Lead',
    deal: '-> Deal',
    value: 'number',
    update: null,
  },
  { plural: 'tracked-events' },
)
