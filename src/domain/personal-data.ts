/**
 * Which fields hold personal data (GDPR): what `POST /contacts/{id}/forget` erases and what the log
 * seals with a per-record key. The rule is declared per noun; business facts (stages, values,
 * amounts, dates, scores, sources, links between records) are not personal and stay after a forget.
 *
 * Chosen where the seeds are silent: a person's names, contact details and profile (Contact, Lead,
 * Customer); the words written about them (an activity's subject and body, a message's recipient,
 * subject and body, a notification's title and body, BANT notes on a lead, the name a contract was
 * signed by); and a tracked event's free-form properties. A deal's name and description are the business's record of a sale and stay.
 * On the nouns that describe a person (Contact, Lead, Customer), every text field the tenant adds
 * is personal too: a tenant that adds `nickname` to Contact expects it to be forgotten with the rest.
 */
import type { StoredField } from './noun/grammar'
import type { NounSchema } from './noun/noun'

const PERSONAL: Readonly<Record<string, readonly string[]>> = {
  Contact: ['name', 'firstName', 'lastName', 'email', 'phone', 'mobile', 'avatar', 'title', 'department', 'timezone', 'language', 'linkedinUrl', 'twitterHandle', 'marketingConsent'],
  Lead: ['name', 'authority', 'need', 'timeline'],
  Customer: ['name', 'email'],
  Activity: ['subject', 'body'],
  Message: ['to', 'subject', 'body', 'error'],
  Notification: ['title', 'body'],
  TrackedEvent: ['properties'],
  /**
   * A person's deal is named after them more often than not (a converted lead's deal takes the
   * lead's name) and its free text is about them: those go; its value, stage, dates and links stay.
   * Likewise a proposal's title and notes, and the name a contract was signed by.
   */
  Deal: ['name', 'description', 'nextStep'],
  Proposal: ['title', 'notes'],
  Contract: ['signedBy'],
}

/** Nouns whose records are a person: the tenant's own free-text fields on them are personal. */
const PERSON_NOUNS = new Set(['Contact', 'Lead', 'Customer'])

const FREE_TEXT = new Set(['string', 'text', 'email', 'url', 'json'])
const isFreeText = (field: StoredField) => field.kind === 'scalar' && FREE_TEXT.has(field.type)

const memo = new WeakMap<NounSchema, readonly string[]>()

/** The noun's personal fields (its built-in ones, and the tenant's own free-text fields on a person noun). */
export function personalFields(noun: NounSchema): readonly string[] {
  let fields = memo.get(noun)
  if (fields) return fields
  const declared = (Object.hasOwn(PERSONAL, noun.name) && !noun.tenantDefined ? PERSONAL[noun.name]! : []).filter((name) => name in noun.fields)
  const own = PERSON_NOUNS.has(noun.name) && !noun.tenantDefined ? Object.values(noun.fields).filter((f) => f.custom && isFreeText(f)).map((f) => f.name) : []
  fields = Object.freeze([...declared, ...own])
  memo.set(noun, fields)
  return fields
}

/**
 * What a forgotten record keeps in a personal field: nothing, except in a required one, which keeps
 * a fixed marker so the record stays valid and business writes to it (a stage change, a rescoring)
 * still pass validation. The markers are not personal data and are never sealed.
 */
export const FORGOTTEN = '(forgotten)'
export const FORGOTTEN_EMAIL = 'forgotten@erased.invalid'
const isForgottenMarker = (value: unknown) => value === FORGOTTEN || value === FORGOTTEN_EMAIL

/** Whether a personal field holds a value to seal or erase: set, and not a forgotten record's marker. */
export const holdsPersonalValue = (value: unknown) => value !== undefined && value !== null && !isForgottenMarker(value)

function erasedValue(field: StoredField | undefined): string | undefined {
  if (!field?.required) return undefined
  return field.kind === 'scalar' && field.type === 'email' ? FORGOTTEN_EMAIL : FORGOTTEN
}

/** The record (or patch) without the personal values it holds: what a forgotten record keeps. */
export function withoutPersonalData<T extends Record<string, unknown>>(record: T, noun: NounSchema): T {
  let out: Record<string, unknown> | undefined
  for (const name of personalFields(noun)) {
    const value = record[name]
    if (!holdsPersonalValue(value)) continue
    out ??= { ...record }
    const erased = erasedValue(noun.fields[name])
    if (erased === undefined) delete out[name]
    else out[name] = erased
  }
  return (out ?? record) as T
}
