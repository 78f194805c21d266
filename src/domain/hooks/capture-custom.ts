/**
 * The tenant's own fields a capture carries (`leadFields`, `contactFields`: field → value), for the
 * dashboard's Add Lead and any API caller: they land on the lead and contact the capture opens, or
 * fill blanks of the ones it joins, validated by the tenant's nouns like any other write. Only the
 * tenant's own fields: the built-in ones have inputs of their own or are the verb's to set.
 */
import type { BeforeHook } from '../engine/hooks'
import { AppError, type FieldError } from '../errors'
import type { NounSchema } from '../noun/noun'
import { own } from '../own'
import { Contact, Lead } from '../nouns'
import { fieldText, type Submission } from '../submission'

export const CUSTOM_INPUTS = { leadFields: Lead.schema, contactFields: Contact.schema } as const
type CustomInput = keyof typeof CUSTOM_INPUTS

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value)
const isBuiltIn = (noun: NounSchema, name: string) => name.startsWith('$') || own(noun.fields, name) !== undefined || own(noun.reverse, name) !== undefined

/** Refuses a `leadFields` / `contactFields` that is not an object, or that names a built-in field. */
export const checkCustomFields: BeforeHook = (_contact, input) => {
  const errors: FieldError[] = []
  for (const [key, noun] of Object.entries(CUSTOM_INPUTS)) {
    const value = input[key]
    if (value === undefined || value === null) continue
    if (!isPlainObject(value)) {
      errors.push({ path: key, message: `must be an object of ${noun.name} field → value` })
      continue
    }
    for (const name of Object.keys(value))
      if (isBuiltIn(noun, name)) errors.push({ path: `${key}.${name}`, message: `is a built-in field of ${noun.name}; ${key} takes the tenant's own fields` })
  }
  if (errors.length > 0) throw new AppError('validation_failed', 'the capture is not valid', errors)
}

/** The values given under `key` (blanks and nulls are no answer). */
export function customValues(data: Record<string, unknown>, key: CustomInput): Record<string, unknown> {
  const given = data[key]
  if (!isPlainObject(given)) return {}
  const values: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(given)) if (value !== null && value !== undefined && value !== '') values[name] = value
  return values
}

/** The given values for the entity's blank fields: a capture never writes over an answer already there. */
export function blanksOf(entity: Record<string, unknown>, values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([name]) => entity[name] === undefined || entity[name] === null))
}

/** Runs a write of the given values, so that what it refuses is named as the caller gave it (`leadFields.budgetTier`). */
export function naming<T>(key: CustomInput, values: Record<string, unknown>, write: () => T): T {
  try {
    return write()
  } catch (error) {
    if (!(error instanceof AppError) || !error.errors) throw error
    const mine = (path: string) => Object.hasOwn(values, path.split('.')[0]!)
    throw new AppError(error.code, error.detail, error.errors.map((e) => (mine(e.path) ? { ...e, path: `${key}.${e.path}` } : e)), error.extensions)
  }
}

/** The custom values as lines of a submission note: `budgetTier`, `contact.shoeSize`. */
export function customSubmission(data: Record<string, unknown>): Submission {
  const lines: Submission = {}
  for (const [key, prefix] of [['leadFields', ''], ['contactFields', 'contact.']] as const)
    for (const [name, value] of Object.entries(customValues(data, key))) {
      const text = fieldText(value)
      if (text !== undefined) lines[`${prefix}${name}`] = text
    }
  return lines
}
