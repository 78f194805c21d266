/**
 * What every dashboard page and form post does first: find the session, ask the tenant object who
 * it is (`me`: a user, their role), and run operations as that user. A page answers a session that
 * ended with the sign-in page; a form post checks its CSRF token, then (admin forms) the role, then
 * runs and answers 303 with a flash: what it did, or why it could not.
 */
import type { Context } from 'hono'
import { AppError } from '../domain/errors'
import type { EntityRecord, UserRole } from '../domain/engine/types'
import type { Credentials, Operation, Outcome } from '../durable/operations'
import { readForm } from '../http/body'
import { tenantBaseUrl } from '../http/session-cookie'
import { tenantSlug, valueOf } from '../http/tenant'
import type { AppEnv } from '../http/types'
import { setFlash, type Flash } from './flash'
import type { LiveFeed } from './live'
import { csrfToken, endSession, readSession, type Session } from './session'
import { ProblemPage } from './shell'
import type { Me, SignedIn } from './signed-in'

export type { Me, SignedIn }

type Ctx = Context<AppEnv>
export type Form = Record<string, string>

/** Runs one operation in the tenant object as the session's user. */
export async function run<T>(c: Ctx, s: { slug: string; session: Session }, op: Operation): Promise<T> {
  const credentials: Credentials = { sessionHash: s.session.hash, requestId: c.get('requestId'), baseUrl: tenantBaseUrl(c, s.slug) }
  return valueOf<T>((await c.env.TENANT.getByName(s.slug).call(credentials, op)) as Outcome<T>)
}

/** A live page's feed: the log's head, read before the page's own reads so nothing committed between them is missed. */
export async function liveFeed(c: Ctx, s: SignedIn, types: string[]): Promise<LiveFeed> {
  const { seq } = await run<{ seq: number }>(c, s, { kind: 'events.head' })
  return { after: seq, types }
}

/** A list operation from query parameters, parsed in the tenant object against its own nouns. */
export const listOp = (noun: string, params: Record<string, string>): Operation => ({ kind: 'list', noun, params: Object.entries(params) })

export const toSignIn = (c: Ctx, slug: string) => c.redirect(`/~${slug}/dashboard/login`, 303)

/** The session is over (signed out, expired, user deactivated, tenant suspended): drop the cookie, back to sign-in. */
export async function signedOut(c: Ctx, slug: string) {
  await endSession(c, slug)
  return toSignIn(c, slug)
}

/** The signed-in user, or the answer that sends the browser to sign in. */
export async function signedIn(c: Ctx): Promise<SignedIn | Response> {
  const slug = tenantSlug(c)
  const session = await readSession(c)
  if (!session) return toSignIn(c, slug)
  let who: { user: EntityRecord | null; role: 'admin' | 'member' }
  try {
    who = await run(c, { slug, session }, { kind: 'me' })
  } catch (error) {
    if (error instanceof AppError && ['unauthorized', 'forbidden', 'not_found'].includes(error.code)) return signedOut(c, slug)
    throw error
  }
  if (!who.user) return signedOut(c, slug)
  const user = who.user
  const me: Me = {
    id: user.$id,
    name: String(user.name),
    email: String(user.email),
    role: who.role,
    userRole: user.role as UserRole,
    contact: typeof user.contact === 'string' ? user.contact : null,
  }
  return { slug, session, me, csrf: await csrfToken(c, session), nonce: c.get('secureHeadersNonce') }
}

export const forbiddenPage = (c: Ctx, s: SignedIn) =>
  c.html(<ProblemPage s={s} title="Not allowed" text="Only admins of this team may open this page. Ask an admin if you need something changed here." />, 403)

/**
 * A page that needs a session. A session that ends on the way is sent to sign in; what the user
 * may not see is a 403 page, a record that is not there a 404 page.
 */
export function page(handler: (c: Ctx, s: SignedIn) => Promise<Response>, options: { admin?: boolean } = {}) {
  return async (c: Ctx) => {
    const s = await signedIn(c)
    if (s instanceof Response) return s
    if (options.admin && s.me.role !== 'admin') return forbiddenPage(c, s)
    try {
      return await handler(c, s)
    } catch (error) {
      if (!(error instanceof AppError)) throw error
      if (error.code === 'unauthorized') return signedOut(c, s.slug)
      if (error.code === 'forbidden') return forbiddenPage(c, s)
      // Not the error's detail: it would echo whatever id the address named.
      if (error.code === 'not_found') return c.html(<ProblemPage s={s} title="Not found" text="That record does not exist (any more), or it is not on this team." />, 404)
      throw error
    }
  }
}

export interface Done {
  /** Where to go (under /dashboard/) when it is not the form's own page. */
  to?: string
  flash: Flash
}

/**
 * A form post: session, CSRF token (403 without it), role for admin forms (a 403 page, before the
 * form's fields are looked at), then the handler; 303 to `back` (or the handler's `to`) with a flash.
 */
export function action(back: (c: Ctx, form: Form) => string, handler: (c: Ctx, s: SignedIn, form: Form) => Promise<Done>, options: { admin?: boolean } = {}) {
  return async (c: Ctx) => {
    const s = await signedIn(c)
    if (s instanceof Response) return s
    const form = await readForm(c)
    if (form.csrf !== s.csrf) throw new AppError('forbidden', 'the form has expired; reload the page and try again')
    if (options.admin && s.me.role !== 'admin') return forbiddenPage(c, s)
    const to = back(c, form)
    try {
      const done = await handler(c, s, form)
      return flashTo(c, s.slug, done.to ?? to, done.flash)
    } catch (error) {
      if (!(error instanceof AppError)) throw error
      if (error.code === 'unauthorized') return signedOut(c, s.slug)
      return flashTo(c, s.slug, to, { kind: 'error', text: describeError(error) })
    }
  }
}

export async function flashTo(c: Ctx, slug: string, to: string, flash: Flash) {
  await setFlash(c, slug, flash)
  return c.redirect(`/~${slug}/dashboard/${to}`, 303)
}

/** A refusal as a sentence for a person: its detail, and the fields it names. */
export function describeError(error: AppError): string {
  const fields = error.errors?.length ? `: ${error.errors.map((e) => `${e.path} ${e.message}`).join('; ')}` : ''
  return sentence(`${error.detail}${fields}`)
}

const sentence = (text: string) => {
  const capital = `${text.charAt(0).toUpperCase()}${text.slice(1)}`
  return /[.!?]$/.test(capital) ? capital : `${capital}.`
}

/** A form field's text, trimmed ('' when absent). */
export const field = (form: Form, name: string) => (typeof form[name] === 'string' ? form[name].trim() : '')
