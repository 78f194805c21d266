import { Noun } from '../noun/noun'
import { ASSIGN_VERB } from '../ownership'

/** People, with lifecycle stage tracking and lead scoring (seed 002, every field and verb). */
export const Contact = Noun(
  'Contact',
  {
    name: 'string!',
    firstName: 'string',
    lastName: 'string',
    email: 'email##',
    phone: 'string',
    mobile: 'string',
    avatar: 'string',
    title: 'string',
    department: 'string',
    organization: '-> Organization.contacts',
    role: 'DecisionMaker | Influencer | Champion | Blocker | User',
    stage: 'Lead | Qualified | Customer | Churned | Partner#',
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
    /** Set on a duplicate retired by `merge`: the survivor it was merged into (kept in the log). */
    mergedInto: '-> Contact',
    deals: '<- Deal.contact[]',
    customers: '<- Customer.contact[]',
    qualify: 'Qualified',
    capture: 'Captured',
    assign: 'Assigned',
    merge: 'Merged',
    enrich: 'Enriched',
  },
  {
    constraints: { leadScore: { min: 0, max: 100 } },
    machines: {
      // Seed 002: Lead → Qualified → Customer → Churned, and Partner; win-back and disqualify go back.
      stage: {
        '': ['Lead', 'Qualified', 'Customer', 'Churned', 'Partner'],
        Lead: ['Qualified', 'Customer', 'Partner'],
        Qualified: ['Customer', 'Partner', 'Lead'],
        Customer: ['Churned', 'Partner'],
        Churned: ['Customer', 'Lead'],
        Partner: ['Customer', 'Churned'],
      },
    },
    verbs: {
      capture: {
        scope: 'collection',
        input: {
          name: 'string',
          firstName: 'string',
          lastName: 'string',
          email: 'email!',
          phone: 'string',
          title: 'string',
          company: 'string',
          organization: '-> Organization',
          source: 'string',
          sourceDetail: 'string',
          campaign: '-> Campaign',
          budget: 'number',
          authority: 'string',
          need: 'string',
          timeline: 'string',
          /** Everything the visitor wrote, field name → text; recorded on the lead's timeline (a Form submission note). */
          submission: 'json',
          /** The tenant's own Lead fields (field → value) for the lead the capture opens, or blanks of the open lead it joins. */
          leadFields: 'json',
          /** The tenant's own Contact fields (field → value) for a new contact, or blanks of the one on file. */
          contactFields: 'json',
        },
      },
      assign: ASSIGN_VERB,
      merge: { input: { from: '-> Contact!' } },
      enrich: {
        input: {
          title: 'string',
          department: 'string',
          phone: 'string',
          linkedinUrl: 'string',
          twitterHandle: 'string',
          avatar: 'string',
          timezone: 'string',
          language: 'string',
          company: 'json',
        },
      },
    },
  },
)
