/**
 * Revline's Worker: HTTP through Hono; tenants live in their own Durable Objects.
 * `{slug}.{BASE_HOST}` is rewritten to the `/~{slug}` path form so one router serves both.
 */
import { createApp } from './http/app'
import { consumeDeadLetters, consumeJobs } from './queues/consumer'
import { onSchedule } from './queues/cron'

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
  async queue(batch, env) {
    if (batch.queue.endsWith('-dlq')) await consumeDeadLetters(batch, env)
    else await consumeJobs(batch, env)
  },
  async scheduled(controller, env) {
    await onSchedule(controller, env)
  },
} satisfies ExportedHandler<Env>
