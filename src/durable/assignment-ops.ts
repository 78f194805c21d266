/**
 * The tenant object's side of lead assignment (src/domain/assignment.ts): users named by id or
 * email, the round-robin turn read from the event log, and the section as a manifest shows it.
 */
import { ROUND_ROBIN, type AssignmentSettings, type UserStanding } from '../domain/assignment'
import { findUser } from './accounts'
import type { Db } from './db'

const USER_ID = /^user_[0-9A-Za-z]{9}$/

/** A user by id (`user_…`) or email. */
export function userByRef(db: Db, ref: string): UserStanding | undefined {
  return findUser(db, USER_ID.test(ref) ? { id: ref } : { email: ref })
}

/**
 * The user of the newest round-robin assignment among `pool`: the walk goes back through the
 * `lead.assigned` events on their (type, seq) index and stops at the first that fits, so it reads
 * only the assignments made since that one.
 */
export function lastInTurn(sql: SqlStorage, pool: readonly string[]): string | undefined {
  const row = sql
    .exec<{ user: string }>(
      `SELECT json_extract(data, '$.user') AS user FROM events
       WHERE type = 'lead.assigned' AND json_extract(data, '$.reason') = ? AND json_extract(data, '$.user') IN (SELECT value FROM json_each(?))
       ORDER BY seq DESC LIMIT 1`,
      ROUND_ROBIN,
      JSON.stringify(pool),
    )
    .toArray()[0]
  return row?.user
}

/** The section with users by email: ids differ between tenants, emails do not, so a manifest copies to another tenant. */
export function assignmentView(db: Db, section: AssignmentSettings): AssignmentSettings {
  const email = (id: string) => findUser(db, { id })?.email ?? id
  switch (section.strategy) {
    case 'none':
      return section
    case 'round-robin':
      return { ...section, users: section.users.map(email) }
    case 'rules':
      return {
        ...section,
        rules: section.rules.map((rule) => ({ ...rule, user: email(rule.user) })),
        fallback: section.fallback.strategy === 'round-robin' ? { ...section.fallback, users: section.fallback.users.map(email) } : section.fallback,
      }
  }
}
