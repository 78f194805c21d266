/**
 * Dashboard sessions. The cookie itself (signed, HttpOnly, SameSite=Strict, on the tenant's path)
 * is src/http/session-cookie.ts; the tenant object keeps only the token's SHA-256, so signing out,
 * revoking the session or deactivating its user ends it at once. Forms carry a CSRF token derived
 * from the session token; the Origin check (hono/csrf) runs too.
 */
import type { Context } from 'hono'
import { csrfToken, dropSessionCookie, newSessionToken, readSessionCookie, setSessionCookie, signingSecret, tenantCookiePath, type Session } from '../http/session-cookie'
import type { Outcome } from '../durable/operations'
import { valueOf } from '../http/tenant'
import type { AppEnv } from '../http/types'

export { csrfToken, signingSecret, type Session }
export const readSession = readSessionCookie

/** Legacy API-key sign-in sessions last 12 hours. */
export const SESSION_SECONDS = 12 * 60 * 60

export const dashboardPath = (slug: string) => `/~${slug}/dashboard`
/** Flash cookies share the session cookie's path. */
export const cookiePath = tenantCookiePath

/** Signs in with an API key (hashed): the tenant object records the session, the browser gets its token. 401/403/404 as AppError. */
export async function startSession(c: Context<AppEnv>, slug: string, keyHash: string) {
  const session = await newSessionToken()
  const expiresAt = new Date(Date.now() + SESSION_SECONDS * 1000).toISOString()
  const outcome = await c.env.TENANT.getByName(slug).startSession({ keyHash, requestId: c.get('requestId') }, { tokenHash: session.hash, expiresAt })
  valueOf(outcome as Outcome)
  await setSessionCookie(c, slug, session, SESSION_SECONDS)
}

/** Ends the session in the tenant object (when there is one) and drops the cookie. */
export async function endSession(c: Context<AppEnv>, slug: string, session?: Session) {
  if (session) await c.env.TENANT.getByName(slug).endSession(session.hash)
  dropSessionCookie(c, slug)
}
