/**
 * The live change feed: listeners on the tenant's event log, over Server-Sent Events (held open in
 * this object's memory) and WebSockets (held by the runtime with the hibernation API, their state in
 * each socket's attachment, so idle sockets cost nothing and survive the object being evicted).
 *
 * Nothing is pushed from inside a transaction. After a write commits, `wake()` schedules one pump
 * that reads what the log holds past the listeners' cursors and hands each listener its matches:
 * a rolled-back write left nothing in the log, so it delivers nothing, and events go out in seq
 * order because they are read in seq order. A new listener first reads its backlog from the log in
 * pages (with SSE backpressure between pages) and joins the live set in the same synchronous step as
 * its last backlog read, so nothing falls between the two and nothing is sent twice.
 */
import { AppError } from '../domain/errors'
import type { EventRecord } from '../domain/engine/types'
import { eventMatches, type EventFilter } from '../domain/event-filter'

/** How listeners are limited and kept alive (wrangler vars, see wrangler.toml). */
export interface FeedLimits {
  perPrincipal: number
  perTenant: number
  heartbeatMs: number
}

/** What a connection was opened with: checked again when keys are revoked or users deactivated. */
export interface FeedCredentials {
  keyHash?: string
  sessionHash?: string
}

export interface FeedSubscription {
  filter: EventFilter
  /** Deliver events after this seq (0: the whole log; left out: from now on). */
  after?: number
}

/** The log as the feed reads it. */
export interface FeedLog {
  /** Events after `after` matching `filter`, in seq order, at most `limit`. */
  page(filter: EventFilter, after: number, limit: number): EventRecord[]
  /** The newest seq, 0 for an empty log. */
  head(): number
}

/** A committed event with its JSON encoded once, however many listeners it goes to. */
interface Encoded {
  event: EventRecord
  json: string
}

/** Backlog and live reads go in pages of this many events. */
const PAGE = 500
/** An SSE listener that lets this much go unread is cut off; it resumes from its Last-Event-ID. */
const MAX_UNREAD_BYTES = 4 * 1024 * 1024
/** Event types after which every listener's credentials are checked again. */
const RECHECK = new Set(['apikey.revoked', 'user.deactivated', 'session.revoked', 'tenant.suspended'])

/** What both transports share: where the listener is in the log and what it wants. */
interface Listener {
  readonly principal: string
  readonly credentials: FeedCredentials
  readonly filter: EventFilter
  cursor: number
  live: boolean
  deliver(events: Encoded[]): void
  /** Persists the cursor (WebSockets: into the attachment, which outlives hibernation). */
  save(): void
  close(code: number, reason: string): void
}

const encoder = new TextEncoder()
const sseFrame = ({ event, json }: Encoded) => `id: ${event.seq}\nevent: ${event.type}\ndata: ${json}\n\n`
const encode = (event: EventRecord): Encoded => ({ event, json: JSON.stringify(event) })

class SseListener implements Listener {
  live = false
  closed = false
  private unread = 0
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>
  private drainWaiters: Array<() => void> = []

  constructor(
    readonly principal: string,
    readonly credentials: FeedCredentials,
    readonly filter: EventFilter,
    public cursor: number,
    writable: WritableStream<Uint8Array>,
    private readonly onClose: (listener: SseListener) => void,
  ) {
    this.writer = writable.getWriter()
    this.writer.closed.catch(() => {}).finally(() => this.close(0, 'gone'))
  }

  deliver(events: Encoded[]) {
    this.write(events.map(sseFrame).join(''))
  }

  write(text: string) {
    if (this.closed) return
    if (this.unread > MAX_UNREAD_BYTES) return this.close(0, 'the client reads too slowly; resume with Last-Event-ID')
    const bytes = encoder.encode(text)
    this.unread += bytes.byteLength
    this.writer.write(bytes).then(
      () => {
        this.unread -= bytes.byteLength
        if (this.unread < PAGE * 1024) for (const resolve of this.drainWaiters.splice(0)) resolve()
      },
      () => this.close(0, 'gone'),
    )
  }

  /** Resolves once the client has read most of what was written (backpressure between backlog pages). */
  drained(): Promise<void> {
    if (this.closed || this.unread < PAGE * 1024) return Promise.resolve()
    return new Promise((resolve) => this.drainWaiters.push(resolve))
  }

  save() {}

  close(_code: number, reason: string) {
    if (this.closed) return
    this.closed = true
    this.onClose(this)
    for (const resolve of this.drainWaiters.splice(0)) resolve()
    // A last comment says why, for a person reading the stream; the client then reconnects.
    if (reason !== 'gone') this.writer.write(encoder.encode(`: closed: ${reason}\n\n`)).catch(() => {})
    this.writer.close().catch(() => {})
  }
}

