/**
 * Revline's Worker: HTTP through Hono; tenants live in their own Durable Objects.
 * `{slug}.{BASE_HOST}` is rewritten to the `/~{slug}` path form so one router serves both.
 */
import { createApp } from './http/app'

export { TenantDO } from './durable/tenant-do'
export { RegistryDO } from './durable/registry-do'

const app = createApp()

export function canonicalRequest(request: Request, baseHost: string): Request {
  const url = new URL(request.url)
  const host = url.hostname.toLowerCase()
  const suffix = `.${baseHost.toLowerCase()}`
  if (!host.endsWith(suffix) || url.pathname.startsWith('/~')) return request
  const slug = host.slice(0, -suffix.length)
  if (!slug || slug.includes('.')) return request
  url.pathname = `/~${slug}${url.pathname === '/' ? '' : url.pathname}`
  return new Request(url, request)
}

export default {
  fetch(request, env, ctx) {
    return app.fetch(canonicalRequest(request, env.BASE_HOST), env, ctx)
  },
} satisfies ExportedHandler<Env>
