import { Noun } from '../noun/noun'

/** In-app notifications for sales reps (contacts acting as owners): nurture and reminder alerts. */
export const Notification = Noun(
  'Notification',
  {
    recipient: '-> Contact!',
    title: 'string!',
    body: 'text',
    kind: 'string#',
    link: 'string',
    status: 'Unread | Read = Unread',
    readAt: 'datetime',
    cause: 'string#',
    deal: '-> Deal',
    lead: '-> Lead',
    activity: '-> Activity',
    read: 'Read',
  },
  { machines: { status: { '': ['Unread', 'Read'], Read: ['Unread'] } }, verbs: { read: { from: ['Unread'] } } },
)
