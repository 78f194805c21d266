/**
 * The tenant's own fields on the CRM page (`PUT /settings/dashboard`): a lead-table cell per marked
 * column, an Add Lead control per marked form field, and the form's text read back into typed
 * values for the capture (`leadFields`, `contactFields`).
 */
import type { DashboardLayout, MarkedField } from '../domain/dashboard-fields'
import type { EntityRecord } from '../domain/engine/types'
import type { FieldError } from '../domain/errors'
import type { StoredField } from '../domain/noun/grammar'

/** Form inputs carry the marked name under this prefix, apart from the form's own fields (`email`, `note`). */
const INPUT_PREFIX = 'custom.'
const MAX_CELL = 80
export const EMPTY = '–'

/** One stored value as the table shows it: numbers grouped, booleans as Yes/No, lists joined, nothing as an en dash. */
export function formatValue(field: StoredField, value: unknown): string {
  if (value === undefined || value === null || value === '') return EMPTY
  if (Array.isArray(value)) return value.length === 0 ? EMPTY : value.map((v) => formatValue({ ...field, list: false }, v)).join(', ')
  if (typeof value === 'boolean') return value ? 'Yes' : 'No'
  if (typeof value === 'number') return value.toLocaleString('en-US', { maximumFractionDigits: 6 })
  if (field.kind === 'scalar' && field.type === 'datetime' && typeof value === 'string') return `${value.slice(0, 16).replace('T', ' ')} UTC`
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text
}

/** The marked field's value on a lead (or on its contact, from the page's contacts by id). */
export function valueOn(marked: MarkedField, lead: EntityRecord, contacts: ReadonlyMap<string, EntityRecord>): unknown {
  if (marked.noun === 'Lead') return lead[marked.field.name]
  const contact = typeof lead.contact === 'string' ? contacts.get(lead.contact) : undefined
  return contact?.[marked.field.name]
}

export function CustomCells({ layout, lead, contacts }: { layout: DashboardLayout; lead: EntityRecord; contacts: ReadonlyMap<string, EntityRecord> }) {
  return (
    <>
      {layout.leadColumns.map((marked) => {
        const value = valueOn(marked, lead, contacts)
        const text = formatValue(marked.field, value)
        const full = typeof value === 'string' && text !== value ? value : undefined
        return (
          <td class="lead-custom" data-label={marked.label} data-field={marked.ref} title={full}>
            {text}
          </td>
        )
      })}
    </>
  )
}

const defaultText = (field: StoredField) => (field.default === undefined || field.default === null ? undefined : String(field.default))

/** The Add Lead control for one marked field: a select for an enum, a number, date or checkbox input, text otherwise. */
export function CustomInput({ marked }: { marked: MarkedField }) {
  const { field, label } = marked
  const name = `${INPUT_PREFIX}${marked.ref}`
  const required = field.required && field.default === undefined
  const hint = field.kind === 'relation' ? `${field.target} id` : field.kind === 'scalar' && field.type === 'datetime' ? 'UTC' : undefined
  // One grid item: the name and its hints on one line above the control.
  const caption = (
    <span>
      {label}
      {required ? <span class="hint"> (required)</span> : null}
      {hint ? <span class="hint"> ({hint})</span> : null}
    </span>
  )
  if (field.kind === 'scalar' && field.type === 'boolean')
    return (
      <label class="check">
        {/* An unchecked box posts nothing: the hidden "false" before it tells No from a form that had no such box. */}
        <input type="hidden" name={name} value="false" />
        <input type="checkbox" name={name} value="true" checked={field.default === true} /> {label}
      </label>
    )
  if (field.kind === 'enum')
    return (
      <label>
        {caption}
        <select name={name} required={required}>
          {required ? null : <option value="">{EMPTY}</option>}
          {field.values.map((v) => <option value={v} selected={field.default === v}>{v}</option>)}
        </select>
      </label>
    )
  if (field.kind === 'relation')
    return (
      <label>
        {caption}
        <input name={name} required={required} autocomplete="off" placeholder={`${field.target.toLowerCase()}_…`} />
      </label>
    )
  if (field.type === 'text')
    return (
      <label>
        {caption}
        <textarea name={name} rows={2} required={required}>{defaultText(field) ?? ''}</textarea>
      </label>
    )
  const numeric = field.type === 'number' || field.type === 'int'
  const type = numeric ? 'number' : field.type === 'datetime' ? 'datetime-local' : field.type === 'string' ? 'text' : field.type
  return (
    <label>
      {caption}
      <input
        name={name}
        type={type}
        required={required}
        autocomplete="off"
        value={defaultText(field)}
        {...(numeric ? { step: field.type === 'int' ? '1' : 'any', min: field.min, max: field.max, inputmode: field.type === 'int' ? 'numeric' : 'decimal' } : {})}
      />
    </label>
  )
}

export interface CustomAnswers {
  leadFields: Record<string, unknown>
  contactFields: Record<string, unknown>
  /** The answers as typed, for the Form submission note (`budgetTier`, `contact.shoeSize`). */
  lines: Record<string, string>
  /** What cannot be read (not a number, missing), named by the field's label. */
  errors: FieldError[]
}

/** A `datetime-local` value (no zone) read as UTC, as the form says. */
const LOCAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/

/** The form's text for the marked fields, typed for the capture; blanks are no answer, an unchecked box is No (a form without the box says nothing). */
export function readCustomAnswers(layout: DashboardLayout, form: Record<string, unknown>): CustomAnswers {
  const answers: CustomAnswers = { leadFields: {}, contactFields: {}, lines: {}, errors: [] }
  for (const marked of layout.leadForm) {
    const { field } = marked
    const raw = form[`${INPUT_PREFIX}${marked.ref}`]
    const text = typeof raw === 'string' ? raw.trim() : ''
    let value: unknown
    if (field.kind === 'scalar' && field.type === 'boolean') value = raw === undefined ? undefined : text === 'true' || text === 'on'
    else if (text === '') value = undefined
    else if (field.kind === 'scalar' && (field.type === 'number' || field.type === 'int')) {
      value = Number(text)
      if (!Number.isFinite(value)) {
        answers.errors.push({ path: marked.label, message: 'must be a number' })
        continue
      }
    } else if (field.kind === 'scalar' && field.type === 'datetime' && LOCAL_DATETIME.test(text)) value = `${text.length === 16 ? `${text}:00` : text}Z`
    else value = text
    if (value === undefined) {
      if (field.required && field.default === undefined) answers.errors.push({ path: marked.label, message: 'is required' })
      continue
    }
    ;(marked.noun === 'Lead' ? answers.leadFields : answers.contactFields)[field.name] = value
    answers.lines[marked.ref] = typeof value === 'boolean' ? (value ? 'yes' : 'no') : text
  }
  return answers
}

/** A capture's error path (`leadFields.budgetTier`) as the form names it (`Budget tier`). */
export function labelOf(layout: DashboardLayout, path: string): string {
  const [input, name] = path.split('.')
  const noun = input === 'leadFields' ? 'Lead' : input === 'contactFields' ? 'Contact' : undefined
  const marked = noun && [...layout.leadForm, ...layout.leadColumns].find((m) => m.noun === noun && m.field.name === name)
  return marked ? marked.label : path
}
