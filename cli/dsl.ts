/**
 * The Noun DSL as the CLI reads it (the server's grammar is src/domain/noun/grammar.ts; the CLI is a
 * client and does not import it, so test/e2e/sdk-manifest.e2e.test.ts checks that both read every
 * built-in field alike).
 *
 *   'string!'  'number#'  'string##'  'string[]'  'int = 3'  'New | Lost'  '-> Contact.leads'
 *   '<- Lead.contact[]' (a reverse list)   'Converted' (a verb)   null (a CRUD verb switched off)
 */

export type FieldDsl =
  | { kind: 'scalar'; type: string; required: boolean; list: boolean; hasDefault: boolean }
  | { kind: 'enum'; values: string[]; required: boolean; list: boolean; hasDefault: boolean }
  | { kind: 'relation'; target: string; required: boolean; list: boolean; hasDefault: boolean }

/** A definition value that declares a verb: one PascalCase word (its target state). */
export const isVerbDsl = (value: string | null): boolean => value !== null && /^[A-Z][A-Za-z0-9]*$/.test(value.trim())
export const isReverseDsl = (value: string | null) => value !== null && value.trim().startsWith('<-')

/** A stored field's DSL, or undefined for verbs, reverse lists, CRUD switches and what does not parse. */
export function readField(source: string | null): FieldDsl | undefined {
  if (source === null || isVerbDsl(source) || isReverseDsl(source)) return undefined
  const text = source.trim()
  const eq = text.indexOf('=')
  const body = eq >= 0 ? text.slice(0, eq).trim() : text
  const match = /^(.*?)(!|\?)?(##|#)?(\[\])?$/s.exec(body)
  if (!match) return undefined
  const core = match[1]!.trim()
  const base = { required: match[2] === '!', list: match[4] === '[]', hasDefault: eq >= 0 }
  if (core.startsWith('->')) {
    const relation = /^->\s*([A-Z][A-Za-z0-9]*)(?:\.[A-Za-z][A-Za-z0-9]*)?$/.exec(core)
    return relation ? { kind: 'relation', target: relation[1]!, ...base } : undefined
  }
  if (core.includes('|')) return { kind: 'enum', values: core.split('|').map((v) => v.trim()), ...base }
  return /^[a-z]+$/.test(core) ? { kind: 'scalar', type: core, ...base } : undefined
}

/** The stored fields of a definition, in declaration order: name → DSL string. */
export function storedFields(definition: Readonly<Record<string, string | null>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, dsl] of Object.entries(definition)) if (dsl !== null && readField(dsl)) out[name] = dsl
  return out
}

/** The verbs a definition declares (`activate: 'Active'` → activate). */
export const declaredVerbs = (definition: Readonly<Record<string, string | null>>) => Object.keys(definition).filter((k) => isVerbDsl(definition[k] ?? null))