/** A hibernatable WebSocket's state, kept in its attachment (at most 2 KiB). */
interface SocketState {
  principal: string
  credentials: FeedCredentials
  filter: EventFilter
  cursor: number
  live: boolean
  /** Bumped by every subscribe, so a superseded backlog read stops. */
  generation: number
}

class SocketListener implements Listener {
  constructor(
    readonly socket: WebSocket,
    private readonly state: SocketState,
  ) {}
  get principal() {
    return this.state.principal
  }
  get credentials() {
    return this.state.credentials
  }
  get filter() {
    return this.state.filter
  }
  get cursor() {
    return this.state.cursor
  }
  set cursor(seq: number) {
    this.state.cursor = seq
  }
  get live() {
    return this.state.live
  }
  set live(live: boolean) {
    this.state.live = live
  }
  get generation() {
    return this.state.generation
  }
  deliver(events: Encoded[]) {
    try {
      for (const { event, json } of events) this.socket.send(`{"op":"event","seq":${event.seq},"event":${json}}`)
    } catch {
      // The socket closed under us: its close handler forgets it.
    }
  }
  save() {
    try {
      this.socket.serializeAttachment(this.state)
    } catch {}
  }
  close(code: number, reason: string) {
    try {
      this.socket.close(code || 1008, reason.slice(0, 120))
    } catch {}
  }
}

