/**
 * Reading and replacing sections of the tenant's settings. Every write is validated, versioned
 * and appended to the event log as `settings.updated`, in the same transaction.
 */
import { z } from 'zod'
import { AssignmentSettings, checkAssignment } from '../domain/assignment'
import { validateAutomations } from '../domain/automations'
import { DashboardSettings, validateDashboard } from '../domain/dashboard-fields'
import { AppError } from '../domain/errors'
import { prototypeKeyErrors } from '../domain/own'
import { appendAudit } from './audit'
import { toFieldErrors } from '../domain/noun/validators'
import { Ruleset, scoringFields, validateRuleset } from '../domain/scoring/rules'
import { Automation, CaptureSettings, NurtureTemplate, Tier, WebhookSubscription, type TenantSettings } from '../domain/settings'
import { userByRef } from './assignment-ops'
import type { DispatchContext } from './context'
import { webhookTargetErrors } from '../domain/webhook-target'
import type { TenantState } from './tenant-state'
import type { TenantRegistry } from '../domain/schema/registry'

const SECTIONS = {
  automations: z.array(Automation).max(100),
  tiers: z.array(Tier).min(1).max(50),
  capture: CaptureSettings,
  scoring: Ruleset,
  templates: z.record(z.string().min(1).max(100), NurtureTemplate),
  webhooks: z.array(WebhookSubscription).max(20),
  dashboard: DashboardSettings,
  assignment: AssignmentSettings,
} as const
export type SettingsSection = keyof typeof SECTIONS
export const SETTINGS_SECTIONS = Object.keys(SECTIONS) as SettingsSection[]

export function readSection(tenant: TenantState, section: SettingsSection) {
  const settings = tenant.settings()
  return { data: settings[section], version: settings.version }
}

/**
 * A section's new value, validated as a write would be (`nouns`: the schema it must fit, the
 * tenant's own unless a manifest brings a new one); nothing is written.
 */
export function checkSection(ctx: DispatchContext, section: SettingsSection, body: unknown, nouns: TenantRegistry = ctx.nouns): TenantSettings[SettingsSection] {
  const reserved = prototypeKeyErrors(body, section)
  if (reserved.length > 0) throw new AppError('validation_failed', `the ${section} are not valid`, reserved)
  const parsed = SECTIONS[section].safeParse(body)
  if (!parsed.success) throw new AppError('validation_failed', `the ${section} are not valid`, toFieldErrors(parsed.error).map((e) => ({ ...e, path: `${section}.${e.path}` })))
  if (section === 'automations') validateAutomations(parsed.data as TenantSettings['automations'], nouns)
  if (section === 'dashboard') validateDashboard(parsed.data as TenantSettings['dashboard'], nouns)
  if (section === 'webhooks') {
    const errors = webhookTargetErrors(parsed.data as TenantSettings['webhooks'], ctx.webhookTargets)
    if (errors.length > 0) throw new AppError('validation_failed', 'webhooks must go to public http(s) addresses', errors)
  }
  if (section === 'tiers') {
    const names = (parsed.data as TenantSettings['tiers']).map((t) => t.name)
    if (new Set(names).size !== names.length) throw new AppError('validation_failed', 'tier names must be unique', [{ path: 'tiers', message: 'duplicate name' }])
  }
  let value = parsed.data as TenantSettings[SettingsSection]
  if (section === 'assignment') value = prefixed(section, () => checkAssignment(value as AssignmentSettings, nouns, (ref) => userByRef(ctx.store.db, ref)))
  if (section === 'scoring') {
    // The tenant's own fields count: a rule may score on them.
    validateRuleset(value as Ruleset, scoringFields(nouns))
    // Each saved ruleset gets the next version; scores record the version they were computed with.
    value = { ...(value as Ruleset), version: ctx.tenant.settings().scoring.version + 1 }
  }
  return value
}

/** Runs a check whose field errors are relative to the section, naming them from the settings root (`assignment.users.1`). */
function prefixed<T>(section: SettingsSection, check: () => T): T {
  try {
    return check()
  } catch (error) {
    if (error instanceof AppError && error.errors) throw new AppError(error.code, error.detail, error.errors.map((e) => ({ ...e, path: `${section}.${e.path}` })))
    throw error
  }
}

export function writeSection(ctx: DispatchContext, section: SettingsSection, body: unknown) {
  const value = checkSection(ctx, section, body)
  const before = ctx.tenant.settings()
  const after = ctx.tenant.writeSettings({ ...before, [section]: value })
  appendAudit(ctx.store.sql, ctx.actor, ctx.requestId, { type: 'settings.updated', entityType: 'Settings', entityId: 'settings', verb: 'update', data: { [section]: value } })
  return { data: after[section], version: after.version }
}
