/**
 * Turning one imported row into `create` input: CSV cells are text, so each is read as its field's
 * type (numbers, booleans, lists as `a;b` or JSON, json as JSON); empty cells are left out.
 * Columns that are not fields stay in, so validation names them.
 */
import { decimalNumber, parseJsonText } from './json-text'
import type { StoredField } from './noun/grammar'
import type { NounSchema } from './noun/noun'
import { own } from './own'

export function coerceRow(noun: NounSchema, row: Record<string, unknown>): Record<string, unknown> {
  // fromEntries makes own properties: a `__proto__` column stays a column, refused by validation.
  return Object.fromEntries(
    Object.entries(row)
      .filter(([, value]) => value !== '' && value !== null && value !== undefined)
      .map(([key, value]) => {
        const field = own(noun.fields, key)
        return [key, field && typeof value === 'string' ? coerceCell(field, value) : value]
      }),
  )
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
      return decimalNumber(text) ?? cell
    case 'boolean':
      return /^(true|yes|1)$/i.test(text) ? true : /^(false|no|0)$/i.test(text) ? false : cell
    case 'json':
      return parseJson(text)
    default:
      return cell
  }
}

/** A JSON cell through the one JSON door; a cell it refuses stays text, so validation names the field. */
function parseJson(text: string): unknown {
  try {
    return parseJsonText(text, { what: 'the cell' })
  } catch {
    return text
  }
}
