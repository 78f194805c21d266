/**
 * A person's rights over their data: `POST /contacts/{id}/forget` (GDPR art. 17, admins) erases the
 * person's personal data from every read and destroys the keys that sealed it in the log
 * (src/durable/forget-ops.ts). Beside the collections, before their `/{collection}/{id}/{verb}`.
 */
import { Hono } from 'hono'
import type { AppEnv } from '../types'

export const privacy = new Hono<AppEnv>()

// It takes no body and no parameters: nothing a caller sends can widen or narrow an erasure.
privacy.post('/contacts/:id/forget', async (c) => {
  return c.json(await c.var.tenant.run({ kind: 'contacts.forget', id: c.req.param('id') }))
})
