/**
 * 405 for a path the API has, asked with a method it does not answer there (RFC 9110 §15.5.6: with
 * `Allow`), instead of a 404 that reads as "no such path". Which methods a path answers is read from
 * the OpenAPI document, the API's one list of routes derived from the nouns: the generic
 * `/:collection/:id` routes cannot say that `/contacts/{id}` has no PUT, the document can.
 */
import { AppError } from '../domain/errors'
import { buildDocument } from './openapi/document'

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const

interface DocumentedPath {
  pattern: RegExp
  /** How many `{param}` segments: a concrete path (`/contacts/capture`) wins over a templated one (`/contacts/{id}`). */
  params: number
  methods: string[]
}

let table: DocumentedPath[] | undefined

function documentedPaths(): DocumentedPath[] {
  if (table) return table
  const { paths } = buildDocument('') as { paths: Record<string, Record<string, unknown>> }
  table = Object.entries(paths).map(([path, item]) => {
    // Paths with their own `servers` are at the Worker's root; the others under `/~{tenant}` (document.ts).
    const prefix = item.servers ? '' : '/~[a-z0-9-]+'
    const segments = path.split('/').map((s) => (s.startsWith('{') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    const methods = METHODS.filter((m) => m in item).map((m) => m.toUpperCase())
    // Hono answers HEAD with the GET route.
    if (methods.includes('GET') && !methods.includes('HEAD')) methods.push('HEAD')
    return { pattern: new RegExp(`^${prefix}${segments.join('/')}$`), params: (path.match(/\{/g) ?? []).length, methods }
  })
  return table
}

/** The methods the API answers at `path`, or undefined for a path it does not have. */
export function allowedMethods(path: string): string[] | undefined {
  let best: DocumentedPath | undefined
  for (const entry of documentedPaths()) if (entry.pattern.test(path) && (!best || entry.params < best.params)) best = entry
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
