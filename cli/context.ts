/** What every command shares: configuration (env, then flags), the SDK client, output and exit codes. */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { createClient, RevlineError, type RevlineClient } from '../sdk'

/** 0 ok · 1 the API refused (problem+json) · 2 usage (bad flags, input, configuration) · 3 network. */
export const EXIT = { ok: 0, api: 1, usage: 2, network: 3 } as const

/** A mistake in how the command was called: printed with a hint, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError'
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message)
  }
}

/** A failure that is neither usage nor an API problem (no such organization, rejected rows): exit 1. */
export class CommandFailed extends Error {
  override name = 'CommandFailed'
  constructor(
    message: string,
    readonly details: string[] = [],
    readonly exitCode: number = EXIT.api,
  ) {
    super(message)
  }
}

export interface GlobalOptions {
  url?: string
  tenant?: string
  apiKey?: string
  json?: boolean
  retries?: string
}

export interface Context {
  client: RevlineClient
  json: boolean
  baseUrl: string
  tenant: string
  out: (text: string) => void
  err: (text: string) => void
}

export interface Io {
  stdout: (text: string) => void
  stderr: (text: string) => void
  env: Record<string, string | undefined>
  stderrIsTTY: boolean
  columns: number
  /** Standard input, read to the end (`revline manifest push < revline.json`). */
  stdin: () => Promise<string>
  stdinIsTTY: boolean
}

export const processIo = (): Io => ({
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  stderrIsTTY: Boolean(process.stderr.isTTY),
  columns: process.stdout.columns || 120,
  stdin: async () => {
    let text = ''
    process.stdin.setEncoding('utf8')
    for await (const chunk of process.stdin) text += chunk
    return text
  },
  stdinIsTTY: Boolean(process.stdin.isTTY),
})

/** A file's text, or standard input for `-`; a file that cannot be read is a usage error. */
export async function readInput(io: Io, file: string | undefined, what: string): Promise<string> {
  if (file === undefined || file === '-') {
    if (file === undefined && io.stdinIsTTY) throw new UsageError(`give ${what} with --file <path>, or pipe it in`)
    return io.stdin()
  }
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    throw new UsageError(`cannot read '${file}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
}

/** Builds the context for a command from its global options (flags override REVLINE_* variables). */
export function contextOf(command: Command, io: Io): Context {
  const opts = command.optsWithGlobals<GlobalOptions>()
  const baseUrl = opts.url ?? io.env.REVLINE_URL
  const tenant = opts.tenant ?? io.env.REVLINE_TENANT
  const apiKey = opts.apiKey ?? io.env.REVLINE_API_KEY
  const missing = [
    ['--url', 'REVLINE_URL', baseUrl],
    ['--tenant', 'REVLINE_TENANT', tenant],
    ['--api-key', 'REVLINE_API_KEY', apiKey],
  ].filter(([, , v]) => !v)
  if (missing.length)
    throw new UsageError(`not configured: ${missing.map(([flag, env]) => `${env} (or ${flag})`).join(', ')} missing`, 'export REVLINE_URL=http://127.0.0.1:8787 REVLINE_TENANT=acme REVLINE_API_KEY=rvl_…')
  if (!/^https?:\/\//.test(baseUrl!)) throw new UsageError(`--url must be an http(s) URL, got '${baseUrl}'`)
  const retries = opts.retries === undefined ? undefined : Number(opts.retries)
  if (retries !== undefined && (!Number.isInteger(retries) || retries < 0 || retries > 10)) throw new UsageError('--retries is a whole number from 0 to 10')
  return {
    client: createClient({ baseUrl: baseUrl!, tenant: tenant!, apiKey: apiKey!, ...(retries !== undefined ? { retries } : {}) }),
    json: Boolean(opts.json),
    baseUrl: baseUrl!,
    tenant: tenant!,
    out: io.stdout,
    err: io.stderr,
  }
}

/** `--json`: the value as JSON; otherwise the human rendering. */
export function emit(ctx: Context, value: unknown, human: () => string) {
  ctx.out(ctx.json ? `${JSON.stringify(value, null, 2)}\n` : `${human().replace(/\n?$/, '\n')}`)
}

export function parseJsonOption(name: string, text: string | undefined): unknown {
  if (text === undefined) return undefined
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new UsageError(`${name} is not valid JSON: ${(error as Error).message}`)
  }
}

export function parseIntOption(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}`)
  return n
}

/** `.catch(RevlineErrorGuard(403, fallback))`: that API status becomes the fallback; anything else is rethrown. */
export const RevlineErrorGuard =
  <T>(status: number, fallback: T) =>
  (error: unknown): T => {
    if (error instanceof RevlineError && error.status === status) return fallback
    throw error
  }
