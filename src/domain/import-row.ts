/**
 * Turning one imported row into `create` input: CSV cells are text, so each is read as its field's
 * type (numbers, booleans, lists as `a;b` or JSON, json as JSON); empty cells are left out.
 * Columns that are not fields stay in, so validation names them.
 */
import type { StoredField } from './noun/grammar'
import type { NounSchema } from './noun/noun'

export function coerceRow(noun: NounSchema, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(row)) {
    if (value === '' || value === null || value === undefined) continue
    const field = noun.fields[key]
    out[key] = field && typeof value === 'string' ? coerceCell(field, value) : value
  }
  return out
}

function coerceCell(field: StoredField, cell: string): unknown {
  const text = cell.trim()
  if (field.list) {
    if (text.startsWith('[')) return parseJson(text)
    return text.split(';').map((part) => coerceCell({ ...field, list: false }, part))
  }
  if (field.kind !== 'scalar') return text
  switch (field.type) {
    case 'number':
    case 'int':
      return text !== '' && !Number.isNaN(Number(text)) ? Number(text) : cell
    case 'boolean':
      return /^(true|yes|1)$/i.test(text) ? true : /^(false|no|0)$/i.test(text) ? false : cell
    case 'json':
      return parseJson(text)
    default:
      return cell
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
