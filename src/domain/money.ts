/**
 * Money: one representation everywhere. Every amount in every noun, report, the SDK, the CLI and the
 * dashboard is a number in the major unit of its currency (`value: 48_000` is $48,000, as seed 000
 * writes it; `price: 49` is $49.00), with at most as many decimals as the currency has (2 for USD,
 * 0 for JPY, 3 for KWD). The analytics counters keep hundredths of the major unit (cents) as exact
 * integers and reports turn them back into major units.
 *
 * Every amount is bounded so that each value, and every counter summing thousands of them, stays
 * exact in a double (|n| ≤ 2^53): an amount of at most ten billion is 10^12 cents, so 9,000 of them
 * at the bound still sum exactly, and the counters refuse a write that would go further
 * (src/durable/analytics.ts).
 */

/** The largest amount, in a currency's major unit: 10 billion. */
export const MAX_AMOUNT = 10_000_000_000
/** Any `number` field without bounds of its own: beyond 10^15 a double no longer holds cents exactly. */
export const MAX_NUMBER = 1e15

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

/** The field constraint for an amount: money in its noun's `currency`, within the bounds. */
export const AMOUNT = { money: true, min: 0, max: MAX_AMOUNT } as const

/** The currency an amount is in when its noun names none (a lead's budget, a campaign's). */
export const DEFAULT_CURRENCY = 'USD'

const CODES = new Set(CURRENCY_CODES)
export const isCurrencyCode = (value: unknown): boolean => typeof value === 'string' && CODES.has(value)

/** ISO 4217 minor-unit exponents that are not 2 (the metals and funds without one count as 2). */
const EXPONENT: Readonly<Record<string, number>> = Object.freeze({
  ...Object.fromEntries('BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'.split(' ').map((c) => [c, 0])),
  ...Object.fromEntries('BHD IQD JOD KWD LYD OMR TND'.split(' ').map((c) => [c, 3])),
  CLF: 4,
  UYW: 4,
})

/** How many decimals an amount in `currency` may have: 2 for USD, 0 for JPY, 3 for KWD. */
export const minorDigits = (currency: unknown): number => (typeof currency === 'string' && Object.hasOwn(EXPONENT, currency) ? EXPONENT[currency]! : 2)

/** Whether `amount` has no more decimals than `currency` allows (4.99 USD yes, 4.999 USD no, 4.5 JPY no). */
export function fitsCurrency(amount: number, currency: unknown): boolean {
  const scaled = amount * 10 ** minorDigits(currency)
  // Within a millionth of a minor unit: 0.1 + 0.2 is 0.30000000000000004 and still 30 cents.
  return Math.abs(scaled - Math.round(scaled)) < 1e-6
}

/** `amount` rounded to the minor unit of `currency`. */
export function roundAmount(amount: number, currency: unknown): number {
  const scale = 10 ** minorDigits(currency)
  return Math.round(amount * scale) / scale
}

/** The message for an amount with too many decimals. */
export const tooPrecise = (currency: unknown) => {
  const digits = minorDigits(currency)
  const code = typeof currency === 'string' ? currency : DEFAULT_CURRENCY
  return digits === 0 ? `${code} amounts are whole numbers` : `${code} amounts have at most ${digits} decimal${digits === 1 ? '' : 's'}`
}

/**
 * An amount in hundredths of its major unit, as the analytics counters keep it; out-of-range or
 * non-numeric values (rows older than the bounds) are clamped, never Infinity or NaN.
 */
export function toCents(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 0
  return Math.round(Math.max(-MAX_AMOUNT, Math.min(MAX_AMOUNT, value)) * 100)
}

/** Hundredths back to the major unit, for reports. */
export const fromCents = (cents: number): number => Math.round(cents) / 100
