/**
 * `POST /contacts/{id}/enrich`: fill blanks from a provider payload (title, social profiles, …) and
 * find or create the contact's Organization from the company domain or the email's domain.
 * Free-mail domains say nothing about an employer, so they are skipped.
 */
import type { VerbBody } from '../engine/hooks'

export const FREE_MAIL_DOMAINS = new Set([
  'gmail.com', 'googlemail.com', 'yahoo.com', 'yahoo.co.uk', 'ymail.com', 'hotmail.com', 'hotmail.co.uk', 'outlook.com', 'live.com',
  'msn.com', 'icloud.com', 'me.com', 'mac.com', 'aol.com', 'proton.me', 'protonmail.com', 'gmx.com', 'gmx.de', 'gmx.net', 'web.de',
  'mail.com', 'yandex.com', 'yandex.ru', 'mail.ru', 'zoho.com', 'fastmail.com', 'hey.com', 'qq.com', '163.com', 'tutanota.com',
])

const PROFILE_FIELDS = ['title', 'department', 'phone', 'linkedinUrl', 'twitterHandle', 'avatar', 'timezone', 'language'] as const
const COMPANY_FIELDS = ['name', 'legalName', 'industry', 'employeeCount', 'annualRevenue', 'website', 'linkedinUrl', 'country', 'city', 'description'] as const

export const enrichContact: VerbBody = ({ entity, input, $ }) => {
  const contact = entity!
  const patch: Record<string, unknown> = {}
  for (const field of PROFILE_FIELDS) if (contact[field] == null && input[field] != null) patch[field] = input[field]

  if (contact.organization == null) {
    const company = (input.company && typeof input.company === 'object' ? input.company : {}) as Record<string, unknown>
    const domain = normaliseDomain(company.domain) ?? emailDomain(contact.email)
    if (domain && !FREE_MAIL_DOMAINS.has(domain)) {
      const existing = $.Organization.find({ domain }, { limit: 1 })[0]
      const details: Record<string, unknown> = {}
      for (const key of COMPANY_FIELDS) if (company[key] != null) details[key] = company[key]
      patch.organization = existing
        ? existing.$id
        : $.Organization.create({ name: nameFromDomain(domain), website: `https://${domain}`, ...details, domain, source: 'enrichment' } as never).$id
    }
  }
  return { patch }
}

function emailDomain(email: unknown): string | undefined {
  return typeof email === 'string' && email.includes('@') ? normaliseDomain(email.split('@').pop()) : undefined
}

function normaliseDomain(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined
  return value.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/^www\./, '').replace(/\/.*$/, '')
}

/** 'acme-labs.dev' → 'Acme Labs' */
const nameFromDomain = (domain: string) =>
  domain
    .split('.')[0]!
    .split(/[-_]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ')
