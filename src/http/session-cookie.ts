/**
 * The signed-in session's cookie: a random token (only its SHA-256 is stored, in the tenant object),
 * signed, HttpOnly, SameSite=Strict, Secure except over plain http (localhost), scoped to the
 * tenant's path so a session of tenant A is never even sent to tenant B. The dashboard and `/me`
 * read it; API routes take Bearer keys only.
 */
import type { Context } from 'hono'
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie'
import { hashToken, newToken } from '../durable/accounts'
import { sha256Hex } from './crypto'
import type { AppEnv } from './types'

const COOKIE = 'rvl_session'

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

/**
 * Where the tenant's session cookie applies: `/~acme` on a shared host; the whole host on the
 * tenant's own (`acme.example.com`), whose every path is the tenant's (worker.ts rewrites it to
 * `/~acme`, but the browser only ever sees the host's own paths).
 */
function tenantCookiePath(c: Context<AppEnv>, slug: string): string {
  return onTenantHost(c, slug) ? '/' : `/~${slug}`
}

function onTenantHost(c: Context<AppEnv>, slug: string): boolean {
  const base = String((c.env as unknown as { BASE_HOST?: string }).BASE_HOST ?? '')
  return base !== '' && new URL(c.req.url).hostname.toLowerCase() === `${slug}.${base.split(':')[0]}`
}

/** A new session token (the same 256-bit tokens as sign-in links) and its hash: the tenant object stores only the hash. */
export function newSessionToken(): Session {
  const token = newToken()
  return { token, hash: hashToken(token) }
}

export async function setSessionCookie(c: Context<AppEnv>, slug: string, session: Session, maxAgeSeconds: number) {
  await setSignedCookie(c, COOKIE, session.token, await signingSecret(c), {
    path: tenantCookiePath(c, slug),
    httpOnly: true,
    sameSite: 'Strict',
    secure: new URL(c.req.url).protocol === 'https:',
    maxAge: maxAgeSeconds,
  })
}

/** The session the cookie names, if its signature holds; whether it is still live is the tenant object's to say. */
export async function readSessionCookie(c: Context<AppEnv>): Promise<Session | undefined> {
  const token = await getSignedCookie(c, await signingSecret(c), COOKIE)
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined
  return { token, hash: await sha256Hex(token) }
}

export function dropSessionCookie(c: Context<AppEnv>, slug: string) {
  deleteCookie(c, COOKIE, { path: tenantCookiePath(c, slug) })
}

/** The CSRF token of a session's forms and cookie-authenticated writes: derived from its token, so it needs no storage. */
export async function csrfToken(c: Context<AppEnv>, session: Session): Promise<string> {
  return (await sha256Hex(`${await signingSecret(c)}:csrf:${session.token}`)).slice(0, 32)
}

/** The tenant's base URL as this request reached it: `https://acme.example.com` (host form) or `http://localhost:8787/~acme`. */
export function tenantBaseUrl(c: Context<AppEnv>, slug: string): string {
  const url = new URL(c.req.url)
  return onTenantHost(c, slug) ? url.origin : `${url.origin}/~${slug}`
}
