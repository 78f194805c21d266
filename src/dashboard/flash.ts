/**
 * One-time messages across a form post's redirect (post → 303 → page): "Lead added", "Moved to
 * Lost", or why the action failed. Kept in a short-lived signed cookie rather than the URL, so a
 * link cannot put words on the page, a reload does not repeat the message, and the address stays clean.
 */
import type { Context } from 'hono'
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie'
import type { AppEnv } from '../http/types'
import { isLiveRefresh } from './live'
import { dashboardPath, signingSecret } from './session'

const COOKIE = 'rvl_flash'
/** Long enough for the redirect to be followed, short enough that a stale one never surfaces later. */
const FLASH_SECONDS = 60
/** Cookies are small: a longer message (a list of validation errors) is cut. */
const MAX_TEXT = 600

/** Its own key, derived from the session's: a signed flash value is never a valid session cookie, nor the reverse. */
const flashSecret = async (c: Context<AppEnv>) => `${await signingSecret(c)}:flash`

export interface Flash {
  kind: 'ok' | 'error'
  text: string
  /**
   * A secret shown once below the text (a new API key). It rides in this signed, HttpOnly cookie
   * for the one redirect (60 seconds at most, dropped as it is shown), so a reload neither shows it
   * again nor posts the form twice.
   */
  secret?: string
}

export async function setFlash(c: Context<AppEnv>, slug: string, flash: Flash) {
  const text = flash.text.length > MAX_TEXT ? `${flash.text.slice(0, MAX_TEXT - 1)}…` : flash.text
  await setSignedCookie(c, COOKIE, JSON.stringify({ kind: flash.kind, text, ...(flash.secret ? { secret: flash.secret } : {}) }), await flashSecret(c), {
    path: dashboardPath(slug),
    httpOnly: true,
    sameSite: 'Strict',
    secure: new URL(c.req.url).protocol === 'https:',
    maxAge: FLASH_SECONDS,
  })
}

/**
 * The message waiting for this page, if any; it is shown once (the cookie is dropped). A live
 * refresh (live.js reading the page in the background) leaves it for the page the user opens.
 */
export async function takeFlash(c: Context<AppEnv>, slug: string): Promise<Flash | undefined> {
  if (isLiveRefresh(c)) return undefined
  const raw = await getSignedCookie(c, await flashSecret(c), COOKIE)
  if (raw === undefined) return undefined
  deleteCookie(c, COOKIE, { path: dashboardPath(slug) })
  // false: a signature that does not hold (not ours): dropped, never shown.
  if (typeof raw !== 'string') return undefined
  try {
    const value = JSON.parse(raw) as Partial<Flash>
    if ((value.kind === 'ok' || value.kind === 'error') && typeof value.text === 'string') return { kind: value.kind, text: value.text, ...(typeof value.secret === 'string' ? { secret: value.secret } : {}) }
  } catch {
    // A cookie we did not write (the signature held, so only an old format): nothing to show.
  }
  return undefined
}
