import type { TenantClient } from '../durable/tenant-client'

export interface AppEnv {
  Bindings: Env
  Variables: {
    requestId: string
    tenant: TenantClient
    /** Set when the answer is an Idempotency-Key replay. */
    replayed?: boolean
    /** The dashboard's CSP nonce (hono/secure-headers). */
    secureHeadersNonce?: string
    /** The request body decoded once (src/http/body.ts), shared by the idempotency hash and the parse. */
    bodyText?: Promise<string>
  }
}
