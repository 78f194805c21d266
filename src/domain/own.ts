/**
 * Prototype-safe lookups for names that come from requests. A field, sort key, filter, include,
 * verb or template path named `constructor`, `toString` or `__proto__` must find only what was
 * declared, never a member of Object.prototype:
 *   own(noun.verbs, 'constructor')         // undefined
 *   valueAt({ contact }, 'contact.name')   // the contact's own name; 'contact.constructor' → undefined
 */

/** A record with no prototype, holding `entries`: `in` and `[name]` see only its own entries. */
export function ownRecord<T>(entries: Readonly<Record<string, T>> = {}): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries)
}

/** `record[name]` when `name` is the record's own entry. */
export function own<T>(record: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined
}

/** The value at a dotted path (`data.email`), through own properties of objects only. */
export function valueAt(value: unknown, path: string): unknown {
  return valueAtPath(value, path.split('.'))
}

/** valueAt with the path already split (a compiled reader splits it once). */
export function valueAtPath(value: unknown, parts: readonly string[]): unknown {
  let current = value
  for (const part of parts) current = current !== null && typeof current === 'object' && Object.hasOwn(current, part) ? (current as Record<string, unknown>)[part] : undefined
  return current
}

/** `__proto__` keys of `value` as input errors naming each place (see prototypeKeyPaths). */
export function prototypeKeyErrors(value: unknown, path = ''): { path: string; message: string }[] {
  return prototypeKeyPaths(value, path).map((at) => ({ path: at, message: "'__proto__' is reserved" }))
}

/**
 * Where `value` (parsed request JSON) has a key `__proto__`, as paths (`data.__proto__`). zod's
 * records drop such a key without a word, so `{"__proto__": "x", …}` would read as if it were not
 * there and "succeed": the doors that hand JSON to a zod record name them as errors first.
 */
export function prototypeKeyPaths(value: unknown, path = '', depth = 40): string[] {
  if (depth === 0 || value === null || typeof value !== 'object') return []
  if (Array.isArray(value)) return value.flatMap((item, i) => prototypeKeyPaths(item, `${path}[${i}]`, depth - 1))
  const paths: string[] = []
  for (const key of Object.keys(value)) {
    const at = path ? `${path}.${key}` : key
    if (key === '__proto__') paths.push(at)
    else paths.push(...prototypeKeyPaths((value as Record<string, unknown>)[key], at, depth - 1))
  }
  return paths
}
