import { Noun } from '../noun/noun'

/**
 * The people of a tenant's team (issue 16). A user is invited (status Invited, an email with a
 * sign-in link), becomes Active on first sign-in, and is switched off in one place (deactivate ends
 * every session and key at once). Each user is linked to a Contact: the seeds' `owner: '-> Contact'`
 * fields keep pointing at contacts, and assigning a record to a user sets its owner to that contact.
 * Users are never deleted: their events and the records they own keep naming them.
 */
export const User = Noun(
  'User',
  {
    email: 'email!##',
    name: 'string!',
    /** owner: everything an admin may, and the only role that may make or unmake owners. */
    role: 'owner | admin | member = member',
    status: 'Invited | Active | Deactivated = Invited',
    lastSignInAt: 'datetime',
    /** The user's Contact record: what `owner` fields point at. Set when the user is created. */
    contact: '-> Contact',
    activate: 'Active',
    deactivate: 'Deactivated',
    reactivate: 'Active',
    delete: null,
  },
  {
    adminOnly: true,
    machines: { status: { '': ['Invited', 'Active'], Invited: ['Active', 'Deactivated'], Active: ['Deactivated'], Deactivated: ['Active'] } },
    verbs: { activate: { from: ['Invited'] }, reactivate: { from: ['Deactivated'] } },
  },
)
