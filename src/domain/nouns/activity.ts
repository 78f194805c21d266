import { Noun } from '../noun/noun'
import { ASSIGN_VERB } from '../ownership'

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
    /** Set the owner: `{ user }` (that user's contact) or `{ owner }` (a contact). */
    assign: 'Assigned',
  },
  {
    machines: { status: { '': ['Pending', 'Done', 'Cancelled'], Pending: ['Done', 'Cancelled'], Cancelled: ['Pending'] } },
    verbs: { complete: { from: ['Pending', ''] }, cancel: { from: ['Pending', ''] }, assign: ASSIGN_VERB },
  },
)
