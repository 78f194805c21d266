/**
 * Several verbs as one action (MCP `do` with `steps`): later steps may name earlier results
 * ("$0.$id", "$2.deal") anywhere in their id or data. The caller runs `runSteps` inside one
 * transaction, so the steps are all or nothing: a failure names its step and nothing is written.
 *
 *   runSteps(engine, [{ type: 'Contact', verb: 'create', data: { name: 'Ada' } }, { type: 'Contact', verb: 'qualify', id: '$0.$id' }])
 */
import { authorizeVerb } from '../access'
import { AppError } from '../errors'
import { own } from '../own'
import type { NounSchema } from '../noun/noun'
import { runVerb, type VerbCall } from './run-verb'
import type { NounRegistry } from '../noun/registry'
import type { EngineContext } from './context'
import type { EntityRecord } from './types'

export interface Step {
  /** A noun's name or plural: `Contact`, `contacts`. */
  type: string
  verb: string
  /** The entity, for instance verbs. */
  id?: unknown
  /** Fields for create/update, the verb's input otherwise. */
  data?: unknown
}

const REFERENCE = /^\$(\d+)\.([\w$.]+)$/
/** Names that lead out of a result into the prototype chain: never followed. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype'])

/** A step's noun by name or plural, as the single-verb form finds it. */
export function nounOfType(nouns: NounRegistry, type: string): NounSchema {
  const noun = nouns.byName(type) ?? nouns.all().find((n) => n.plural === type.toLowerCase())
  if (!noun) throw new AppError('not_found', `no type '${type}'; types: ${nouns.all().map((n) => n.name).join(', ')}`)
  return noun
}

/** The verb call a step asks for: its noun, verb and id checked exactly as for a single verb. */
export function verbCallOf(nouns: NounRegistry, step: Step): VerbCall {
  const noun = nounOfType(nouns, step.type)
  const verb = own(noun.verbs, step.verb)
  if (!verb) throw new AppError('not_found', `${noun.name} has no verb '${step.verb}'; verbs: ${Object.keys(noun.verbs).join(', ')}`)
  if (verb.scope === 'collection') return { noun, verb: verb.verb, input: step.data ?? {} }
  if (step.id === undefined || step.id === '') throw new AppError('validation_failed', `${noun.name}.${verb.verb} needs an id`, [{ path: 'id', message: 'is required' }])
  if (typeof step.id !== 'string') throw new AppError('validation_failed', `${noun.name}.${verb.verb} needs an id`, [{ path: 'id', message: 'must be a string' }])
  return { noun, verb: verb.verb, id: step.id, input: step.data ?? {} }
}

/** Runs every step in order with the actor's rights checked per step; the caller holds the transaction. */
export function runSteps(ctx: EngineContext, steps: readonly Step[]): EntityRecord[] {
  const results: EntityRecord[] = []
  steps.forEach((raw, index) => {
    try {
      const step: Step = { type: raw.type, verb: raw.verb, id: resolveReferences(raw.id, results, 'id'), data: resolveReferences(raw.data, results, 'data') }
      const call = verbCallOf(ctx.nouns, step)
      authorizeVerb(ctx.actor, call.noun, call.verb)
      results.push(runVerb(ctx, call).entity)
    } catch (error) {
      throw stepFailure(index, error)
    }
  })
  return results
}

/** The step's own problem, marked with its index (`extensions.step`); a fault of ours is logged and named as one. */
function stepFailure(step: number, error: unknown): AppError {
  if (error instanceof AppError) return new AppError(error.code, error.detail, error.errors, { ...error.extensions, step })
  console.error(`steps: step ${step} failed`, error)
  return new AppError('internal_error', `step ${step} failed on our side`, undefined, { step })
}

/**
 * Replaces every "$<index>.<path>" string in `value` with that earlier result's field. Only the
 * result's own fields are followed; `__proto__`, `constructor` and `prototype` are refused.
 */
export function resolveReferences(value: unknown, results: readonly unknown[], path: string): unknown {
  if (typeof value === 'string') {
    const match = REFERENCE.exec(value)
    if (!match) return value
    const refuse = (message: string) => new AppError('validation_failed', `${value}: ${message}`, [{ path, message }])
    const index = Number(match[1])
    if (index >= results.length) throw refuse(`refers to step ${index}, which has not run yet`)
    let current: unknown = results[index]
    for (const part of match[2]!.split('.')) {
      if (FORBIDDEN.has(part)) throw refuse(`may not name '${part}'`)
      current = current !== null && typeof current === 'object' && Object.hasOwn(current, part) ? (current as Record<string, unknown>)[part] : undefined
    }
    if (current === undefined) throw refuse(`step ${index}'s result has no ${match[2]}`)
    return current
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveReferences(v, results, `${path}.${i}`))
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveReferences(v, results, `${path}.${k}`)]))
  return value
}
