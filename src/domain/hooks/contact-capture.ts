/**
 * `POST /contacts/capture`: upsert the contact by email (case-insensitive), record the source, and
 * put the submission on a lead: the contact's open lead when it has one, else a new Lead. The
 * contact keeps what it already knew; blanks are filled.
 */
import { fieldText, SubmissionSchema, submissionText, type Submission } from '../submission'
import type { TenantHandle } from '../engine/tenant-handle'
import type { AfterHook, BeforeHook, VerbBody } from '../engine/hooks'
import type { EntityRecord } from '../engine/types'
import { AppError } from '../errors'
import { toFieldErrors } from '../noun/validators'
import { Contact } from '../nouns'
import { scoreOf } from '../scoring/of-lead'
import { blanksOf, customSubmission, customValues, naming } from './capture-custom'
import { liveLink } from './live-link'

const CONTACT_FIELDS = ['firstName', 'lastName', 'phone', 'title', 'organization'] as const
/** Seed 001's open statuses: a lead still being worked, which a new submission joins. */
const OPEN_STATUSES = ['New', 'Contacted', 'Qualified']
/** What a repeat submission may add to the open lead: its blanks only (a rep's notes and earlier answers stay). */
const FILLABLE = ['budget', 'authority', 'need', 'timeline', 'campaign', 'organization'] as const

export const FORM_SUBMISSION = 'Form submission'

export const captureContact: VerbBody = ({ input, $, now }) => {
  const email = String(input.email).trim().toLowerCase()
  const name = (input.name as string) || [input.firstName, input.lastName].filter(Boolean).join(' ') || email
  const organization = (input.organization as string) ?? (input.company ? findOrCreateCompany($, String(input.company)) : undefined)
  const given: Record<string, unknown> = { ...pick(input, CONTACT_FIELDS), ...(organization ? { organization } : {}) }

  const custom = customValues(input, 'contactFields')

  const existing = $.Contact.find({ email }, { limit: 1 })[0] as Record<string, unknown> | undefined
  if (!existing) {
    const contact = naming('contactFields', custom, () => $.Contact.create({ ...custom, name, email, stage: 'Lead', status: 'Active', source: (input.source as string) ?? null, ...given }))
    return { target: contact as EntityRecord, patch: { lastEngagement: now } }
  }
  // The tenant's own fields go through an update (the verb's own patch is not validated field by field).
  const customFill = blanksOf(existing, custom)
  if (Object.keys(customFill).length > 0) naming('contactFields', customFill, () => $.Contact.update(String(existing.$id), customFill))
  const fill: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(given)) if (existing[key] == null && value != null) fill[key] = value
  if (existing.source == null && input.source) fill.source = input.source
  return { target: existing as EntityRecord, patch: { ...fill, lastEngagement: now } }
}

/** A submission given to the verb directly (the API door) keeps the public form's bounds. */
export const checkSubmission: BeforeHook = (_contact, input) => {
  if (input.submission === undefined || input.submission === null) return
  const parsed = SubmissionSchema.safeParse(input.submission)
  if (!parsed.success)
    throw new AppError('validation_failed', 'the submission is not valid', toFieldErrors(parsed.error).map((e) => ({ ...e, path: e.path === '(body)' ? 'submission' : `submission.${e.path}` })))
}

/**
 * Every capture lands on a lead and leaves a "Form submission" note on its timeline with what was
 * submitted. A contact with an open lead (New, Contacted, Qualified) gets the note on that lead,
 * whose blanks the new answers fill, whose lastActivityAt moves and whose score is refreshed; one
 * without (or a tenant with `capture.newLeadPerSubmission`) gets a new Lead.
 */
export const recordCapture: AfterHook = (contact, $, event) => {
  const data = event.data ?? {}
  const open = $.settings.capture.newLeadPerSubmission ? undefined : openLeadOf($, contact.$id)
  const lead = open ? joinOpenLead($, open, contact, data, event.at) : openLead($, contact, data, event.at)
  $.Activity.create({
    subject: FORM_SUBMISSION,
    type: 'Note',
    status: 'Done',
    completedAt: event.at,
    lead: lead.$id,
    contact: contact.$id,
    body: submissionText(submittedIn(data)),
  })
}

/** The contact's newest open lead, if any. */
function openLeadOf($: TenantHandle, contact: string): EntityRecord | undefined {
  return $.Lead.find({ contact, status: { $in: OPEN_STATUSES } }, { sort: '-$createdAt', limit: 1 })[0]
}

/** A new Lead (status New) carrying the source, campaign and BANT answers; its last activity is this submission. */
function openLead($: TenantHandle, contact: EntityRecord, data: Record<string, unknown>, at: string): EntityRecord {
  const source = (data.source as string) || 'other'
  const custom = customValues(data, 'leadFields')
  return naming('leadFields', custom, () => $.Lead.create({
    ...custom,
    name: `${String(contact.name)} (${source})`,
    contact: contact.$id,
    organization: liveLink($.Organization, contact.organization),
    source,
    sourceDetail: (data.sourceDetail as string) ?? null,
    campaign: (data.campaign as string) ?? null,
    budget: (data.budget as number) ?? null,
    authority: (data.authority as string) ?? null,
    need: (data.need as string) ?? null,
    timeline: (data.timeline as string) ?? null,
    firstTouchAt: at,
    lastActivityAt: at,
  }))
}

/**
 * The open lead takes the new answers where it has none (never a blank over a value, never a new
 * answer over an old one: both stay readable in the timeline), is stamped with this activity, and
 * is rescored from its inputs and its contact's (a rules score only; a manual one stays).
 */
function joinOpenLead($: TenantHandle, lead: EntityRecord, contact: EntityRecord, data: Record<string, unknown>, at: string): EntityRecord {
  const given: Record<string, unknown> = { ...data, organization: liveLink($.Organization, contact.organization) }
  const fill: Record<string, unknown> = {}
  for (const field of FILLABLE) if (lead[field] == null && given[field] != null && given[field] !== '') fill[field] = given[field]
  const custom = blanksOf(lead, customValues(data, 'leadFields'))
  const updated = naming('leadFields', custom, () => $.Lead.update(lead.$id, { ...custom, ...fill, lastActivityAt: at }))
  if (updated.scoreSource !== 'manual' && scoreOf(updated, $, at).score !== updated.score) return $.Lead.rescore(lead.$id)
  return updated
}

/** Inputs that are not one answer each: the submission itself, and the custom values (one line per field). */
const NOT_TEXT = new Set(['submission', 'leadFields', 'contactFields'])

/** What was submitted: the form's own fields when the door passed them, else the verb's input as given (custom values by field). */
function submittedIn(data: Record<string, unknown>): Submission {
  if (data.submission && typeof data.submission === 'object' && Object.keys(data.submission).length > 0) return data.submission as Submission
  const submitted: Submission = {}
  for (const field of Object.keys(Contact.schema.verbs.capture!.input ?? {})) {
    const text = NOT_TEXT.has(field) ? undefined : fieldText(data[field])
    if (text !== undefined) submitted[field] = text
  }
  return { ...submitted, ...customSubmission(data) }
}

function findOrCreateCompany($: Parameters<VerbBody>[0]['$'], company: string): string {
  const name = company.trim()
  const existing = $.Organization.find({ name }, { limit: 1 })[0]
  return existing ? existing.$id : $.Organization.create({ name, type: 'Prospect' }).$id
}

function pick(input: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of keys) if (input[key] != null && input[key] !== '') out[key] = input[key]
  return out
}