export class LiveFeed {
  private readonly sse = new Set<SseListener>()
  private pumpScheduled = false
  private heartbeat: ReturnType<typeof setInterval> | undefined

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly log: FeedLog,
    private readonly limits: FeedLimits,
    /** False when these credentials no longer admit anyone (key revoked, user deactivated, session ended). */
    private readonly stillAdmitted: (credentials: FeedCredentials) => boolean,
  ) {}

  /** 429 when the principal or the tenant already holds as many connections as allowed. */
  admit(principal: string) {
    const sockets = this.ctx.getWebSockets()
    if (this.sse.size + sockets.length >= this.limits.perTenant)
      throw new AppError('rate_limited', `this tenant already has ${this.limits.perTenant} live feed connections open; close one and retry`, undefined, { retryAfter: 5 })
    const mine = [...this.sse].filter((l) => l.principal === principal).length + this.ctx.getWebSockets(principal).length
    if (mine >= this.limits.perPrincipal)
      throw new AppError('rate_limited', `this key already has ${this.limits.perPrincipal} live feed connections open; close one and retry`, undefined, { retryAfter: 5 })
  }

  /** A Server-Sent Events response: the backlog after `after`, then live events, with heartbeats. */
  openStream(principal: string, credentials: FeedCredentials, subscription: FeedSubscription): Response {
    this.admit(principal)
    const after = subscription.after ?? this.log.head()
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>()
    const listener = new SseListener(principal, credentials, subscription.filter, after, writable, (l) => this.forget(l))
    this.sse.add(listener)
    // `retry` tells EventSource how soon to reconnect; the comment opens the stream at once, so
    // proxies and clients see headers and a first byte before the first event.
    listener.write(`retry: 2000\n: live feed of events after ${after}\n\n`)
    this.startHeartbeat()
    void this.catchUp(listener, () => !listener.closed, () => listener.drained())
    return new Response(readable, {
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' },
    })
  }

  /** A WebSocket held with the hibernation API; it subscribes at once with the URL's filter and seq. */
  openSocket(principal: string, credentials: FeedCredentials, subscription: FeedSubscription, protocols: boolean): Response {
    this.admit(principal)
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket]
    this.ctx.acceptWebSocket(server, [principal])
    this.subscribe(server, { principal, credentials, filter: subscription.filter, cursor: subscription.after ?? this.log.head(), live: false, generation: 0 })
    // A browser that offered subprotocols (the key as `bearer.…`, src/http/tenant.ts) needs one chosen.
    return new Response(null, { status: 101, webSocket: client, ...(protocols ? { headers: { 'sec-websocket-protocol': 'revline' } } : {}) })
  }

  /** A `subscribe` message: a new filter and position for this socket (its backlog first, then live). */
  resubscribe(socket: WebSocket, subscription: FeedSubscription) {
    const state = this.stateOf(socket)
    if (!state) return
    this.subscribe(socket, { ...state, filter: subscription.filter, cursor: subscription.after ?? this.log.head(), live: false, generation: state.generation + 1 })
  }

  private subscribe(socket: WebSocket, state: SocketState) {
    this.socketStates.set(socket, state)
    socket.serializeAttachment(state)
    socket.send(JSON.stringify({ op: 'subscribed', filter: state.filter, after: state.cursor }))
    const listener = new SocketListener(socket, state)
    const current = () => this.stateOf(socket)?.generation === state.generation && socket.readyState === WebSocket.READY_STATE_OPEN
    // A socket has no backpressure to wait on: yield between pages so writers are not held up.
    void this.catchUp(listener, current, () => new Promise((resolve) => setTimeout(resolve, 0)))
  }

  /** Reads the listener's backlog page by page, then makes it live in the same step as the last read. */
  private async catchUp(listener: Listener, stillWanted: () => boolean, between: () => Promise<void>) {
    try {
      for (;;) {
        if (!stillWanted()) return
        const page = this.log.page(listener.filter, listener.cursor, PAGE)
        if (page.length > 0) {
          listener.deliver(page.map(encode))
          listener.cursor = page.at(-1)!.seq
        }
        if (page.length < PAGE) {
          // Live from the head: events the filter skipped need not be read again by every pump.
          listener.cursor = Math.max(listener.cursor, this.log.head())
          listener.live = true
          listener.save()
          return
        }
        listener.save()
        await between()
      }
    } catch (error) {
      console.error('live feed backlog failed', error)
      listener.close(1011, 'the feed failed; reconnect to resume')
    }
  }

  /**
   * After a commit: one pump for however many writes commit before it runs. With nobody listening
   * there is nothing to pump (a listener that joins later reads what it missed from the log).
   */
  wake() {
    if (this.pumpScheduled || (this.sse.size === 0 && this.ctx.getWebSockets().length === 0)) return
    this.pumpScheduled = true
    setTimeout(() => {
      this.pumpScheduled = false
      try {
        this.pump()
      } catch (error) {
        console.error('live feed pump failed', error)
      }
    }, 0)
  }

  /** Hands every live listener the committed events past its cursor that its filter wants. */
  private pump() {
    const listeners = this.liveListeners()
    if (listeners.length === 0) return
    let from = Math.min(...listeners.map((l) => l.cursor))
    let recheck = false
    const delivered = new Set<Listener>()
    for (;;) {
      const page = this.log.page({}, from, PAGE).map(encode)
      if (page.length === 0) break
      for (const listener of listeners) {
        const wanted = page.filter(({ event }) => event.seq > listener.cursor && eventMatches(listener.filter, event))
        if (wanted.length > 0) {
          listener.deliver(wanted)
          delivered.add(listener)
        }
        listener.cursor = Math.max(listener.cursor, page.at(-1)!.event.seq)
      }
      recheck ||= page.some(({ event }) => RECHECK.has(event.type))
      from = page.at(-1)!.event.seq
      if (page.length < PAGE) break
    }
    // Only a listener that was sent something saves its cursor. One that was not may keep an older
    // one: between the two lie only events its filter skips, so a wake from hibernation that
    // resumes from it reads them again and sends nothing twice.
    for (const listener of delivered) listener.save()
    if (recheck) this.recheck(listeners)
  }

  /** Closes the connections whose key, user or session no longer admits them. */
  private recheck(listeners: Listener[]) {
    for (const listener of listeners) if (!this.stillAdmitted(listener.credentials)) listener.close(1008, 'access ended')
  }

  /** Sign-out ends the session's live connections too. */
  endSession(sessionHash: string) {
    for (const listener of [...this.sse, ...this.sockets()]) if (listener.credentials.sessionHash === sessionHash) listener.close(1008, 'signed out')
  }

  private liveListeners(): Listener[] {
    return [...[...this.sse].filter((l) => l.live), ...this.sockets().filter((l) => l.live)]
  }

  private sockets(): SocketListener[] {
    const listeners: SocketListener[] = []
    for (const socket of this.ctx.getWebSockets()) {
      const state = this.stateOf(socket)
      if (state) listeners.push(new SocketListener(socket, state))
    }
    return listeners
  }

  /** Each socket's state, read from its attachment once per object lifetime (a wake from hibernation starts empty). */
  private readonly socketStates = new WeakMap<WebSocket, SocketState>()
  private stateOf(socket: WebSocket): SocketState | null {
    let state = this.socketStates.get(socket)
    if (!state) {
      state = (socket.deserializeAttachment() as SocketState | null) ?? undefined
      if (state) this.socketStates.set(socket, state)
    }
    return state ?? null
  }

  private forget(listener: SseListener) {
    this.sse.delete(listener)
    if (this.sse.size === 0 && this.heartbeat !== undefined) {
      clearInterval(this.heartbeat)
      this.heartbeat = undefined
    }
  }

  /** SSE comments keep idle streams from being closed by proxies (sockets answer `ping` without waking us). */
  private startHeartbeat() {
    this.heartbeat ??= setInterval(() => {
      for (const listener of this.sse) listener.write(': heartbeat\n\n')
    }, this.limits.heartbeatMs)
  }
}
