import { Noun } from '../noun/noun'

/** People, with lifecycle stage tracking and lead scoring (seed 002, every field and verb). */
export const Contact = Noun(
  'Contact',
  {
    name: 'string!',
    firstName: 'string',
    lastName: 'string',
    email: 'string##',
    phone: 'string',
    mobile: 'string',
    avatar: 'string',
    title: 'string',
    department: 'string',
    organization: '-> Organization.contacts',
    role: 'DecisionMaker | Influencer | Champion | Blocker | User',
    stage: 'Lead | Qualified | Customer | Churned | Partner',
    status: 'Active | Inactive | Bounced | Unsubscribed',
    source: 'string#',
    leadScore: 'number',
    preferredChannel: 'Email | Phone | SMS | Chat',
    timezone: 'string',
    language: 'string',
    leads: '<- Lead.contact[]',
    activities: '<- Activity.contact[]',
    manager: '-> Contact.reports',
    reports: '<- Contact.manager[]',
    linkedinUrl: 'string',
    twitterHandle: 'string',
    marketingConsent: 'string',
    lastEngagement: 'datetime',
    /** Not in seed 002's field list, but its `assign` verb needs somewhere to put the owner. */
    owner: '-> Contact',
    qualify: 'Qualified',
    capture: 'Captured',
    assign: 'Assigned',
    merge: 'Merged',
    enrich: 'Enriched',
  },
  {
    machines: {
      // Seed 002: Lead → Qualified → Customer → Churned, and Partner; win-back and disqualify go back.
      stage: {
        '': ['Lead', 'Qualified', 'Customer', 'Churned', 'Partner'],
        Lead: ['Qualified', 'Partner'],
        Qualified: ['Customer', 'Partner', 'Lead'],
        Customer: ['Churned', 'Partner'],
        Churned: ['Customer', 'Lead'],
        Partner: ['Customer', 'Churned'],
      },
    },
    verbs: {
      capture: { scope: 'collection' },
      assign: { input: { owner: '-> Contact!' } },
    },
  },
)
