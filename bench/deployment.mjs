/**
 * The `deployment` line: what `wrangler deploy` would upload, built offline into a temporary
 * directory (`wrangler deploy --dry-run --outdir`), and the Worker's start-up.
 *   worker.js    raw bytes and gzip (Node's zlib, default level) of the bundled, minified Worker
 *   upload       wrangler's own "Total Upload" figures: worker.js and the modules beside it (the
 *                migrations' SQL text); the source map is uploaded too but is not counted against
 *                the Worker size limit (3 MB free / 10 MB paid, compressed). Goal: < 1 MiB gzip.
 *   assets       the static assets directory (public/: Swagger UI, the WebAuthn library), uploaded
 *                separately and served without the Worker
 *   startup      `wrangler check startup`: the V8 profile of evaluating the Worker's modules in a
 *                local workerd, its "Active" time (garbage collection included), median of N runs.
 *                A local, sampled figure (Cloudflare allows 1 s of start-up CPU; wrangler notes its
 *                CPU differs from Cloudflare's): compare it between commits, not with the limit.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'

const run = promisify(execFile)
export const DEPLOY_GOAL_GZIP_BYTES = 1024 * 1024

// wrangler draws boxes and colours around its figures: keep the text.
const plain = (text) => text.replace(/\x1b\[[0-9;]*m/g, '')

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name)
    return entry.isDirectory() ? filesUnder(file) : [file]
  })
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Builds and measures; `bin` is node_modules/.bin, `env` wrangler's offline settings. */
export async function measureDeployment({ configPath, bin, env, startupRuns = 3 }) {
  const dir = path.dirname(configPath)
  const out = mkdtempSync(path.join(os.tmpdir(), 'revline-deploy-'))
  const wrangler = (...args) => run(path.join(bin, 'wrangler'), [...args, '--config', configPath], { cwd: dir, env: { ...process.env, ...env, PATH: `${bin}${path.delimiter}${process.env.PATH}` }, maxBuffer: 16 * 1024 * 1024 })
  try {
    const built = plain((await wrangler('deploy', '--dry-run', '--outdir', out)).stdout)
    const total = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(built)
    if (!total) throw new Error(`deployment: no "Total Upload" in wrangler's output:\n${built}`)
    const worker = readFileSync(path.join(out, 'worker.js'))
    const modules = readdirSync(out).filter((f) => f !== 'worker.js' && f !== 'README.md' && !f.endsWith('.map'))
    const assetsDir = path.join(dir, 'public')
    const assetFiles = (existsSync(assetsDir) ? filesUnder(assetsDir) : []).filter((f) => !path.basename(f).startsWith('_'))
    const startupMs = []
    for (let i = 0; i < startupRuns; i++) {
      const profiled = plain((await wrangler('check', 'startup', '--outfile', path.join(out, `startup-${i}.cpuprofile`))).stdout)
      const active = /Active: ([\d.]+) ms/.exec(profiled)
      if (!active) throw new Error(`deployment: no "Active" time in wrangler check startup's output:\n${profiled}`)
      startupMs.push(Number(active[1]))
    }
    const uploadGzipBytes = Number(total[2]) * 1024
    return {
      workerBytes: worker.length,
      workerGzipBytes: gzipSync(worker).length,
      sourceMapBytes: statSync(path.join(out, 'worker.js.map')).size,
      otherModules: modules.length,
      uploadBytes: Number(total[1]) * 1024,
      uploadGzipBytes,
      goalGzipBytes: DEPLOY_GOAL_GZIP_BYTES,
      met: uploadGzipBytes < DEPLOY_GOAL_GZIP_BYTES,
      assets: { files: assetFiles.length, bytes: assetFiles.reduce((n, f) => n + statSync(f).size, 0) },
      startup: { activeMs: startupRuns > 0 ? median(startupMs) : null, runs: startupMs },
    }
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

const kib = (bytes) => `${Math.round(bytes / 1024).toLocaleString('en-US')} KiB`
const bytes = (n) => `${n.toLocaleString('en-US')} B`

/** One line for the report. */
export function deploymentLine(d) {
  const startup = d.startup.activeMs == null ? '' : `; startup (wrangler check startup, local) active ${d.startup.activeMs} ms, median of ${d.startup.runs.length} (${d.startup.runs.join(', ')})`
  return (
    `deployment: worker.js ${bytes(d.workerBytes)} raw / ${bytes(d.workerGzipBytes)} gzip (${kib(d.workerGzipBytes)}); ` +
    `upload (worker.js + ${d.otherModules} text modules) ${kib(d.uploadBytes)} / gzip ${kib(d.uploadGzipBytes)}, goal < ${kib(d.goalGzipBytes)} gzip: ${d.met ? 'met' : '**missed**'}; ` +
    `static assets ${d.assets.files} files, ${kib(d.assets.bytes)} (outside the Worker)${startup}`
  )
}
