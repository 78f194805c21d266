/**
 * 405 for a path the API has, asked with a method it does not answer there (RFC 9110 §15.5.6: with
 * `Allow`), instead of a 404 that reads as "no such path". Which methods a path answers is read from
 * the OpenAPI document, the API's one list of routes derived from the nouns: the generic
 * `/:collection/:id` routes cannot say that `/contacts/{id}` has no PUT, the document can.
 */
import type { Hono } from 'hono'
import { AppError } from '../domain/errors'
import type { AppEnv } from './types'
import { buildDocument } from './openapi/document'

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const

interface DocumentedPath {
  pattern: RegExp
  /** Each `{param}`'s own pattern, if the document gives one: `/contacts/__proto__` is no `/contacts/{id}`. */
  params: (RegExp | undefined)[]
  methods: string[]
}

type Parameter = { in?: string; name?: string; schema?: { pattern?: string } }

let table: DocumentedPath[] | undefined

function documentedPaths(): DocumentedPath[] {
  if (table) return table
  const { paths } = buildDocument('') as { paths: Record<string, Record<string, unknown>> }
  table = Object.entries(paths).map(([path, item]) => {
    const methods = METHODS.filter((m) => m in item).map((m) => m.toUpperCase())
    const declared = [item.parameters, ...METHODS.map((m) => (item[m] as { parameters?: unknown } | undefined)?.parameters)].flat() as (Parameter | undefined)[]
    const patternOf = (name: string) => declared.find((p) => p?.in === 'path' && p.name === name)?.schema?.pattern
    const params: (RegExp | undefined)[] = []
    // Paths with their own `servers` are at the Worker's root; the others under `/~{tenant}` (document.ts).
    const prefix = item.servers ? '' : '/~[a-z0-9-]+'
    const segments = path.split('/').map((segment) => {
      const name = /^\{(\w+)\}$/.exec(segment)?.[1]
      if (!name) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      const own = patternOf(name)
      params.push(own ? new RegExp(own) : undefined)
      return '([^/]+)'
    })
    // Hono answers HEAD with the GET route.
    if (methods.includes('GET') && !methods.includes('HEAD')) methods.push('HEAD')
    return { pattern: new RegExp(`^${prefix}${segments.join('/')}$`), params, methods }
  })
  return table
}

/** Whether `path` is this documented path: its shape, and each parameter as its pattern asks. */
function matches(entry: DocumentedPath, path: string): boolean {
  const values = entry.pattern.exec(path)?.slice(1)
  return values !== undefined && values.every((value, i) => entry.params[i]?.test(value) ?? true)
}

/** The methods the API answers at `path`, or undefined for a path it does not have. */
export function allowedMethods(path: string): string[] | undefined {
  let best: DocumentedPath | undefined
  // A concrete path (`/contacts/capture`) wins over a templated one (`/contacts/{id}`).
  for (const entry of documentedPaths()) if (matches(entry, path) && (!best || entry.params.length < best.params.length)) best = entry
  return best?.methods
}

/**
 * The 405 and its `Allow` list for an error met at `method path`, when the path is one the API has
 * and the method is not among its methods: no route matched (`not_found`), or a route refused the
 * method for this noun (`method_not_allowed`, e.g. writes to read-only lead scores). Otherwise undefined.
 */
export function methodNotAllowed(error: Error, method: string, path: string): { error: AppError; allow: string } | undefined {
  if (!(error instanceof AppError) || (error.code !== 'not_found' && error.code !== 'method_not_allowed')) return undefined
  const documented = allowedMethods(path)
  // A documented method's 404 is about what the path names (an entity, a tenant), not the method.
  if (!documented || (error.code === 'not_found' && documented.includes(method))) return undefined
  const allow = documented.filter((m) => m !== method)
  if (allow.length === 0) return undefined
  const detail = error.code === 'method_not_allowed' ? error.detail : `${method} is not a method of ${path}`
  return { error: new AppError('method_not_allowed', `${detail} (allowed: ${allow.join(', ')})`), allow: allow.join(', ') }
}

/**
 * Another method on a public path (no key) is answered by the public router itself, before the
 * tenant routes ask for a key that would not help: the error becomes a 405 with `Allow`, the same
 * for every slug (see `methodNotAllowed`).
 */
export function refuseOtherMethods(router: Hono<AppEnv>, paths: string[]) {
  for (const path of paths)
    router.all(path, (c) => {
      throw new AppError('not_found', `${c.req.method} is not a method of ${c.req.path}`)
    })
}
