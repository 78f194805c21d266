/**
 * Reads a BANT timeline written by a person ("ASAP", "within 2 weeks", "Q3 2026", "2026-12-01",
 * "next month") as days from `now` until the purchase is expected. Unreadable → undefined; a date
 * already past counts as 0 (the need is now).
 */
const DAY_MS = 86_400_000
const UNIT_DAYS: Record<string, number> = { day: 1, week: 7, month: 30, quarter: 91, year: 365 }
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
const WORD_NUMBERS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, twelve: 12, couple: 2, few: 3 }

const until = (target: Date, now: Date) => Math.max(0, Math.round((target.getTime() - now.getTime()) / DAY_MS))

export function timelineDays(text: unknown, now: Date): number | undefined {
  if (typeof text !== 'string' || !text.trim()) return undefined
  const t = text.trim().toLowerCase()

  if (/\b(asap|immediately|urgent(ly)?|right away|now|today|this week)\b/.test(t)) return /this week/.test(t) ? 7 : 0
  if (/\btomorrow\b/.test(t)) return 1
  if (/\bnext week\b/.test(t)) return 7
  if (/\bthis month\b/.test(t)) return until(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)), now)
  if (/\bnext month\b/.test(t)) return 30
  if (/\bthis quarter\b/.test(t)) return until(quarterStart(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) + 2), now)
  if (/\bnext quarter\b/.test(t)) return until(quarterStart(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) + 2), now)
  if (/\b(this|end of( the)?) year\b|\beoy\b/.test(t)) return until(new Date(Date.UTC(now.getUTCFullYear(), 11, 31)), now)
  if (/\bnext year\b/.test(t)) return until(new Date(Date.UTC(now.getUTCFullYear() + 1, 0, 1)), now)

  // "within 2 weeks", "in 3 months", "30 days", "a couple of weeks"
  const span = /\b(\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|couple|few)\s*(?:of\s+)?(day|week|month|quarter|year)s?\b/.exec(t)
  if (span) {
    const n = Number(span[1]) || WORD_NUMBERS[span[1]!] || 1
    return Math.round(n * UNIT_DAYS[span[2]!]!)
  }

  // "Q3 2026", "q1/2027", "Q2" (this year, or next if it is over)
  const quarter = /\bq([1-4])\s*[/-]?\s*(\d{4})?\b/.exec(t)
  if (quarter) {
    const q = Number(quarter[1])
    let year = quarter[2] ? Number(quarter[2]) : now.getUTCFullYear()
    if (!quarter[2] && quarterStart(year, q + 1) <= now) year++
    const start = quarterStart(year, q)
    return start <= now && quarterStart(year, q + 1) > now ? 0 : until(start, now)
  }

  // ISO dates and "December 2026", "Dec 1, 2026", "1 Dec 2026"
  const iso = /\b(\d{4})-(\d{2})(?:-(\d{2}))?\b/.exec(t)
  if (iso) return until(new Date(Date.UTC(Number(iso[1]), Number(iso[2]) - 1, iso[3] ? Number(iso[3]) : 1)), now)
  // A month name counts only next to a number ("Dec 1", "1 December", "December 2026"), so words
  // such as "decision" or "may" are never read as dates.
  const named = monthDate(t)
  if (named) {
    let year = named.year ?? now.getUTCFullYear()
    if (named.year === undefined && new Date(Date.UTC(year, named.month + 1, 1)) <= now) year++
    return until(new Date(Date.UTC(year, named.month, named.day ?? 1)), now)
  }
  return undefined
}

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']
const MONTH = `(${MONTH_NAMES.join('|')}|${MONTHS.join('|')}|sept)\\.?`

function monthIndex(name: string): number {
  const key = name.replace('.', '').slice(0, 3)
  return MONTHS.indexOf(key)
}

// Built once: timelines are read for every lead a rescoring chunk scores.
const DAY_FIRST = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH}(?:,?\\s+(\\d{4}))?\\b`)
const MONTH_FIRST = new RegExp(`\\b${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?(?:,?\\s+(\\d{4}))?\\b`)
const MONTH_YEAR = new RegExp(`\\b${MONTH}\\s+(\\d{4})\\b`)

function monthDate(t: string): { month: number; day?: number; year?: number } | undefined {
  const dayFirst = DAY_FIRST.exec(t)
  if (dayFirst) return { month: monthIndex(dayFirst[2]!), day: Number(dayFirst[1]), ...(dayFirst[3] ? { year: Number(dayFirst[3]) } : {}) }
  const monthFirst = MONTH_FIRST.exec(t)
  if (monthFirst && Number(monthFirst[2]) <= 31) return { month: monthIndex(monthFirst[1]!), day: Number(monthFirst[2]), ...(monthFirst[3] ? { year: Number(monthFirst[3]) } : {}) }
  const monthYear = MONTH_YEAR.exec(t)
  if (monthYear) return { month: monthIndex(monthYear[1]!), year: Number(monthYear[2]) }
  return undefined
}

/** First day of quarter q (1-based; q = 5 is next year's Q1). */
function quarterStart(year: number, q: number): Date {
  return new Date(Date.UTC(year + Math.floor((q - 1) / 4), ((q - 1) % 4) * 3, 1))
}
