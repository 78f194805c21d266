/**
 * Lead assignment rules (issue 16), a tenant settings section (`PUT /settings/assignment`):
 *
 *   { "strategy": "none" }                                             (the default: leads stay unassigned)
 *   { "strategy": "round-robin", "users": ["user_…", "user_…"] }
 *   { "strategy": "rules",
 *     "rules": [{ "when": { "source": "website", "budget": { "$gte": 10000 } }, "user": "user_…" }],
 *     "fallback": { "strategy": "round-robin", "users": ["user_…", "user_…"] } }
 *
 * Every lead created without an owner (captured, ingested, imported, or created over the API or
 * MCP) is assigned in the transaction that creates it: the first rule whose filter (the API's filter
 * language, on the new lead) matches names its user; else the fallback, or the round-robin, picks
 * the next user in turn. Users are named by id or email (stored as ids). A deactivated user is
 * skipped; with nobody left the lead stays unassigned. The assignment is a `lead.assigned` event,
 * caused by the `lead.created` one, whose data names the user and the rule (`reason`).
 *
 * Round-robin keeps no counter: the turn is read from the event log (the newest round-robin
 * assignment to one of the pool's users), so it is fair across captures, imports and restarts.
 */
import { z } from 'zod'
import type { TenantHandle } from './engine/tenant-handle'
import type { EntityRecord } from './engine/types'
import { AppError, type FieldError } from './errors'
import type { NounRegistry } from './noun/registry'
import { parseFilter } from './query/filter'

const UserRef = z.string().trim().min(1).max(320).describe('A user of the team, by id (`user_…`) or email; saved as the id.')
const Pool = z.array(UserRef).min(1).max(100)

const Off = z.strictObject({ strategy: z.literal('none') }).describe('No automatic assignment.')
const RoundRobin = z
  .strictObject({ strategy: z.literal('round-robin'), users: Pool.describe('Who takes new leads, in turn; deactivated users are skipped.') })
  .describe('Each new lead goes to the next user of the list, in turn.')
const Rule = z.strictObject({
  when: z.record(z.string(), z.unknown()).describe('A filter on the new lead (the list filter language): `{ "source": "website", "budget": { "$gte": 10000 } }`; `{}` matches every lead.'),
  user: UserRef,
})
const Rules = z
  .strictObject({
    strategy: z.literal('rules'),
    rules: z.array(Rule).min(1).max(100).describe('Tried in order: the first whose filter matches (and whose user is not deactivated) takes the lead.'),
    fallback: z.discriminatedUnion('strategy', [Off, RoundRobin]).default({ strategy: 'none' }).describe('For a lead no rule takes.'),
  })
  .describe('Filter → user, in order, with a fallback.')

export const AssignmentSettings = z.discriminatedUnion('strategy', [Off, RoundRobin, Rules])
export type AssignmentSettings = z.infer<typeof AssignmentSettings>
export const NO_ASSIGNMENT: AssignmentSettings = { strategy: 'none' }

/** The reason a round-robin assignment records: the event log is the rotation's memory. */
export const ROUND_ROBIN = 'round-robin'

export interface UserStanding {
  id: string
  status: string
}

/**
 * Checks a section before it is saved: every user known (by id or email) and not deactivated, no
 * user twice in one list, filters that parse against Lead (the tenant's own fields included).
 * Returns the section with users as ids.
 */
