/**
 * The live feed on the client: `events.subscribe(query, handler)` reads `GET /events/stream`
 * (Server-Sent Events over a streamed fetch, so it runs the same in Node ≥ 20, browsers and Workers,
 * with the API key in a header, which EventSource cannot send), parsed by `eventsource-parser`.
 *
 * Delivery is at least once, in seq order, one event at a time: the cursor moves past an event only
 * once its handler has resolved (and the cursor store has saved it), and every reconnect sends
 * `Last-Event-ID: <cursor>`, so the server resumes with no gap and no duplicate. While a handler
 * runs the stream is not read: a slow handler holds the server back until it cuts the connection,
 * and the subscription then resumes from its cursor like after any other drop.
 */
import { createParser, type EventSourceMessage, type ParseError } from 'eventsource-parser'
import { RevlineConfigError, RevlineError } from './errors'
import { backoff, type Transport } from './http'
import type { EventSubscription, FeedErrorContext, FeedQuery, RevlineEvent, SubscribeOptions } from './types'

/** The server's first comment names where a subscription without a position starts. */
const OPENED_AT = /^live feed of events after (\d+)$/
/** One event's JSON can be large (an entity with long text), but a stream never needs more than this buffered. */
const MAX_BUFFERED_CHARS = 32 * 1024 * 1024
const DEFAULT_MAX_DELAY = 30_000
const DEFAULT_IDLE = 45_000

export type EventHandler = (event: RevlineEvent) => unknown

/**
 * Follows the feed until closed. `query` may be a function when the filter needs a request first
 * (an untyped noun's name from its collection); its failure ends the subscription like a 404.
 */
export function subscribe(transport: () => Transport, query: FeedQuery | (() => Promise<FeedQuery>), handler: EventHandler, options: SubscribeOptions = {}): EventSubscription {
  if (typeof handler !== 'function') throw new TypeError('subscribe(query, handler): the handler must be a function')
  const stop = new AbortController()
  let cursor: number | undefined
  let closing: Promise<void> | undefined
  const report = reporter(options)

  const delays = () => {
    const first = options.retryDelayMs ?? transport().options.retryDelayMs ?? 200
    const max = options.maxRetryDelayMs ?? DEFAULT_MAX_DELAY
    return { first, max }
  }

  async function run(): Promise<void> {
    const { after, ...filter } = typeof query === 'function' ? await query() : query
    cursor = after ?? (await options.cursor?.load()) ?? undefined
    if (cursor !== undefined && (!Number.isSafeInteger(cursor) || cursor < 0)) throw new TypeError(`subscribe: the start position must be a whole number ≥ 0, got ${cursor}`)
    let failures = 0
    while (!stop.signal.aborted) {
      let reason: unknown
      try {
        if (await connect(filter)) failures = 0
        reason = new Error('the server closed the stream')
      } catch (error) {
        if (stop.signal.aborted) return
        if (isFatal(error)) throw error
        reason = error
      }
      if (stop.signal.aborted) return
      failures++
      const { first, max } = delays()
      const asked = reason instanceof RevlineError ? reason.retryAfterMs : undefined
      const wait = asked !== undefined ? Math.min(asked, max) : backoff(failures, first, max)
      report(reason, { phase: 'connection', attempt: failures, retryInMs: wait })
      await pause(wait, stop.signal)
    }
  }

  /** One connection: reads and handles events until the stream ends. True when it got anywhere. */
  async function connect(filter: Omit<FeedQuery, 'after'>): Promise<boolean> {
    const connection = new AbortController()
    const onStop = () => connection.abort(stop.signal.reason)
    stop.signal.addEventListener('abort', onStop, { once: true })
    try {
      const body = await transport().request<ReadableStream<Uint8Array>>({
        method: 'GET',
        path: '/events/stream',
        query: { type: filter.type, entity: filter.entity, actor: filter.actor },
        headers: { accept: 'text/event-stream', ...(cursor !== undefined ? { 'last-event-id': String(cursor) } : {}) },
        read: 'stream',
        // Reconnecting is this loop's job: it resumes from the cursor, which a blind retry would not.
        retry: false,
        signal: connection.signal,
      })
      return await consume(body, connection)
    } catch (error) {
      // An idle stream is cut with a reason of its own: report that rather than the bare abort.
      throw connection.signal.aborted && !stop.signal.aborted ? connection.signal.reason : error
    } finally {
      stop.signal.removeEventListener('abort', onStop)
      connection.abort()
    }
  }

  async function consume(body: ReadableStream<Uint8Array>, connection: AbortController): Promise<boolean> {
    const reader = body.getReader()
    const decoder = new TextDecoder()
    const messages: EventSourceMessage[] = []
    let opened: number | undefined
    let heard = false
    let broken: ParseError | undefined
    const parser = createParser({
      onEvent: (message) => messages.push(message),
      onComment: (comment) => {
        const match = OPENED_AT.exec(comment)
        if (match) opened = Number(match[1])
        else heard = true
      },
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') broken = error
      },
      maxBufferSize: MAX_BUFFERED_CHARS,
    })
    const idle = options.idleTimeoutMs ?? DEFAULT_IDLE
    try {
      for (;;) {
        const timer = setTimeout(() => connection.abort(new Error(`the stream sent nothing for ${idle} ms`)), idle)
        let chunk: ReadableStreamReadResult<Uint8Array>
        try {
          chunk = await reader.read()
        } finally {
          clearTimeout(timer)
        }
        if (chunk.done) return heard
        parser.feed(decoder.decode(chunk.value, { stream: true }))
        if (broken) throw broken
        if (opened !== undefined) {
          // Started from now: that head is the position to resume from (and to store) until an event arrives.
          if (cursor === undefined) await advance(opened)
          opened = undefined
        }
        while (messages.length > 0) {
          if (stop.signal.aborted) return heard
          await handle(messages.shift()!)
          heard = true
        }
      }
    } finally {
      reader.cancel().catch(() => {})
    }
  }

  async function handle(message: EventSourceMessage) {
    const event = JSON.parse(message.data) as RevlineEvent
    if (typeof event?.seq !== 'number') throw new Error(`the stream sent an event without a seq (id ${message.id ?? 'none'})`)
    // The server resumes after Last-Event-ID with no duplicate; this only guards a handler against one.
    if (cursor !== undefined && event.seq <= cursor) return
    for (let attempt = 1; ; attempt++) {
      try {
        await handler(event)
        break
      } catch (error) {
        if (stop.signal.aborted) return
        const { first, max } = delays()
        const wait = backoff(attempt, first, max)
        report(error, { phase: 'handler', event, attempt, retryInMs: wait })
        await pause(wait, stop.signal)
        if (stop.signal.aborted) return
      }
    }
    await advance(event.seq, event)
  }

  async function advance(seq: number, event?: RevlineEvent) {
    cursor = seq
    if (!options.cursor) return
    try {
      await options.cursor.save(seq)
    } catch (error) {
      report(error, { phase: 'cursor', attempt: 1, ...(event ? { event } : {}) })
    }
  }

  const closed = run().catch((error: unknown) => {
    if (!stop.signal.aborted) report(error, { phase: 'fatal', attempt: 1 })
    stop.abort()
    throw error
  })
  // Reported through onError: the caller need not also await `closed`. Without onError an
  // unobserved fatal error stays an unhandled rejection, loud rather than silent.
  if (options.onError) closed.catch(() => {})

  const close = () => {
    stop.abort()
    closing ??= closed.catch(() => {})
    return closing
  }
  if (options.signal?.aborted) void close()
  else options.signal?.addEventListener('abort', () => void close(), { once: true })

  return {
    get cursor() {
      return cursor
    },
    close,
    closed,
  }
}

