import type { Operation } from '../durable/operations'

/** What the tenant middleware puts on the context: the slug and a way to run an operation. */
export interface TenantClient {
  slug: string
  /** Whether this request carries an Idempotency-Key (imports check for a replay before streaming). */
  idempotent: boolean
  run<T = unknown>(op: Operation): Promise<T>
}

export interface AppEnv {
  Bindings: Env
  Variables: {
    requestId: string
    tenant: TenantClient
    /** Set when the answer is an Idempotency-Key replay. */
    replayed?: boolean
  }
}
