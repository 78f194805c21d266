/**
 * Builds the SDK's manifest (sdk/manifest.ts) from the server's noun schemas. The SDK cannot import
 * server code at runtime, so it carries this small table; `sdk-manifest.e2e.test.ts` checks that it
 * still matches the nouns, and `npx tsx test/e2e/sdk-manifest.ts` prints a fresh one.
 */
import type { StoredField } from '../../src/domain/noun/grammar'
import { apiVerbs } from '../../src/domain/noun/noun'
import { NOUNS } from '../../src/domain/nouns'

export function dslOf(field: StoredField): string {
  const required = field.required ? '!' : ''
  const list = field.list ? '[]' : ''
  if (field.kind === 'relation') return `-> ${field.target}${required}${list}`
  if (field.kind === 'enum') return `${field.values.join(' | ')}${required}${list}`
  return `${field.type}${required}${list}`
}

export function manifestFromSchema() {
  const out: Record<string, unknown> = {}
  for (const [name, handle] of Object.entries(NOUNS)) {
    const schema = handle.schema
    const verbs: Record<string, unknown> = {}
    const crud: Record<string, boolean> = {}
    // Past tenses are events a client can follow (`Deal.won(fn)`); gerunds run in the server's transaction.
    const hooks = { after: [] as string[], before: [] as string[] }
    for (const verb of Object.values(schema.verbs)) {
      hooks.after.push(verb.past)
      hooks.before.push(verb.gerund)
      if (verb.kind === 'custom')
        verbs[verb.verb] = { scope: verb.scope, input: Object.fromEntries(Object.values(verb.input).map((f) => [f.name, dslOf(f)])) }
    }
    // What callers may do: none of it for nouns only the system writes (lead scores).
    for (const kind of ['create', 'update', 'delete'] as const) crud[kind] = kind in apiVerbs(schema)
    out[name] = {
      plural: schema.plural,
      idPrefix: schema.idPrefix,
      crud,
      fields: Object.fromEntries(Object.values(schema.fields).map((f) => [f.name, dslOf(f)])),
      relations: Object.fromEntries(Object.values(schema.fields).flatMap((f) => (f.kind === 'relation' ? [[f.name, f.target]] : []))),
      reverse: Object.fromEntries(Object.values(schema.reverse).map((r) => [r.name, r.target])),
      verbs,
      hooks: { after: hooks.after.sort(), before: hooks.before.sort() },
    }
  }
  return out
}

/** The manifest as the TypeScript source of sdk/manifest.ts's MANIFEST literal (one line per part). */
export function manifestSource(): string {
  const j = (v: unknown) => JSON.stringify(v).replace(/"([A-Za-z_$][A-Za-z0-9_$]*)":/g, '$1: ').replace(/,(?=\S)/g, ', ').replace(/"/g, "'").replace(/\{(?!\})/g, '{ ').replace(/(?<!\{)\}/g, ' }')
  const blocks = Object.entries(manifestFromSchema()).map(([name, m]) => {
    const entry = m as Record<string, unknown>
    const verbs = Object.entries(entry.verbs as Record<string, unknown>).map(([v, spec]) => `      ${v}: ${j(spec)},`)
    return [
      `  ${name}: {`,
      `    plural: '${entry.plural}',`,
      `    idPrefix: '${entry.idPrefix}',`,
      `    crud: ${j(entry.crud)},`,
      `    fields: ${j(entry.fields)},`,
      `    relations: ${j(entry.relations)},`,
      `    reverse: ${j(entry.reverse)},`,
      verbs.length ? `    verbs: {\n${verbs.join('\n')}\n    },` : '    verbs: {},',
      `    hooks: ${j(entry.hooks)},`,
      '  },',
    ].join('\n')
  })
  return `{\n${blocks.join('\n')}\n}`
}

if (process.argv[1]?.endsWith('sdk-manifest.ts')) console.log(manifestSource())
