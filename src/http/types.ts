import type { Credentials, Operation } from '../durable/operations'

/** What the tenant middleware puts on the context: the slug and a way to run an operation. */
export interface TenantClient {
  slug: string
  /** The request's Idempotency-Key, if any (imports derive one key per batch from it). */
  idempotencyKey: string | undefined
  /** `idempotency` overrides the request's (null: none), for calls that are parts of one request. */
  run<T = unknown>(op: Operation, options?: { idempotency?: Credentials['idempotency'] | null }): Promise<T>
}

export interface AppEnv {
  Bindings: Env
  Variables: {
    requestId: string
    tenant: TenantClient
    /** Set when the answer is an Idempotency-Key replay. */
    replayed?: boolean
    /** The request body decoded once (src/http/body.ts), shared by the idempotency hash and the parse. */
    bodyText?: Promise<string>
  }
}
