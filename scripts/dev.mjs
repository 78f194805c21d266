/**
 * `npm run dev [-- wrangler dev options]`: wrangler dev on http://127.0.0.1:8787, offline.
 * A script rather than a one-line npm script so that `npm run dev -- --port 8801` works: wrangler
 * refuses a second `--port`, so the defaults apply only to what the caller did not pass.
 */
import { spawn } from 'node:child_process'
import { copyFileSync, existsSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const args = process.argv.slice(2)

// The operator token and the local-only settings (.dev.vars is never committed).
if (!existsSync(path.join(root, '.dev.vars'))) copyFileSync(path.join(root, '.dev.vars.example'), path.join(root, '.dev.vars'))

const given = (flag) => args.some((a) => a === flag || a.startsWith(`${flag}=`))
const defaults = [...(given('--ip') ? [] : ['--ip', '127.0.0.1']), ...(given('--port') ? [] : ['--port', '8787'])]

// node_modules/.bin first, so wrangler runs on the Node 22 of the `node` dev dependency even when
// this script was started by a machine's older Node.
const bin = path.join(root, 'node_modules', '.bin')
const child = spawn('wrangler', ['dev', ...defaults, ...args], {
  cwd: root,
  stdio: 'inherit',
  // No metrics and no fetch of Cloudflare's request data at start: `wrangler dev` stays offline.
  env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
