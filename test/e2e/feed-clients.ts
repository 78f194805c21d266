/**
 * Live feed clients for the end-to-end tests, as a program outside the Worker reads the feed: Server-
 * Sent Events over Node's fetch, and Node 22's global WebSocket (undici's, which takes request headers,
 * so the key goes in `Authorization` as for every other call). Each keeps only what the assertions need
 * (the seqs it received, in order) so hundreds of them fit in one test process.
 */

/** One received frame's text (id, event and data lines), shared by all listeners that saw the same seq. */
export type FrameBook = Map<number, string>

export interface SseListener {
  readonly status: number
  /** The seqs of the events received, in arrival order (all of this listener's connections). */
  readonly seqs: number[]
  /** Seqs whose frame differed from the one another listener received for the same seq. */
  readonly differing: number[]
  /** The seq the server said the current connection starts after (its opening comment). */
  start(): number | undefined
  /** The same for the first connection: where this listener's view of the log begins. */
  first(): number | undefined
  ended(): boolean
  /** The last seq received, or the start when none was. */
  last(): number | undefined
  /** Drops the connection as a network failure would (the client side goes away). */
  drop(): void
  /** Reconnects as EventSource does: `Last-Event-ID` = the last id received. */
  resume(): Promise<void>
  body(): Promise<string>
}

interface SseOptions {
  baseUrl: string
  slug: string
  key: string
  query?: string
  book: FrameBook
}

/** Opens `GET /~slug/events/stream` and reads it in the background; resolves once the answer's headers arrived. */
export async function openSse(options: SseOptions): Promise<SseListener> {
  const seqs: number[] = []
  const differing: number[] = []
  let start: number | undefined
  let first: number | undefined
  let ended = false
  let status = 0
  let controller = new AbortController()
  let text = ''

  const connect = async (headers: Record<string, string>) => {
    controller = new AbortController()
    start = undefined
    ended = false
    const response = await fetch(`${options.baseUrl}/~${options.slug}/events/stream${options.query ?? ''}`, {
      headers: { authorization: `Bearer ${options.key}`, ...headers },
      signal: controller.signal,
    })
    status = response.status
    if (!response.ok) {
      text = await response.text()
      ended = true
      return
    }
    void read(response.body!)
  }

  const read = async (body: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true })
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          frame(buffer.slice(0, end))
          buffer = buffer.slice(end + 2)
        }
      }
    } catch {
      // dropped by drop(), or the server went away: ended says so
    }
    ended = true
  }

  const frame = (block: string) => {
    if (!block.startsWith('id: ')) {
      const opening = /^: live feed of events after (\d+)$/m.exec(block)
      if (opening) {
        start = Number(opening[1])
        first ??= start
      }
      return
    }
    const seq = Number(block.slice(4, block.indexOf('\n')))
    seqs.push(seq)
    const seen = options.book.get(seq)
    if (seen === undefined) options.book.set(seq, block)
    else if (seen !== block) differing.push(seq)
  }

  await connect({})
  const last = () => seqs.at(-1) ?? start
  return {
    get status() {
      return status
    },
    seqs,
    differing,
    start: () => start,
    first: () => first,
    ended: () => ended,
    last,
    drop: () => controller.abort(),
    resume: () => connect({ 'last-event-id': String(last()) }),
    body: async () => text,
  }
}

/** Node 22's WebSocket is undici's: its second argument may carry request headers (not in the DOM typings). */
type HeaderWebSocket = new (url: string, init: { headers: Record<string, string> }) => WebSocket

export interface FeedSocket {
  readonly socket: WebSocket
  /** Parsed JSON messages (`subscribed`, `event`, `error`), in arrival order. */
  readonly messages: Array<{ op: string; seq?: number; event?: { seq: number; type: string; entityId: string } }>
  opened: Promise<void>
  closed(): boolean
}

export function openSocket(baseUrl: string, slug: string, key: string, query = ''): FeedSocket {
  const socket = new (WebSocket as unknown as HeaderWebSocket)(`${baseUrl.replace(/^http/, 'ws')}/~${slug}/events/ws${query}`, { headers: { authorization: `Bearer ${key}` } })
  const messages: FeedSocket['messages'] = []
  let closed = false
  socket.addEventListener('message', (m) => {
    if (typeof m.data === 'string' && m.data.startsWith('{')) messages.push(JSON.parse(m.data))
  })
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve())
    socket.addEventListener('error', () => reject(new Error(`the WebSocket to ${slug} failed to open`)))
  })
  opened.catch(() => {})
  socket.addEventListener('close', () => (closed = true))
  return { socket, messages, opened, closed: () => closed }
}

/** Waits for a condition, never for a fixed time: polls until it holds or the (generous) deadline passes. */
export async function until(what: () => string, holds: () => boolean, ms: number) {
  const deadline = Date.now() + ms
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
