/**
 * Dashboard sessions: after login the browser holds a signed, HttpOnly, SameSite=Strict cookie with
 * a random session token, scoped to the tenant's dashboard path. The tenant object keeps only the
 * token's SHA-256 and the key that signed in (src/durable/sessions.ts), so logging out or revoking
 * the key ends the session at once, and it expires after 12 hours. Forms carry a CSRF token derived
 * from the session token; the Origin check (hono/csrf) runs too.
 */
import type { Context } from 'hono'
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie'
import type { Outcome } from '../durable/operations'
import { sha256Hex } from '../http/crypto'
import { valueOf } from '../http/tenant'
import type { AppEnv } from '../http/types'

const COOKIE = 'rvl_session'
export const SESSION_SECONDS = 12 * 60 * 60

export interface Session {
  /** The random token the cookie carries. */
  token: string
  /** Its SHA-256: what the tenant object knows the session by. */
  hash: string
}

/** The signing secret (session and flash cookies): SESSION_SECRET when set, else derived from the operator token. */
export async function signingSecret(c: Context<AppEnv>): Promise<string> {
  const explicit = (c.env as unknown as { SESSION_SECRET?: string }).SESSION_SECRET
  return explicit || sha256Hex(`revline-session:${c.env.ADMIN_TOKEN ?? ''}`)
}

export const dashboardPath = (slug: string) => `/~${slug}/dashboard`

const newToken = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

/** Signs in with an API key (hashed): the tenant object records the session, the browser gets its token. 401/403/404 as AppError. */
export async function startSession(c: Context<AppEnv>, slug: string, keyHash: string) {
  const token = newToken()
  const expiresAt = new Date(Date.now() + SESSION_SECONDS * 1000).toISOString()
  const outcome = await c.env.TENANT.getByName(slug).startSession({ keyHash, requestId: c.get('requestId') }, { tokenHash: await sha256Hex(token), expiresAt })
  valueOf(outcome as Outcome)
  await setSignedCookie(c, COOKIE, token, await signingSecret(c), {
    path: dashboardPath(slug),
    httpOnly: true,
    sameSite: 'Strict',
    secure: new URL(c.req.url).protocol === 'https:',
    maxAge: SESSION_SECONDS,
  })
}

/** The session the cookie names, if its signature holds; whether it is still live is the tenant object's to say. */
export async function readSession(c: Context<AppEnv>): Promise<Session | undefined> {
  const token = await getSignedCookie(c, await signingSecret(c), COOKIE)
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined
  return { token, hash: await sha256Hex(token) }
}

/** Ends the session in the tenant object (when there is one) and drops the cookie. */
export async function endSession(c: Context<AppEnv>, slug: string, session?: Session) {
  if (session) await c.env.TENANT.getByName(slug).endSession(session.hash)
  deleteCookie(c, COOKIE, { path: dashboardPath(slug) })
}

export async function csrfToken(c: Context<AppEnv>, session: Session): Promise<string> {
  return (await sha256Hex(`${await signingSecret(c)}:csrf:${session.token}`)).slice(0, 32)
}
