/**
 * Public lead capture (seed 003 `crm.leads.capture`): what a website form may send, and how it
 * becomes the input of the `Contact.capture` verb. Forms post strings, so values are coerced.
 * Every field the visitor filled in (the known ones and free text such as `message` or
 * `company_size`) is kept as the submission, which the verb records on the lead's timeline.
 */
import { z } from 'zod'

/** Seed 003's lead sources. */
export const LEAD_SOURCES = ['website', 'referral', 'paid_ads', 'organic_search', 'social_media', 'cold_outreach', 'event', 'partner', 'other'] as const
export type LeadSource = (typeof LEAD_SOURCES)[number]

/** Honeypot fields: humans never fill them; a bot that does is answered as if it worked. */
export const HONEYPOT_FIELDS = ['_gotcha', 'website'] as const

/**
 * True when a honeypot holds anything a person could not have left there: every value but an
 * absent one, null or a blank string (a JSON bot may send `1`, `true`, `[]` or `{}`).
 */
export function honeypotFilled(fields: Record<string, unknown>): boolean {
  return HONEYPOT_FIELDS.some((name) => {
    const value = fields[name]
    return value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '')
  })
}

/**
 * Whether a submission comes from a site the tenant accepts. With no allowed origins every site
 * may post. Otherwise the browser's `Origin` (or, when it sent none, the `Referer`'s origin) must
 * be listed; `null` (a sandboxed or privacy-stripped page) counts as another site. A request with
 * neither header is not a browser's cross-site post (a server posting for the site): accepted.
 */
export function submittedFromAllowedSite(allowedOrigins: readonly string[], origin: string | null, refererOrigin: string | null): boolean {
  if (allowedOrigins.length === 0) return true
  const site = origin ?? refererOrigin
  return site === null || allowedOrigins.includes(site)
}

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((v) => (v === '' ? undefined : v))
    .optional()

export const CaptureFields = z.object({
  firstName: text(100),
  lastName: text(100),
  name: text(200),
  email: z.string().trim().toLowerCase().pipe(z.email('is not a valid email address')).pipe(z.string().max(320)),
  phone: text(50),
  company: text(200),
  title: text(200),
  /** Any text: one of LEAD_SOURCES, else `other` with the text kept in sourceDetail (leadSourceOf). */
  source: text(200),
  sourceDetail: text(500),
  budget: z.union([z.number(), z.string().trim().regex(/^\d+(\.\d+)?$/, 'is not a number').transform(Number)]).optional(),
  authority: text(500),
  need: text(2000),
  timeline: text(200),
  utm_source: text(200),
  utm_medium: text(200),
  utm_campaign: text(200),
  utm_term: text(200),
  utm_content: text(200),
  redirect: z.url().max(2000).optional(),
})
export type CaptureFields = z.infer<typeof CaptureFields>

const PAID = new Set(['cpc', 'ppc', 'paid', 'paidsearch', 'paid_search', 'paid-social', 'paid_social', 'display', 'cpm', 'ads'])
const SOCIAL_SITES = new Set(['facebook', 'instagram', 'linkedin', 'twitter', 'x', 'tiktok', 'youtube', 'reddit', 'pinterest'])
const SEARCH_ENGINES = new Set(['google', 'bing', 'duckduckgo', 'yahoo', 'ecosia', 'baidu'])

/** utm_medium / utm_source → one of seed 003's sources. */
export function sourceFromUtm(utmSource?: string, utmMedium?: string): LeadSource | undefined {
  const medium = utmMedium?.toLowerCase()
  const site = utmSource?.toLowerCase()
  if (!medium && !site) return undefined
  if (medium && PAID.has(medium)) return 'paid_ads'
  if (medium === 'organic' || medium === 'seo' || (!medium && site && SEARCH_ENGINES.has(site))) return 'organic_search'
  if (medium === 'social' || medium === 'social-media' || medium === 'social_media' || (site && SOCIAL_SITES.has(site))) return 'social_media'
  if (medium === 'referral' || medium === 'affiliate') return 'referral'
  if (medium === 'event' || medium === 'conference') return 'event'
  if (medium === 'partner') return 'partner'
  if (medium === 'outbound' || medium === 'cold-email' || medium === 'cold_outreach') return 'cold_outreach'
  return 'other'
}

