import { AppError, type Failure } from '../domain/errors'

/**
 * Errors → data for the trip across RPC. Known errors keep their code; anything else is a real
 * fault and is rethrown, so it surfaces as a 500 and in the logs rather than as a guess.
 */
export function failureOf(error: unknown): Failure {
  if (error instanceof AppError) return error.toFailure()
  throw error
}
