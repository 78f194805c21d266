/**
 * Per-tenant automations: rules as data that react to events inside the same transaction.
 *
 *   { id: 'inbound-deal', on: 'contact.qualified', when: { leadScore: { $gte: 40 } },
 *     do: [{ create: 'Deal', with: { name: '{{contact.name}} - Inbound', value: 12000, contact: '{{contact.$id}}' } }] }
 *
 * Templates read the triggering entity under its noun's lowercase name (and as `entity`), and the
 * event as `event`. A value that is exactly one `{{path}}` keeps the path's type (ids, numbers).
 */
import type { TenantHandle } from './engine/tenant-handle'
import type { EntityRecord, EventRecord } from './engine/types'
import { AppError, type FieldError } from './errors'
import type { NounRegistry } from './noun/registry'
import { own, valueAt } from './own'
import { parseFilter } from './query/filter'
import { matches } from './query/match'
import type { Automation, AutomationAction } from './settings'

const TEMPLATE = /\{\{\s*([A-Za-z$][\w$]*(?:\.[\w$]+)*)\s*\}\}/g
const WHOLE_TEMPLATE = /^\{\{\s*([A-Za-z$][\w$]*(?:\.[\w$]+)*)\s*\}\}$/

/** `nouns`: the tenant's (its own fields and nouns included), so rules may name them. */
export function runAutomations(automations: readonly Automation[], event: EventRecord, entity: EntityRecord, $: TenantHandle, nouns: NounRegistry) {
  for (const automation of automations) {
    if (!automation.enabled || !triggers(automation.on, event.type)) continue
    const noun = nouns.byName(event.entityType)
    if (!noun) continue
    if (automation.when && !matches(entity, parseFilter(noun, automation.when, nouns))) continue
    const scope = { [noun.name.charAt(0).toLowerCase() + noun.name.slice(1)]: entity, entity, event }
    for (const action of automation.do) perform(action, scope, $, automation.id)
  }
}

const triggers = (on: string, type: string) => on === type || (on.endsWith('.*') && type.startsWith(on.slice(0, -1)))

function perform(action: AutomationAction, scope: Record<string, unknown>, $: TenantHandle, id: string) {
  const handle = $ as unknown as Record<string, Record<string, (...args: unknown[]) => unknown>>
  try {
    if ('create' in action) handle[action.create]!.create!(render(action.with, scope))
    else if ('update' in action) handle[action.update]!.update!(render(action.id, scope), render(action.with, scope))
    else handle[action.noun]![action.run]!(render(action.id, scope), render(action.with ?? {}, scope))
  } catch (error) {
    if (error instanceof AppError) throw new AppError(error.code, `automation '${id}': ${error.detail}`, error.errors)
    throw error
  }
}

export function render(template: unknown, scope: Record<string, unknown>): any {
  if (typeof template === 'string') {
    const whole = WHOLE_TEMPLATE.exec(template)
    if (whole) return valueAt(scope, whole[1]!) ?? null
    return template.replace(TEMPLATE, (_, path: string) => String(valueAt(scope, path) ?? ''))
  }
  if (Array.isArray(template)) return template.map((t) => render(t, scope))
  if (template && typeof template === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(template)) {
      const rendered = render(value, scope)
      if (rendered !== null && rendered !== undefined && rendered !== '') out[key] = rendered
    }
    return out
  }
  return template
}

/** Checks automations before they are saved: known events, filters that parse, real nouns, fields and verbs. */
export function validateAutomations(automations: readonly Automation[], nouns: NounRegistry): void {
  const errors: FieldError[] = []
  automations.forEach((automation, i) => {
    const at = `automations[${i}]`
    const [nounKey, verbPast] = automation.on.split('.')
    const noun = nouns.all().find((n) => n.name.toLowerCase() === nounKey)
    if (!noun) return void errors.push({ path: `${at}.on`, message: `no noun '${nounKey}'` })
    if (verbPast !== '*' && !Object.values(noun.verbs).some((v) => v.past === verbPast))
      errors.push({ path: `${at}.on`, message: `${noun.name} has no verb whose event is '${automation.on}'` })
    if (automation.when) {
      try {
        parseFilter(noun, automation.when, nouns)
      } catch (error) {
        for (const e of (error as AppError).errors ?? []) errors.push({ path: `${at}.when.${e.path}`, message: e.message })
      }
    }
    automation.do.forEach((action, j) => {
      const path = `${at}.do[${j}]`
      const targetName = 'create' in action ? action.create : 'update' in action ? action.update : action.noun
      const target = nouns.byName(targetName)
      if (!target) return void errors.push({ path, message: `no noun '${targetName}'` })
      // `run` names a custom verb (create, update and delete have actions of their own).
      if ('run' in action && own(target.verbs, action.run)?.kind !== 'custom') errors.push({ path: `${path}.run`, message: `${target.name} has no verb '${action.run}'` })
      const fields = 'run' in action ? (own(target.verbs, action.run)?.input ?? {}) : target.fields
      for (const key of Object.keys(action.with ?? {})) if (!Object.hasOwn(fields, key)) errors.push({ path: `${path}.with.${key}`, message: `not a field of ${target.name}` })
    })
  })
  if (errors.length > 0) throw new AppError('validation_failed', 'the automations are not valid', errors)
}