export function checkAssignment(section: AssignmentSettings, nouns: NounRegistry, findUser: (ref: string) => UserStanding | undefined): AssignmentSettings {
  const errors: FieldError[] = []
  const user = (ref: string, path: string): string => {
    const found = findUser(ref)
    if (!found) errors.push({ path, message: `no user with this ${ref.startsWith('user_') ? 'id' : 'email'}: invite them first` })
    else if (found.status === 'Deactivated') errors.push({ path, message: 'is deactivated: reactivate them or leave them out' })
    return found?.id ?? ref
  }
  const pool = (users: readonly string[], path: string): string[] => {
    const ids = users.map((ref, i) => user(ref, `${path}.${i}`))
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) errors.push({ path: `${path}.${i}`, message: 'is listed twice' })
    })
    return ids
  }
  const lead = nouns.byName('Lead')!
  let checked: AssignmentSettings = section
  if (section.strategy === 'round-robin') checked = { ...section, users: pool(section.users, 'users') }
  if (section.strategy === 'rules') {
    const rules = section.rules.map((rule, i) => {
      try {
        parseFilter(lead, rule.when, nouns)
      } catch (error) {
        if (!(error instanceof AppError)) throw error
        for (const e of error.errors ?? []) errors.push({ path: `rules.${i}.when${e.path ? `.${e.path}` : ''}`, message: e.message })
      }
      return { ...rule, user: user(rule.user, `rules.${i}.user`) }
    })
    const fallback = section.fallback.strategy === 'round-robin' ? { ...section.fallback, users: pool(section.fallback.users, 'fallback.users') } : section.fallback
    checked = { ...section, rules, fallback }
  }
  if (errors.length > 0) throw new AppError('validation_failed', 'the assignment is not valid', errors)
  return checked
}

/** The rules' filters against a schema (a schema change must not break them): their problems, paths from the section. */
export function assignmentFilterProblems(section: AssignmentSettings, nouns: NounRegistry): FieldError[] {
  if (section.strategy !== 'rules') return []
  const lead = nouns.byName('Lead')!
  return section.rules.flatMap((rule, i) => {
    try {
      parseFilter(lead, rule.when, nouns)
      return []
    } catch (error) {
      if (!(error instanceof AppError)) throw error
      return (error.errors ?? []).map((e) => ({ path: `rules.${i}.when${e.path ? `.${e.path}` : ''}`, message: e.message }))
    }
  })
}

export interface AssignmentPick {
  user: string
  /** `round-robin`, or the rule that matched: `rules[0]`. */
  reason: string
}

/**
 * Who takes a new lead under `section`, if anyone. `lastInTurn(pool)`: the user of the newest
 * round-robin assignment among `pool` (from the event log). Rules are matched by the store (the
 * same filter semantics as a list, relation paths included) against the lead as it now stands.
 */
export function chooseAssignee(section: AssignmentSettings, lead: EntityRecord, $: TenantHandle, lastInTurn: (pool: readonly string[]) => string | undefined): AssignmentPick | undefined {
  const available = (id: string) => {
    const user = $.User.get(id)
    return user !== undefined && user.status !== 'Deactivated'
  }
  const inTurn = (pool: readonly string[]): AssignmentPick | undefined => {
    const last = lastInTurn(pool)
    const start = last === undefined ? 0 : pool.indexOf(last) + 1
    for (let k = 0; k < pool.length; k++) {
      const id = pool[(start + k) % pool.length]!
      if (available(id)) return { user: id, reason: ROUND_ROBIN }
    }
    return undefined
  }
  switch (section.strategy) {
    case 'none':
      return undefined
    case 'round-robin':
      return inTurn(section.users)
    case 'rules': {
      for (const [i, rule] of section.rules.entries()) {
        if (!available(rule.user)) continue
        if ($.Lead.find({ $and: [{ $id: lead.$id }, rule.when] }, { limit: 1 }).length > 0) return { user: rule.user, reason: `rules[${i}]` }
      }
      return section.fallback.strategy === 'round-robin' ? inTurn(section.fallback.users) : undefined
    }
  }
}

/**
 * Assigns a lead that was just created without an owner, by the tenant's rules (inside the creating
 * transaction, after the creation's hooks and automations: one of them may have assigned it already).
 */
export function assignNewLead(section: AssignmentSettings, lead: EntityRecord, $: TenantHandle, lastInTurn: (pool: readonly string[]) => string | undefined): void {
  if (section.strategy === 'none') return
  const current = $.Lead.get(lead.$id)
  if (!current || current.owner) return
  const pick = chooseAssignee(section, current as EntityRecord, $, lastInTurn)
  if (pick) $.Lead.assign(lead.$id, { user: pick.user, reason: pick.reason })
}
