/** Human output: aligned tables, money, short cells. */

export interface Column {
  header: string
  align?: 'left' | 'right'
}

const MAX_CELL = 40

/** Plain text cells; anything else through `cell`. */
export function cell(value: unknown, max = MAX_CELL): string {
  let text: string
  if (value === undefined || value === null) text = ''
  else if (typeof value === 'string') text = value
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value)
  else if (Array.isArray(value)) text = value.length === 0 ? '[]' : value.map((v) => (isEntity(v) ? label(v) : cell(v, max))).join(', ')
  else if (isEntity(value)) text = label(value)
  else text = JSON.stringify(value)
  text = text.replace(/\s+/g, ' ')
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

export function isEntity(value: unknown): value is Record<string, unknown> & { $id: string } {
  return typeof value === 'object' && value !== null && typeof (value as { $id?: unknown }).$id === 'string'
}

/** `Alice Chen (contact_fX9bL5nRd)` */
export function label(entity: Record<string, unknown> & { $id: string }): string {
  const name = entity.name ?? entity.title ?? entity.subject
  return typeof name === 'string' && name ? `${name} (${entity.$id})` : entity.$id
}

const width = (s: string) => [...s].length

export function table(columns: (Column | string)[], rows: unknown[][], maxCell = MAX_CELL): string {
  const cols = columns.map((c) => (typeof c === 'string' ? { header: c } : c))
  const cells = rows.map((row) => cols.map((_, i) => cell(row[i], maxCell)))
  const widths = cols.map((c, i) => Math.max(width(c.header), ...cells.map((r) => width(r[i]!))))
  const pad = (text: string, i: number) => {
    const gap = ' '.repeat(widths[i]! - width(text))
    return cols[i]!.align === 'right' ? gap + text : text + gap
  }
  const line = (parts: string[]) => parts.map(pad).join('  ').trimEnd()
  return [line(cols.map((c) => c.header)), line(widths.map((w) => '─'.repeat(w))), ...cells.map(line)].join('\n')
}

/** Key/value lines for one record. */
export function record(entries: [string, unknown][], max = 80): string {
  const keyWidth = Math.max(...entries.map(([k]) => width(k)))
  return entries.map(([k, v]) => `${k.padEnd(keyWidth)}  ${cell(v, max)}`).join('\n')
}

const currency = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' })
/** An amount in major units (as every API amount is) → `$48,000.00`. */
export const money = (amount: number) => currency.format(amount)

export const percent = (n: number) => `${Math.round(n * 10) / 10}%`

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`
