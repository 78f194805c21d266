/**
 * Money bounds and currencies. Every amount a noun stores is bounded so that each value, and every
 * analytics counter summing thousands of them in cents, stays an exact integer in a double
 * (|n| ≤ 2^53): a deal of at most ten billion major units is 10^12 cents, so 9,000 of them at the
 * limit still sum exactly, and the counters refuse a write that would go further
 * (src/durable/analytics.ts).
 */

/** The largest amount in a currency's major unit (deal values, budgets): 10 billion. */
export const MAX_AMOUNT = 10_000_000_000
/** The same bound in cents (plan prices, proposal totals, contract values, line items). */
export const MAX_AMOUNT_CENTS = MAX_AMOUNT * 100
/** Any `number` field without bounds of its own: beyond 10^15 a double no longer holds cents exactly. */
export const MAX_NUMBER = 1e15

/** A major-unit amount in cents; out-of-range or non-numeric values (rows older than the bounds) are clamped, never Infinity or NaN. */
export function toCents(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 0
  return Math.round(Math.max(-MAX_AMOUNT, Math.min(MAX_AMOUNT, value)) * 100)
}

/**
 * ISO 4217 codes in use (2026), without the test and "no currency" codes (XTS, XXX). Intl formats
 * any three letters, but a proposal priced in "DOLLARS" or "XYZ" is a typo a user wants to hear about.
 */
export const CURRENCY_CODES: readonly string[] = (
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD ' +
  'CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL ' +
  'GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD ' +
  'KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO ' +
  'NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD ' +
  'SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV ' +
  'WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG'
).split(' ')

/** The field constraint for a currency code, shared by nouns and settings. */
export const CURRENCY = { oneOf: CURRENCY_CODES, describe: 'an ISO 4217 currency code such as USD or EUR' } as const

const CODES = new Set(CURRENCY_CODES)
export const isCurrencyCode = (value: unknown): boolean => typeof value === 'string' && CODES.has(value)
