/**
 * The one error taxonomy. Domain code throws `AppError(code, detail, errors?)`; the HTTP layer maps
 * codes to statuses in one place (src/http/problem.ts). Across DO RPC the error travels as a plain
 * `Failure` object so its code survives; nothing ever matches on message text.
 */
export const ERROR_CODES = [
  'bad_request',
  'invalid_query',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  /** A schema change that would lose or invalidate stored values (per-field `errors` say which rows). */
  'schema_conflict',
  'invalid_transition',
  'precondition_failed',
  'payload_too_large',
  'unsupported_media_type',
  'validation_failed',
  'rejected',
  'upgrade_required',
  'rate_limited',
  /** A fault on our side (storage refused a valid write), reported with where it happened. */
  'internal_error',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export interface FieldError {
  path: string
  message: string
  /** For a schema conflict: how many rows stand in the way, and some of the values they hold. */
  rows?: number
  values?: (string | number | boolean | null)[]
}

type Scalar = string | number | boolean | null
type Flat = { [key: string]: Scalar }
/**
 * What may travel in a failure's extension members: plain JSON two levels deep (it crosses DO RPC,
 * whose types reject `unknown`, and a recursive JSON type is too deep for them).
 */
export type Extension = Scalar | { [key: string]: Scalar | Flat[] }

export interface Failure {
  code: ErrorCode
  detail: string
  errors?: FieldError[]
  /** RFC 9457 extension members: where a multi-part write failed (`step`, `line`) and what it did before. */
  extensions?: Record<string, Extension>
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly extensions?: Record<string, Extension>,
  ) {
    super(detail)
    this.name = 'AppError'
  }

  toFailure(): Failure {
    return { code: this.code, detail: this.detail, ...(this.errors ? { errors: this.errors } : {}), ...(this.extensions ? { extensions: this.extensions } : {}) }
  }

  static fromFailure(failure: Failure): AppError {
    return new AppError(failure.code, failure.detail, failure.errors, failure.extensions)
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`)

/**
 * A failure below the domain (storage, the runtime) met on the way through `$`. A hook's own
 * `throw new Error('…')` is a refusal (422 `rejected`, DESIGN.md); a Fault is not the caller's doing,
 * so it passes hooks untouched and surfaces as a 500 whose text never reaches the client.
 */
export class Fault extends Error {
  constructor(readonly fault: unknown) {
    super(fault instanceof Error ? fault.message : String(fault))
    this.name = 'Fault'
  }
}
