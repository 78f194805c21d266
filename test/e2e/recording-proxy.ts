/**
 * A loopback HTTP proxy that forwards every request to `upstream` and keeps each exchange, so a
 * test can run commands as a user types them (curl against a URL) and still see every status and
 * body that went over the wire.
 */
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Exchange {
  method: string
  /** Path and query, as sent. */
  url: string
  requestType: string | undefined
  requestBody: string
  status: number
  responseBody: string
}

export interface RecordingProxy {
  baseUrl: string
  exchanges: Exchange[]
  stop(): Promise<void>
}

/** Hop-by-hop and length headers: the forwarding fetch sets its own. */
const NOT_FORWARDED = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'content-encoding'])

/**
 * An event stream never ends by itself: it is relayed as it comes, and recorded (with what was
 * relayed) when either side closes it, e.g. a `curl --max-time` giving up.
 */
async function relayStream(answer: Response, res: ServerResponse, record: (text: string) => void) {
  const out: Record<string, string> = {}
  answer.headers.forEach((value, name) => {
    if (!NOT_FORWARDED.has(name)) out[name] = value
  })
  res.writeHead(answer.status, out)
  const reader = answer.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  res.on('close', () => void reader.cancel().catch(() => {}))
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
      res.write(value)
    }
  } catch {
    // the client went away
  }
  record(text)
  res.end()
}

export async function startRecordingProxy(upstream: string): Promise<RecordingProxy> {
  const exchanges: Exchange[] = []
  let proxyOrigin = ''
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) if (!NOT_FORWARDED.has(name) && typeof value === 'string') headers.set(name, value)
    // A reverse proxy keeps the Host; this one cannot (fetch sets it), so a browser-style Origin naming
    // the proxy is translated to the upstream's, as the Worker's same-origin checks would see it.
    if (headers.get('origin') === proxyOrigin) headers.set('origin', new URL(upstream).origin)
    const method = req.method ?? 'GET'
    try {
      const answer = await fetch(`${upstream}${req.url}`, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : body, redirect: 'manual' })
      if (answer.headers.get('content-type')?.startsWith('text/event-stream') && answer.body) return relayStream(answer, res, (text) => exchanges.push({ method, url: req.url ?? '/', requestType: req.headers['content-type'], requestBody: body.toString('utf8'), status: answer.status, responseBody: text }))
      const responseBody = Buffer.from(await answer.arrayBuffer())
      exchanges.push({ method, url: req.url ?? '/', requestType: req.headers['content-type'], requestBody: body.toString('utf8'), status: answer.status, responseBody: responseBody.toString('utf8') })
      const out: Record<string, string> = {}
      answer.headers.forEach((value, name) => {
        if (!NOT_FORWARDED.has(name)) out[name] = value
      })
      res.writeHead(answer.status, out).end(responseBody)
    } catch (error) {
      res.writeHead(502).end(String(error))
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  proxyOrigin = `http://127.0.0.1:${port}`
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    exchanges,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
