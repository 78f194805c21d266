import { AppError } from '../errors'
import type { NounSchema } from '../noun/noun'
import { own } from '../own'

/**
 * Is `from → to` allowed on this enum field? With a declared machine, only the moves it lists
 * (states missing from it are terminal); without one, anything but a verb that would not move.
 */
export function checkTransition(noun: NounSchema, field: string, from: unknown, to: unknown, verb: string, verbFrom?: readonly string[]) {
  const fromState = typeof from === 'string' ? from : ''
  const machine = own(noun.machines, field)
  if (verbFrom) {
    if (verbFrom.includes(fromState)) return
    throw new AppError('invalid_transition', `${noun.name} cannot ${verb} from ${fromState || '(unset)'}`, [
      { path: field, message: `${verb} needs ${field} to be one of ${verbFrom.map((s) => s || '(unset)').join(', ')}` },
    ])
  }
  if (fromState === to) {
    if (verb === 'update') return
    throw new AppError('invalid_transition', `${noun.name} ${field} is already ${String(to)}`)
  }
  if (!machine) return
  const allowed = own(machine, fromState) ?? []
  if (!allowed.includes(String(to)))
    throw new AppError(
      'invalid_transition',
      `${noun.name} cannot ${verb === 'update' ? `change ${field}` : verb} from ${fromState || '(unset)'} to ${String(to)}`,
      [{ path: field, message: allowed.length ? `allowed next: ${allowed.join(', ')}` : `${fromState} is terminal` }],
    )
}
