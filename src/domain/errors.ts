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
  'invalid_transition',
  'precondition_failed',
  'payload_too_large',
  'unsupported_media_type',
  'validation_failed',
  'rejected',
  'rate_limited',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export interface FieldError {
  path: string
  message: string
}

export interface Failure {
  code: ErrorCode
  detail: string
  errors?: FieldError[]
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors?: FieldError[],
  ) {
    super(detail)
    this.name = 'AppError'
  }

  toFailure(): Failure {
    return this.errors ? { code: this.code, detail: this.detail, errors: this.errors } : { code: this.code, detail: this.detail }
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`)
