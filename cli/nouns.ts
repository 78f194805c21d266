/** `field=value` pairs typed by the DSL of the fields they name (from the manifest or the tenant's `/nouns`). */
import { UsageError } from './context'
import { readField } from './dsl'

/** The DSL type of a field (`number!`, `number#`, `string[]`, `-> Contact`, `New | Lost`, `int = 3`) → its base kind. */
function kindOf(dsl: string): { kind: 'string' | 'number' | 'boolean' | 'json'; list: boolean } {
  const field = readField(dsl)
  if (!field) return { kind: 'string', list: false }
  if (field.kind !== 'scalar') return { kind: 'string', list: field.list }
  if (field.type === 'number' || field.type === 'int') return { kind: 'number', list: field.list }
  if (field.type === 'boolean' || field.type === 'json') return { kind: field.type, list: field.list }
  return { kind: 'string', list: field.list }
}

function coerce(field: string, raw: string, dsl: string | undefined): unknown {
  if (raw === 'null') return null
  if (!dsl) return raw
  const { kind, list } = kindOf(dsl)
  if (list) {
    if (raw.trim().startsWith('[')) return parseJson(field, raw)
    // Each item is read as the list's item type ('number' for 'number[]'), which is also a DSL string.
    return raw === '' ? [] : raw.split(',').map((value) => coerce(field, value.trim(), kind))
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
