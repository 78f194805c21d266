import { AppError, type Failure } from '../domain/errors'
import type { Outcome } from './operations'

/**
 * Errors → data for the trip across RPC. Known errors keep their code; anything else is a real
 * fault and is rethrown, so it surfaces as a 500 and in the logs rather than as a guess.
 */
export function failureOf(error: unknown): Failure {
  if (error instanceof AppError) return error.toFailure()
  throw error
}

/** Runs `fn`, its value or its failure as an Outcome (an unexpected error still throws). */
export function outcomeOf<T>(fn: () => T): Outcome<T> {
  try {
    return { ok: true, value: fn() }
  } catch (error) {
    return { ok: false, failure: failureOf(error) }
  }
}

/** `outcomeOf` for async work. */
export async function asyncOutcomeOf<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() }
  } catch (error) {
    return { ok: false, failure: failureOf(error) }
  }
}