/**
 * A source as given (a form's `source` field, a webhook's mapped one) → one of seed 003's sources.
 * Case, spaces and hyphens do not matter (`Paid Ads` is paid_ads); anything else is `other`, and
 * the text as given is returned as `detail` so nothing the sender said is lost.
 *   leadSourceOf('Referral')   → { source: 'referral' }
 *   leadSourceOf('newsletter') → { source: 'other', detail: 'newsletter' }
 */
export function leadSourceOf(given: string): { source: LeadSource; detail?: string } {
  const key = given.trim().toLowerCase().replace(/[\s-]+/g, '_')
  const known = LEAD_SOURCES.find((s) => s === key)
  return known ? { source: known } : { source: 'other', detail: given.trim() }
}

/** The names CaptureFields reads into the verb's input; every other field of a form is free text. */
export const CAPTURE_FIELD_NAMES: readonly string[] = Object.keys(CaptureFields.shape)

/**
 * The Contact.capture input for a form submission; `campaignId` is the campaign its utm_campaign
 * names, `submission` everything the visitor wrote (recorded on the lead's timeline).
 */
export function captureInput(fields: CaptureFields, defaultSource: LeadSource, campaignId: string | undefined, submission?: Record<string, string>): Record<string, unknown> {
  const utmDetail = [fields.utm_source, fields.utm_medium, fields.utm_content, fields.utm_term].filter(Boolean).join(' / ')
  const given = fields.source ? leadSourceOf(fields.source) : undefined
  const detail = [given?.detail, fields.sourceDetail ?? (utmDetail || undefined)].filter(Boolean).join(' / ')
  const input: Record<string, unknown> = {
    name: fields.name ?? ([fields.firstName, fields.lastName].filter(Boolean).join(' ') || undefined),
    firstName: fields.firstName,
    lastName: fields.lastName,
    email: fields.email,
    phone: fields.phone,
    title: fields.title,
    company: fields.company,
    source: given?.source ?? sourceFromUtm(fields.utm_source, fields.utm_medium) ?? defaultSource,
    sourceDetail: detail || undefined,
    campaign: campaignId,
    budget: fields.budget,
    authority: fields.authority,
    need: fields.need,
    timeline: fields.timeline,
    submission: submission && Object.keys(submission).length > 0 ? submission : undefined,
  }
  for (const key of Object.keys(input)) if (input[key] === undefined) delete input[key]
  return input
}

/** How many fields a source may map, and what a free-text field's name looks like. */
export const MAX_MAPPED_FIELDS = 60
const FREE_TEXT_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/
const MAPPABLE: readonly string[] = CAPTURE_FIELD_NAMES.filter((f) => f !== 'redirect')

/**
 * A webhook source's mapping: field → dotted path in the provider's payload, e.g.
 * `{ "email": "data.email", "message": "data.comments" }`. A field is a capture field (email must be
 * mapped) or a free-text field the tenant names, recorded with the submission. Refused: `redirect`,
 * the honeypot names (a mapped honeypot would discard every delivery), and a capture field in the
 * wrong case (`firstname`), which is a typo far more often than a free-text field.
 */
export const SourceMapping = z
  .record(z.string(), z.string().regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'a dotted path such as data.email'))
  .superRefine((mapping, ctx) => {
    const names = Object.keys(mapping)
    if (!names.includes('email')) ctx.addIssue({ code: 'custom', path: ['email'], message: 'must map email' })
    if (names.length > MAX_MAPPED_FIELDS) ctx.addIssue({ code: 'custom', path: [], message: `at most ${MAX_MAPPED_FIELDS} fields` })
    for (const name of names) {
      const problem = mappedNameProblem(name)
      if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem })
    }
  })

function mappedNameProblem(name: string): string | undefined {
  if (MAPPABLE.includes(name)) return undefined
  if (name === 'redirect') return 'a source cannot redirect; only a browser form can'
  if ((HONEYPOT_FIELDS as readonly string[]).includes(name)) return `'${name}' is a honeypot field (a filled one discards the submission): map this answer under another name`
  const meant = MAPPABLE.find((f) => f.toLowerCase() === name.toLowerCase())
  if (meant) return `did you mean ${meant}?`
  if (!FREE_TEXT_NAME.test(name)) return 'a field name: a letter, then up to 63 letters, digits, _ or -'
  return undefined
}
