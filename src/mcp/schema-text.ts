/** A compact, LLM-readable description of every noun: fields with types and enums, relations, verbs. */
import type { StoredField } from '../domain/noun/grammar'
import type { NounSchema } from '../domain/noun/noun'
import type { CollectionRegistry } from '../domain/noun/registry'

function describeField(field: StoredField): string {
  const base = field.kind === 'enum' ? field.values.join(' | ') : field.kind === 'relation' ? `-> ${field.target} (id)` : field.type
  const range = field.min !== undefined || field.max !== undefined ? ` from ${field.min ?? '…'} to ${field.max ?? '…'}` : ''
  const vocabulary = field.oneOf ? ` (${field.describe ?? field.oneOf.join(' | ')})` : ''
  return `${field.name}: ${base}${range}${vocabulary}${field.list ? '[]' : ''}${field.required ? ' (required)' : ''}${field.default !== undefined ? ` = ${JSON.stringify(field.default)}` : ''}`
}

export function describeNoun(noun: NounSchema): Record<string, unknown> {
  return {
    type: noun.name,
    collection: noun.plural,
    fields: Object.values(noun.fields).map(describeField),
    reverse: Object.values(noun.reverse).map((r) => `${r.name}: <- ${r.target}.${r.via}[] (include only)`),
    verbs: Object.values(noun.verbs).map((v) => ({
      verb: v.verb,
      event: `${noun.name.toLowerCase()}.${v.past}`,
      ...(v.scope === 'collection' && v.kind !== 'create' ? { scope: 'collection (no id)' } : {}),
      ...(v.state ? { sets: `${v.stateField ?? 'state'} = ${v.state}` } : {}),
      ...(Object.keys(v.input).length ? { input: Object.values(v.input).map(describeField) } : {}),
      ...(v.exactlyOne ? { exactlyOne: `give exactly one of ${v.exactlyOne.join(', ')}` } : {}),
      ...(v.from ? { from: v.from.map((s) => s || '(unset)') } : {}),
    })),
    ...(Object.keys(noun.machines).length ? { stateMachines: noun.machines } : {}),
    ...(noun.adminOnly ? { writes: 'admin only' } : {}),
  }
}

// A registry never changes (a schema change builds a new one): its texts are built once per registry.
const texts = new WeakMap<CollectionRegistry, { described?: ReturnType<typeof describeNoun>[]; summary?: string }>()
const textsOf = (nouns: CollectionRegistry) => {
  let held = texts.get(nouns)
  if (!held) texts.set(nouns, (held = {}))
  return held
}

export const allNouns = (nouns: CollectionRegistry) => {
  const held = textsOf(nouns)
  return (held.described ??= nouns.all().map(describeNoun))
}

/** One line per noun for tool descriptions: name, key fields with enums, verbs. */
export const nounSummary = (nouns: CollectionRegistry) => {
  const held = textsOf(nouns)
  return (held.summary ??= summarize(nouns))
}

function summarize(nouns: CollectionRegistry): string {
  return nouns
    .all()
    .map((n) => {
      const enums = Object.values(n.fields)
        .filter((f) => f.kind === 'enum')
        .map((f) => `${f.name} ∈ {${(f as { values: readonly string[] }).values.join(',')}}`)
      const verbs = Object.values(n.verbs).map((v) => v.verb)
      return `- ${n.name}${n.tenantDefined ? ' (the tenant’s own)' : ''}: fields ${Object.keys(n.fields).join(', ')}${enums.length ? `; ${enums.join('; ')}` : ''}; verbs ${verbs.join(', ')}`
    })
    .join('\n')
}
