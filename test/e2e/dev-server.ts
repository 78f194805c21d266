/**
 * Starts `wrangler dev` the way a user does (`npm run dev` flags, offline), on a free port with a
 * fresh state directory, for end-to-end tests that need the real thing: queues, crons, alarms.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'

export const ADMIN_TOKEN = 'e2e-admin-token'

export interface DevServer {
  baseUrl: string
  stop(): Promise<void>
}

/** A loopback port free right now: nothing listens on it (so connections to it are refused). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

export interface DevServerOptions {
  /** Start it with `npm run dev -- …` (scripts/dev.mjs) exactly as the README does, not wrangler directly. */
  npmRunDev?: boolean
  /** The operator token (`--var ADMIN_TOKEN:…`); the tests' own unless given. */
  adminToken?: string
  /** Other wrangler vars (`--var NAME:value`), e.g. smaller live-feed limits. */
  vars?: Record<string, string>
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const port = await freePort()
  const state = mkdtempSync(path.join(os.tmpdir(), 'revline-e2e-'))
  const root = path.resolve(import.meta.dirname, '../..')
  const args = ['--ip', '127.0.0.1', '--port', String(port), '--persist-to', state, '--var', `ADMIN_TOKEN:${options.adminToken ?? ADMIN_TOKEN}`, ...Object.entries(options.vars ?? {}).flatMap(([name, value]) => ['--var', `${name}:${value}`]), '--log-level', 'warn']
  const [command, argv] = options.npmRunDev ? ['npm', ['run', 'dev', '--', ...args]] : [path.join(root, 'node_modules/.bin/wrangler'), ['dev', ...args]]
  const child: ChildProcess = spawn(command, argv, {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', X_LOCAL_OBSERVABILITY: 'false', X_LOCAL_EXPLORER: 'false', CI: '1' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (d) => (output += d))
  child.stderr?.on('data', (d) => (output += d))
  const baseUrl = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode === null) {
      try {
        process.kill(-child.pid!, 'SIGINT')
      } catch {}
      await new Promise((r) => setTimeout(r, 500))
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {}
    }
    rmSync(state, { recursive: true, force: true })
  }
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited: ${output}`)
    try {
      if ((await fetch(baseUrl)).ok) return { baseUrl, stop }
    } catch {}
    await new Promise((r) => setTimeout(r, 250))
  }
  await stop()
  throw new Error(`wrangler dev did not start in 60 s: ${output}`)
}

/** One JSON request with a key, as a test's plain client makes it: the status and the parsed body (null when empty). */
export async function callJson(baseUrl: string, method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : null }
}

