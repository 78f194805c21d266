/**
 * `POST /~t/auth/email { email }` (public): asks for a sign-in link. The answer is the same 202 for
 * every address, known or not, so nobody learns who is on the team; a link (single use, 15 minutes)
 * is emailed only to a user who may sign in. Floods get 429 per client and per address.
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { z } from 'zod'
import { AppError } from '../../domain/errors'
import { toFieldErrors } from '../../domain/noun/validators'
import type { Outcome } from '../../durable/operations'
import { readJsonObject } from '../body'
import { problemResponse } from '../problem'
import { refuseOtherMethods } from '../allow'
import { tenantBaseUrl } from '../session-cookie'
import { valueOf } from '../tenant'
import type { AppEnv } from '../types'
import { clientHash, slugOf } from './public'

export const signInRoutes = new Hono<AppEnv>()

const SignInRequest = z.strictObject({ email: z.string().trim().email().max(254) })

export const SIGN_IN_ANSWER = { status: 'sent', detail: 'If this address belongs to a user of this team, a sign-in link is on its way. It works once, within 15 minutes.' }

signInRoutes.post(
  '/auth/email',
  bodyLimit({
    maxSize: 4096,
    onError: () => {
      throw new AppError('payload_too_large', 'sign-in requests are limited to 4 KB')
    },
  }),
  async (c) => {
    const slug = slugOf(c)
    const parsed = SignInRequest.safeParse(await readJsonObject(c))
    if (!parsed.success) throw new AppError('validation_failed', 'the request is not valid', toFieldErrors(parsed.error))
    const answer = valueOf<{ retryAfter?: number }>(
      (await c.env.TENANT.getByName(slug).requestSignIn({ email: parsed.data.email, clientHash: await clientHash(c, slug), requestId: c.get('requestId'), baseUrl: tenantBaseUrl(c, slug) })) as Outcome,
    )
    if (answer.retryAfter)
      return problemResponse({ code: 'rate_limited', detail: `too many sign-in requests; try again in ${answer.retryAfter} seconds` }, { 'retry-after': String(answer.retryAfter) })
    return c.json(SIGN_IN_ANSWER, 202)
  },
)

refuseOtherMethods(signInRoutes, ['/auth/email'])
