/**
 * The tenant's own fields the dashboard shows (`PUT /settings/dashboard`, admin): extra columns of
 * the lead table and extra inputs of the Add Lead form, each a custom field of Lead (`budgetTier`)
 * or of the lead's contact (`contact.shoeSize`).
 *
 *   { leadColumns: ['budgetTier', 'contact.shoeSize'], leadForm: ['budgetTier'] }
 *
 * Names are checked against the tenant's registry when saved, and a schema change that takes a
 * marked field away is a conflict (src/durable/schema-ops.ts), so the layout always resolves.
 */
import { z } from 'zod'
import { AppError, type FieldError } from './errors'
import type { StoredField } from './noun/grammar'

/** A field's name, checked against the tenant's nouns by validateDashboard (so every wrong name is told the same way). */
const FIELD_REF = z.string().min(1).max(100)

export const DashboardSettings = z.strictObject({
  leadColumns: z.array(FIELD_REF).max(12).default([]),
  leadForm: z.array(FIELD_REF).max(20).default([]),
})
export type DashboardSettings = z.infer<typeof DashboardSettings>

/** What the check needs of a registry: the tenant's own fields of a noun. */
export interface CustomFieldSource {
  customFields(name: string): readonly StoredField[]
}

/** One marked field, resolved: which noun holds it, its spec, and how the page names it. */
export interface MarkedField {
  /** As marked: `budgetTier` or `contact.shoeSize`. */
  ref: string
  noun: 'Lead' | 'Contact'
  field: StoredField
  /** `Budget tier`, `Shoe size (contact)`. */
  label: string
}

export interface DashboardLayout {
  leadColumns: MarkedField[]
  leadForm: MarkedField[]
  /** Every custom field of Lead, then of Contact: a lead's own page shows all that hold a value, marked or not. */
  leadPage: MarkedField[]
}

/** `budgetTier` → `Budget tier`; `utmSource2` → `Utm source 2`. */
export function humanise(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Za-z])([0-9])/g, '$1 $2').toLowerCase()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

function resolve(ref: string, nouns: CustomFieldSource): MarkedField | undefined {
  const [noun, name] = ref.startsWith('contact.') ? (['Contact', ref.slice('contact.'.length)] as const) : (['Lead', ref] as const)
  const field = nouns.customFields(noun).find((f) => f.name === name)
  if (!field) return undefined
  return { ref, noun, field, label: noun === 'Contact' ? `${humanise(name)} (contact)` : humanise(name) }
}

/** A form has a control for one value of a scalar, an enum or a relation (its id); lists and JSON are edited over the API. */
export const hasFormControl = (field: StoredField) => !field.list && !(field.kind === 'scalar' && field.type === 'json')

/**
 * What is wrong with a layout against the tenant's nouns: every name a custom field (built-in
 * fields have their own columns or no place here), none twice, form fields ones a form can edit.
 * Paths are `dashboard.leadColumns[i]`; `listKnown` adds the names there are (for whoever is saving).
 */
export function dashboardProblems(settings: DashboardSettings, nouns: CustomFieldSource, listKnown = false): FieldError[] {
  const errors: FieldError[] = []
  for (const list of ['leadColumns', 'leadForm'] as const) {
    const seen = new Set<string>()
    settings[list].forEach((ref, i) => {
      const path = `dashboard.${list}[${i}]`
      const marked = resolve(ref, nouns)
      if (!marked) {
        const noun = ref.startsWith('contact.') ? 'Contact' : 'Lead'
        const names = nouns.customFields(noun).map((f) => (noun === 'Contact' ? `contact.${f.name}` : f.name))
        const known = !listKnown ? '' : names.length > 0 ? ` (it has ${names.join(', ')})` : ` (it has none yet: PUT /nouns/${noun} adds them)`
        errors.push({ path, message: `'${ref}' is not a custom field of ${noun}${known}` })
      } else if (seen.has(ref)) errors.push({ path, message: `'${ref}' is listed twice` })
      else if (list === 'leadForm' && !hasFormControl(marked.field)) errors.push({ path, message: `'${ref}' is a list or JSON field, which the form cannot edit` })
      seen.add(ref)
    })
  }
  return errors
}

/** The check of `PUT /settings/dashboard`: 422 naming each wrong entry. */
export function validateDashboard(settings: DashboardSettings, nouns: CustomFieldSource): void {
  const errors = dashboardProblems(settings, nouns, true)
  if (errors.length > 0) throw new AppError('validation_failed', 'the dashboard settings name fields the tenant does not have', errors)
}

/** The layout the pages render: marked fields that resolve (a stored schema that no longer builds leaves some out). */
export function dashboardLayout(settings: DashboardSettings, nouns: CustomFieldSource): DashboardLayout {
  const fields = (refs: readonly string[]) => refs.map((ref) => resolve(ref, nouns)).filter((m): m is MarkedField => m !== undefined)
  const all = [...nouns.customFields('Lead').map((f) => f.name), ...nouns.customFields('Contact').map((f) => `contact.${f.name}`)]
  return { leadColumns: fields(settings.leadColumns), leadForm: fields(settings.leadForm).filter((m) => hasFormControl(m.field)), leadPage: fields(all) }
}
