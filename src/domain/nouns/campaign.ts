import { Noun } from '../noun/noun'
import { AMOUNT } from '../money'

/** Marketing campaigns: leads and deals point at them for attribution. */
export const Campaign = Noun(
  'Campaign',
  {
    name: 'string!',
    type: 'Email | Social | Paid | Event | Content | Referral | Partner | Other',
    status: 'Draft | Active | Paused | Completed = Draft',
    segment: 'string',
    channel: 'string',
    budget: 'number',
    startAt: 'datetime',
    endAt: 'datetime',
    utmSource: 'string',
    utmMedium: 'string',
    utmCampaign: 'string#',
    leads: '<- Lead.campaign[]',
    deals: '<- Deal.campaign[]',
    launch: 'Active',
    pause: 'Paused',
    complete: 'Completed',
  },
  {
    constraints: { budget: AMOUNT },
    machines: { status: { '': ['Draft', 'Active'], Draft: ['Active', 'Completed'], Active: ['Paused', 'Completed'], Paused: ['Active', 'Completed'] } },
  },
)
