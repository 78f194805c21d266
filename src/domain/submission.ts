/**
 * What a visitor submitted, kept as they wrote it: every field of the form (free text included)
 * as name → text, bounded, and the readable text of its "Form submission" timeline entry.
 */
import { z } from 'zod'
import { HONEYPOT_FIELDS } from './capture'
import { AppError } from './errors'

/** Bounds on what a submission keeps (the body limit, 64 KB, bounds the public door anyway). */
export const MAX_SUBMITTED_FIELDS = 100
export const MAX_FIELD_NAME = 100
export const MAX_SUBMISSION_CHARS = 64 * 1024

/** Never recorded: the honeypots, where to send the browser, and a name no plain object can hold. */
const NOT_RECORDED = new Set<string>([...HONEYPOT_FIELDS, 'redirect', '__proto__'])

/** Field name → the text the visitor gave, in the form's order. */
export type Submission = Record<string, string>

/** The verb's check of a submission given to it (the API door): the same bounds, 422 naming `submission.<field>`. */
export const SubmissionSchema = z
  .record(z.string().min(1).max(MAX_FIELD_NAME), z.string().max(MAX_SUBMISSION_CHARS))
  .refine((s) => Object.keys(s).length <= MAX_SUBMITTED_FIELDS, `at most ${MAX_SUBMITTED_FIELDS} fields`)
  .refine((s) => Object.values(s).reduce((n, v) => n + v.length, 0) <= MAX_SUBMISSION_CHARS, `at most ${MAX_SUBMISSION_CHARS} characters in all`)

/**
 * One submitted value as text: strings trimmed (blank is nothing), numbers and booleans as written,
 * a list of plain values (a checkbox group) joined with commas, anything else as JSON.
 */
export function fieldText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value.trim() || undefined
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) {
    const parts = value.map(fieldText).filter((v) => v !== undefined)
    return parts.length > 0 ? parts.join(', ') : undefined
  }
  return JSON.stringify(value)
}

/**
 * What the visitor wrote: every field but the honeypots and `redirect`, as text, blanks dropped,
 * in the form's order. Past the bounds it is a 422 naming the field, like any bad input.
 */
export function submissionOf(fields: Record<string, unknown>): Submission {
  const submission: Submission = {}
  let count = 0
  let chars = 0
  for (const [name, value] of Object.entries(fields)) {
    if (NOT_RECORDED.has(name)) continue
    const text = fieldText(value)
    if (text === undefined) continue
    if (name.length > MAX_FIELD_NAME) throw tooMuch(`${name.slice(0, 40)}…`, `field names are at most ${MAX_FIELD_NAME} characters`)
    if (++count > MAX_SUBMITTED_FIELDS) throw tooMuch(name, `a form may send at most ${MAX_SUBMITTED_FIELDS} fields`)
    if ((chars += text.length) > MAX_SUBMISSION_CHARS) throw tooMuch(name, `a form may send at most ${MAX_SUBMISSION_CHARS} characters in all`)
    submission[name] = text
  }
  return submission
}

const tooMuch = (path: string, message: string) => new AppError('validation_failed', 'the form is not valid', [{ path, message }])

/** A submission as the text of its timeline entry: `name: value` lines, a multi-line answer indented below its name. */
export function submissionText(submission: Submission): string {
  return Object.entries(submission)
    .map(([name, value]) => (value.includes('\n') ? `${name}:\n${value.replace(/\r\n?/g, '\n').replace(/^/gm, '  ')}` : `${name}: ${value}`))
    .join('\n')
}
