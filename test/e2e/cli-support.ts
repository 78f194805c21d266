/** Runs the `revline` CLI as a child process (`node cli/revline.mjs …`), as the CLI end-to-end tests do. */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { expect } from 'vitest'

export const root = path.resolve(import.meta.dirname, '../..')
export const bin = path.join(root, 'cli/revline.mjs')

export interface Run {
  code: number | null
  stdout: string
  stderr: string
}

export interface RunOptions {
  env?: Record<string, string | undefined>
  cwd?: string
  command?: string[]
  /** Written to the command's standard input (otherwise it has none). */
  input?: string
}

/** A runner bound to the suite's environment (REVLINE_*) and working directory, read at each call. */
export function cliRunner(defaults: () => { env: Record<string, string>; cwd: string }) {
  return function run(args: string[], options: RunOptions = {}): Promise<Run> {
    const { env, cwd } = defaults()
    const [cmd, ...pre] = options.command ?? [process.execPath, bin]
    const child = spawn(cmd!, [...pre, ...args], {
      cwd: options.cwd ?? cwd,
      env: Object.fromEntries(Object.entries({ ...process.env, ...env, ...options.env, NO_COLOR: '1' }).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    })
    if (options.input !== undefined) child.stdin!.end(options.input)
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (d) => (stdout += d))
    child.stderr!.on('data', (d) => (stderr += d))
    return new Promise((resolve, reject) => {
      child.on('error', reject)
      child.on('close', (code) => resolve({ code, stdout, stderr }))
    })
  }
}

/** The JSON a successful run printed (failing the test with its stderr otherwise). */
export const json = <T = any>(r: Run): T => {
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout) as T
}
