/** Collection names as users type them, and `field=value` pairs typed by the noun's fields. */
import { MANIFEST, type NounName } from '../sdk'
import { UsageError } from './context'

const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '')

/** `contacts`, `Contact`, `contact`, `lead-scores`, `LeadScore` → the noun. */
export function nounOf(name: string): NounName {
  const wanted = norm(name)
  for (const [noun, spec] of Object.entries(MANIFEST)) if ([norm(noun), norm(spec.plural)].includes(wanted)) return noun as NounName
  throw new UsageError(`unknown collection '${name}'`, `collections: ${Object.values(MANIFEST).map((s) => s.plural).join(', ')}`)
}

/** The DSL type of a field (`number!`, `string[]`, `-> Contact`, `New | Lost`) → its base kind. */
function kindOf(dsl: string): { kind: 'string' | 'number' | 'boolean' | 'json'; list: boolean } {
  const list = dsl.endsWith('[]')
  const core = dsl.replace(/\[\]$/, '').replace(/!$/, '').trim()
  if (core === 'number' || core === 'int') return { kind: 'number', list }
  if (core === 'boolean') return { kind: 'boolean', list }
  if (core === 'json') return { kind: 'json', list }
  return { kind: 'string', list }
}

function coerce(field: string, raw: string, dsl: string | undefined): unknown {
  if (raw === 'null') return null
  if (!dsl) return raw
  const { kind, list } = kindOf(dsl)
  if (list) {
    if (raw.trim().startsWith('[')) return parseJson(field, raw)
    return raw === '' ? [] : raw.split(',').map((item) => coerce(field, item.trim(), dsl.replace(/\[\]$/, '')))
  }
  switch (kind) {
    case 'number': {
      const n = Number(raw.replace(/_/g, ''))
      if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${field} must be a number, got '${raw}'`)
      return n
    }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw new UsageError(`${field} must be true or false, got '${raw}'`)
      return raw === 'true'
    case 'json':
      return parseJson(field, raw)
    default:
      return raw
  }
}

function parseJson(field: string, raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch {
    throw new UsageError(`${field} must be JSON, got '${raw}'`)
  }
}

/**
 * `name=Alice value=48000 tags=a,b consent:=true` → an object, each value typed by the field it names
 * (`field:=<json>` passes raw JSON). `fields` maps names to their DSL types.
 */
export function pairsToObject(pairs: readonly string[], fields: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const pair of pairs) {
    const match = /^([$A-Za-z][A-Za-z0-9.$]*)(:?=)(.*)$/s.exec(pair)
    if (!match) throw new UsageError(`expected field=value, got '${pair}'`)
    const [, field, op, raw] = match
    out[field!] = op === ':=' ? parseJson(field!, raw!) : coerce(field!, raw!, fields[field!])
  }
  return out
}

export const fieldsOf = (noun: NounName): Readonly<Record<string, string>> => MANIFEST[noun].fields