/**
 * 400, 401, 403, 404 and other refusals end a subscription (so does a client with no configuration);
 * 408, 429, 5xx, no answer and a stream that broke off (fetch's TypeError('terminated')) are retried.
 */
function isFatal(error: unknown): boolean {
  if (error instanceof RevlineConfigError) return true
  if (!(error instanceof RevlineError)) return false
  return error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429
}

function reporter(options: SubscribeOptions) {
  return (error: unknown, context: FeedErrorContext) => {
    if (options.onError) {
      try {
        options.onError(error, context)
      } catch (thrown) {
        console.error('revline: onError threw', thrown)
      }
      return
    }
    if (context.phase === 'handler')
      console.error(`revline: the handler failed on ${context.event!.type} #${context.event!.seq} (attempt ${context.attempt}); retrying in ${context.retryInMs} ms:`, error)
    else if (context.phase === 'cursor') console.error(`revline: saving the cursor failed:`, error)
  }
}

function pause(ms: number, signal: AbortSignal) {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}

/**
 * The feed as an async iterator (`events.follow`): each event is yielded once the previous one's
 * consumer asked for the next, so a slow loop body holds the stream back instead of buffering it.
 */
export async function* iterate(transport: () => Transport, query: FeedQuery, options: { signal?: AbortSignal } = {}): AsyncGenerator<RevlineEvent, void, undefined> {
  let waiting: (() => void) | undefined
  let ready: { event: RevlineEvent; taken: () => void } | undefined
  let ended = false
  let failure: unknown
  const wake = () => {
    const resolve = waiting
    waiting = undefined
    resolve?.()
  }
  const subscription = subscribe(
    transport,
    query,
    (event) =>
      new Promise<void>((taken) => {
        ready = { event, taken }
        wake()
      }),
    { ...(options.signal ? { signal: options.signal } : {}), onError: () => {} },
  )
  subscription.closed.then(
    () => {
      ended = true
      wake()
    },
    (error: unknown) => {
      failure = error
      ended = true
      wake()
    },
  )
  let taken: (() => void) | undefined
  try {
    for (;;) {
      while (!ready && !ended) await new Promise<void>((resolve) => (waiting = resolve))
      if (ready) {
        const next: { event: RevlineEvent; taken: () => void } = ready
        ready = undefined
        taken = next.taken
        yield next.event
        taken = undefined
        next.taken()
        continue
      }
      if (failure !== undefined) throw failure
      return
    }
  } finally {
    // Left early (break, return, a throw in the loop body): stop first, so that releasing the event
    // in hand (it was delivered) does not let the subscription hand over another one nobody takes.
    const closing = subscription.close()
    taken?.()
    await closing
  }
}
