/**
 * Dashboard sessions: after login the browser holds a signed, HttpOnly, SameSite=Strict cookie with
 * the key's hash (never the key), scoped to the tenant's dashboard path and valid for 12 hours.
 * Forms carry a CSRF token derived from the session; the Origin check (hono/csrf) runs too.
 */
import type { Context } from 'hono'
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie'
import { sha256Hex } from '../http/crypto'
import type { AppEnv } from '../http/types'

const COOKIE = 'rvl_session'
export const SESSION_SECONDS = 12 * 60 * 60

export interface Session {
  keyHash: string
  issuedAt: number
}

/** The signing secret: SESSION_SECRET when set, else derived from the operator token. */
async function secretOf(c: Context<AppEnv>): Promise<string> {
  const explicit = (c.env as unknown as { SESSION_SECRET?: string }).SESSION_SECRET
  return explicit || sha256Hex(`revline-session:${c.env.ADMIN_TOKEN ?? ''}`)
}

export const dashboardPath = (slug: string) => `/~${slug}/dashboard`

export async function startSession(c: Context<AppEnv>, slug: string, keyHash: string) {
  const value = JSON.stringify({ keyHash, issuedAt: Date.now() } satisfies Session)
  await setSignedCookie(c, COOKIE, value, await secretOf(c), {
    path: dashboardPath(slug),
    httpOnly: true,
    sameSite: 'Strict',
    secure: new URL(c.req.url).protocol === 'https:',
    maxAge: SESSION_SECONDS,
  })
}

export async function readSession(c: Context<AppEnv>): Promise<Session | undefined> {
  const raw = await getSignedCookie(c, await secretOf(c), COOKIE)
  if (!raw) return undefined
  try {
    const session = JSON.parse(raw) as Session
    if (typeof session.keyHash !== 'string' || Date.now() - session.issuedAt > SESSION_SECONDS * 1000) return undefined
    return session
  } catch {
    return undefined
  }
}

export function endSession(c: Context<AppEnv>, slug: string) {
  deleteCookie(c, COOKIE, { path: dashboardPath(slug) })
}

export async function csrfToken(c: Context<AppEnv>, session: Session): Promise<string> {
  return (await sha256Hex(`${await secretOf(c)}:csrf:${session.keyHash}:${session.issuedAt}`)).slice(0, 32)
}
