/** `/~{tenant}/mcp`: streamable HTTP MCP, stateless, authenticated by the same Bearer key as REST. */
import { Hono, type Context } from 'hono'
import { AppError } from '../../domain/errors'
import { parseJsonText } from '../../domain/json-text'
import { prototypeKeyErrors } from '../../domain/own'
import { bodyText } from '../body'
import type { AppEnv } from '../types'

export const mcp = new Hono<AppEnv>()

/**
 * The MCP SDKs (agents, @modelcontextprotocol/*: about a third of the bundle, which builds every
 * protocol version's zod schemas when evaluated) load with the first MCP request, not with the Worker.
 */
const protocol = () => Promise.all([import('agents/mcp'), import('../../mcp/server')])

mcp.all('/mcp', async (c) => {
  // The key is checked before the protocol starts (reading the tenant's nouns needs a good key), so a
  // bad key is a plain 401, not a failed tool call; the tools then know the tenant's own nouns.
  const nouns = await c.var.tenant.nouns()
  const request = c.req.method === 'POST' ? await checkedMessage(c) : c.req.raw
  const url = new URL(c.req.url)
  const [{ createMcpHandler }, { buildServer }] = await protocol()
  const handler = createMcpHandler(() => buildServer(c.var.tenant, c.get('requestId'), nouns), {
    route: url.pathname,
    // Authentication is the Bearer key, so the hostname guard against DNS rebinding is not what protects us.
    allowedHostnames: [url.hostname],
    corsOptions: false,
  })
  return handler.fetch(request)
})

/**
 * The JSON-RPC message goes through the same JSON door as every body (invalid UTF-8, deep
 * nesting, duplicate keys, NUL: a 400 problem before the protocol runs), then to the handler as
 * a new request carrying the same text. An empty body is left to the protocol to answer.
 */
async function checkedMessage(c: Context<AppEnv>): Promise<Request> {
  const text = await bodyText(c)
  if (text.trim() !== '') {
    const message = parseJsonText(text, { what: 'the JSON-RPC message' })
    // Tool inputs are zod records, which would drop a `__proto__` key silently: refuse it here.
    const reserved = prototypeKeyErrors(message)
    if (reserved.length > 0) throw new AppError('bad_request', "the JSON-RPC message has a '__proto__' key, which no tool takes", reserved)
  }
  const headers = new Headers(c.req.raw.headers)
  // The text is re-encoded (a BOM the decoder dropped is gone): let the runtime set the length.
  headers.delete('content-length')
  return new Request(c.req.url, { method: 'POST', headers, body: text })
}
