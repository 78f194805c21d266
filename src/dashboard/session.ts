/**
 * Dashboard sessions are the user's sessions (issue 16): opened by following a sign-in link
 * (src/dashboard/sign-in.tsx) or a passkey, kept in the tenant object's `sessions` table by the
 * token's SHA-256, carried by the cookie of src/http/session-cookie.ts (path `/~slug`). Forms carry
 * a CSRF token derived from the session token; the Origin check (hono/csrf) runs too.
 */
import type { Context } from 'hono'
import { csrfToken, dropSessionCookie, readSessionCookie, signingSecret, type Session } from '../http/session-cookie'
import type { AppEnv } from '../http/types'

export { csrfToken, signingSecret, type Session }
export const readSession = readSessionCookie

export const dashboardPath = (slug: string) => `/~${slug}/dashboard`

/** Ends the session in the tenant object (when there is one) and drops the cookie. */
export async function endSession(c: Context<AppEnv>, slug: string, session?: Session) {
  if (session) await c.env.TENANT.getByName(slug).endSession(session.hash)
  dropSessionCookie(c, slug)
}
