/** `/~{tenant}/mcp`: streamable HTTP MCP, stateless, authenticated by the same Bearer key as REST. */
import { createMcpHandler } from 'agents/mcp'
import { Hono } from 'hono'
import { buildServer } from '../../mcp/server'
import type { AppEnv } from '../types'

export const mcp = new Hono<AppEnv>()

mcp.all('/mcp', async (c) => {
  // The key is checked before the protocol starts, so a bad key is a plain 401, not a failed tool call.
  await c.var.tenant.run({ kind: 'authenticate' })
  const url = new URL(c.req.url)
  const handler = createMcpHandler(() => buildServer(c.var.tenant), {
    route: url.pathname,
    // Authentication is the Bearer key, so the hostname guard against DNS rebinding is not what protects us.
    allowedHostnames: [url.hostname],
    corsOptions: false,
  })
  // An Idempotency-Key has the body read (and hashed) already: hand the handler the same bytes again.
  const request = c.req.raw.bodyUsed ? new Request(c.req.raw, { body: await c.req.text() }) : c.req.raw
  return handler.fetch(request)
})
