/**
 * Signing in and out of the dashboard:
 *   GET  /dashboard/login    the sign-in page (email; the passkey button's place)
 *   POST /dashboard/login    asks the tenant object for a sign-in link (`requestSignIn`, as
 *                            POST /auth/email does): the same answer for every address; 303 back
 *                            with it. No session yet, so no CSRF token: the Origin check guards it.
 *   POST /dashboard/logout   ends the session in the tenant object and drops the cookie.
 * Following the emailed link is src/dashboard/sign-in.tsx.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { AppError } from '../domain/errors'
import type { Outcome } from '../durable/operations'
import { readForm } from '../http/body'
import { clientHash } from '../http/routes/public'
import { SIGN_IN_ANSWER } from '../http/routes/sign-in'
import { tenantBaseUrl } from '../http/session-cookie'
import { tenantSlug, valueOf } from '../http/tenant'
import type { AppEnv } from '../http/types'
import { takeFlash } from './flash'
import { LoginPage } from './login'
import { flashTo, toSignIn } from './request'
import { csrfToken, endSession, readSession } from './session'

export const authRoutes = new Hono<AppEnv>()

const Email = z.string().trim().email().max(254)

authRoutes.get('/dashboard/login', async (c) => {
  const slug = tenantSlug(c)
  const flash = await takeFlash(c, slug)
  return c.html(<LoginPage tenant={slug} notices={flash ? [flash] : []} nonce={c.get('secureHeadersNonce')} />)
})

authRoutes.post('/dashboard/login', async (c) => {
  const slug = tenantSlug(c)
  const form = await readForm(c)
  const email = Email.safeParse(form.email ?? '')
  if (!email.success) return flashTo(c, slug, 'login', { kind: 'error', text: 'Enter the email address you were invited with.' })
  try {
    const outcome = await c.env.TENANT.getByName(slug).requestSignIn({ email: email.data, clientHash: await clientHash(c, slug), requestId: c.get('requestId'), baseUrl: tenantBaseUrl(c, slug) })
    const answer = valueOf<{ retryAfter?: number }>(outcome as Outcome)
    if (answer.retryAfter) return flashTo(c, slug, 'login', { kind: 'error', text: `Too many sign-in requests. Try again in ${answer.retryAfter} seconds.` })
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return flashTo(c, slug, 'login', { kind: 'error', text: 'There is no team at this address.' })
    throw error
  }
  return flashTo(c, slug, 'login', { kind: 'ok', text: `Check your email. ${SIGN_IN_ANSWER.detail}` })
})

authRoutes.post('/dashboard/logout', async (c) => {
  const slug = tenantSlug(c)
  const session = await readSession(c)
  if (!session) return toSignIn(c, slug)
  const form = await readForm(c)
  if (form.csrf !== (await csrfToken(c, session))) throw new AppError('forbidden', 'the form has expired; reload the page and try again')
  await endSession(c, slug, session)
  return flashTo(c, slug, 'login', { kind: 'ok', text: 'You are signed out.' })
})
