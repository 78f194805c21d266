import { Noun } from '../noun/noun'

/**
 * A tenant's pipeline stages (seed 003): name, order, win probability, colour, autoNurture and an
 * SLA. `kind` marks the closing stages a deal's win/lose verbs move to. Writes are admin-only.
 */
export const Stage = Noun(
  'Stage',
  {
    name: 'string!##',
    order: 'int!#',
    probability: 'number = 0',
    colour: 'string = #64748b',
    autoNurture: 'boolean = false',
    slaDays: 'int',
    kind: 'Open | Won | Lost = Open',
    status: 'Active | Retired = Active',
    retire: 'Retired',
    reinstate: 'Active',
  },
  {
    adminOnly: true,
    constraints: { probability: { min: 0, max: 100 }, order: { min: 0, max: 1_000_000 }, slaDays: { min: 0, max: 3650 } },
    verbs: { reinstate: { from: ['Retired'] } },
  },
)
