import { Noun } from '../noun/noun'

/** Calls, emails, meetings, notes and tasks: the timeline of a contact, lead or deal (seed 003). */
export const Activity = Noun(
  'Activity',
  {
    subject: 'string!',
    type: 'Call | Email | Meeting | Note | Task',
    contact: '-> Contact.activities',
    lead: '-> Lead.activities',
    deal: '-> Deal.activities',
    owner: '-> Contact',
    status: 'Pending | Done | Cancelled = Pending',
    priority: 'Low | Normal | High | Urgent = Normal',
    dueAt: 'datetime#',
    completedAt: 'datetime',
    body: 'text',
    complete: 'Done',
    cancel: 'Cancelled',
  },
  {
    machines: { status: { '': ['Pending', 'Done', 'Cancelled'], Pending: ['Done', 'Cancelled'], Cancelled: ['Pending'] } },
    verbs: { complete: { from: ['Pending', ''] }, cancel: { from: ['Pending', ''] } },
  },
)
