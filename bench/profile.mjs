/**
 * `--profile DIR`: a V8 CPU profile of Revline's Worker (and its Durable Objects: one isolate under
 * local workerd) while a scenario runs, taken through wrangler's inspector port with the Chrome
 * DevTools Protocol. Writes DIR/<label>.cpuprofile (open it in Chrome DevTools or speedscope) and
 * prints where the time went: self time per source module (the bundle's `// src/…` markers) and
 * inclusive time of the busiest functions. The profiler's sampling costs a little: profiled runs are
 * never the measured ones.
 */
import { writeFileSync } from 'node:fs'

export async function connect(port) {
  // wrangler's inspector proxy wants a local Origin.
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { origin: 'http://localhost' } })
  await new Promise((resolve, reject) => {
    ws.onopen = resolve
    ws.onerror = () => reject(new Error(`cannot open the inspector on port ${port}`))
  })
  let id = 0
  const pending = new Map()
  ws.onmessage = (message) => {
    const data = JSON.parse(message.data)
    const p = data.id && pending.get(data.id)
    if (!p) return
    pending.delete(data.id)
    if (data.error) p.reject(new Error(JSON.stringify(data.error)))
    else p.resolve(data.result)
  }
  // Never wait for the inspector for long: a profile is a nicety, the run must go on.
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const i = ++id
      const timer = setTimeout(() => pending.delete(i) && reject(new Error(`inspector: no answer to ${method} in 15s`)), 15_000)
      pending.set(i, { resolve: (v) => (clearTimeout(timer), resolve(v)), reject: (e) => (clearTimeout(timer), reject(e)) })
      ws.send(JSON.stringify({ id: i, method, params }))
    })
  return { send, close: () => ws.close() }
}

/** Runs `fn` under the profiler of the isolate behind `inspectorPort`; returns fn's result. */
export async function profileWhile(inspectorPort, file, fn) {
  let session
  try {
    session = await connect(inspectorPort)
    await session.send('Profiler.enable')
    await session.send('Profiler.setSamplingInterval', { interval: 500 })
    await session.send('Profiler.start')
  } catch (error) {
    process.stderr.write(`profile: ${error.message}; running without it\n`)
    session?.close()
    return fn()
  }
  try {
    return await fn()
  } finally {
    try {
      const { profile } = await session.send('Profiler.stop')
      writeFileSync(file, JSON.stringify(profile))
      const bundle = profile.nodes.find((n) => n.callFrame.url === 'worker.js')
      let source = ''
      if (bundle) {
        await session.send('Debugger.enable')
        source = (await session.send('Debugger.getScriptSource', { scriptId: bundle.callFrame.scriptId })).scriptSource
        await session.send('Debugger.disable')
      }
      process.stderr.write(`${summarize(profile, source, file)}\n`)
    } catch (error) {
      process.stderr.write(`profile: ${error.message}\n`)
    }
    session.close()
  }
}

/** Self time by module and inclusive time by function, as text. */
export function summarize(profile, source, label) {
  // Line → module, from esbuild's `// src/…` / `// node_modules/…` comments.
  const modules = []
  source.split('\n').forEach((line, i) => {
    // esbuild's module markers: `// src/http/app.ts`, `// node_modules/hono/dist/…` (or `../../…` from a copy).
    const m = /^\/\/ (\S+\.(?:[cm]?[jt]sx?|json|sql|css))$/.exec(line)
    if (!m) return
    const file = m[1]
    const pkg = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)
    modules.push([i, pkg ? `node_modules/${pkg[1]}` : file.replace(/^(\.\.\/)+/, '')])
  })
  const moduleOf = (cf) => {
    if (cf.url !== 'worker.js') return cf.url ? cf.url : `(${cf.functionName || 'native'})`
    let lo = 0
    let hi = modules.length - 1
    let found = '(bundle)'
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (modules[mid][0] <= cf.lineNumber) {
        found = modules[mid][1]
        lo = mid + 1
      } else hi = mid - 1
    }
    return found
  }
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  // Count samples rather than summing timeDeltas: an isolate that sat idle between two samples would
  // otherwise charge the whole gap to whatever ran next.
  const interval = profile.samples.length ? (profile.endTime - profile.startTime) / profile.samples.length : 0
  const time = new Map()
  for (const s of profile.samples) time.set(s, (time.get(s) ?? 0) + 1)
  let total = 0
  const self = new Map()
  const inclusive = new Map()
  for (const [id, t] of time) {
    total += t
    const node = nodes.get(id)
    const key = moduleOf(node.callFrame)
    self.set(key, (self.get(key) ?? 0) + t)
    const seen = new Set()
    for (let cur = id; cur != null; cur = parent.get(cur)) {
      const cf = nodes.get(cur).callFrame
      if (!cf.functionName || cf.functionName === '(root)') continue
      const k = `${cf.functionName} (${moduleOf(cf)})`
      if (seen.has(k)) continue
      seen.add(k)
      inclusive.set(k, (inclusive.get(k) ?? 0) + t)
    }
  }
  const top = (map, n) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `    ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n')
  return `profile ${label}: ${total} samples (~${((total * Math.min(interval, 500)) / 1000).toFixed(0)} ms busy)\n  self time by module:\n${top(self, 18)}\n  inclusive time by function:\n${top(inclusive, 30)}`
}
