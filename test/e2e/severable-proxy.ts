/**
 * A loopback TCP proxy in front of the dev server whose open connections a test can cut at any
 * moment (`sever()`), as a flaky network or a restarting load balancer would: the client sees its
 * stream break mid-way and must resume by itself. `pause()` refuses new connections until `resume()`.
 */
import { createServer, connect, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

export interface SeverableProxy {
  baseUrl: string
  /** Connections accepted so far. */
  readonly accepted: number
  /** Cuts every open connection (both sides), like a dropped network. */
  sever(): void
  /** Stops forwarding on the open connections but leaves them open: a half-dead link that says nothing. */
  stall(): void
  /** New connections are reset at once until `resume()`. */
  pause(): void
  resume(): void
  stop(): Promise<void>
}

export async function startSeverableProxy(upstream: string): Promise<SeverableProxy> {
  const target = new URL(upstream)
  const open = new Set<Socket>()
  const pairs = new Set<{ client: Socket; origin: Socket }>()
  let accepted = 0
  let paused = false
  const server = createServer((client) => {
    accepted++
    if (paused) return client.resetAndDestroy()
    const origin = connect(Number(target.port), target.hostname)
    open.add(client).add(origin)
    const pair = { client, origin }
    pairs.add(pair)
    const forget = () => {
      pairs.delete(pair)
      open.delete(client)
      open.delete(origin)
      client.destroy()
      origin.destroy()
    }
    client.on('error', forget).on('close', forget)
    origin.on('error', forget).on('close', forget)
    client.pipe(origin)
    origin.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    get accepted() {
      return accepted
    },
    sever() {
      for (const socket of [...open]) socket.resetAndDestroy()
    },
    stall() {
      for (const { client, origin } of pairs) {
        origin.unpipe(client)
        origin.pause()
        client.unpipe(origin)
        client.pause()
      }
    },
    pause() {
      paused = true
    },
    resume() {
      paused = false
    },
    stop() {
      for (const socket of [...open]) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
