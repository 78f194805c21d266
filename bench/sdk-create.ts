/**
 * `npm run bench:sdk`: does the SDK add overhead? The same contact create, through the SDK
 * (`revline.Contact.create`, with its Idempotency-Key and retry wrapper) and as a raw `fetch`,
 * against one `wrangler dev`, alternating rounds at 10 concurrent callers. Goal: ratio ≥ 0.9.
 */
import { createClient } from '../sdk'
import { ADMIN_TOKEN, startDevServer } from '../test/e2e/dev-server'

const ROUNDS = 4
const PER_ROUND = 400
const CONCURRENCY = 10

async function pool(n: number, task: (i: number) => Promise<void>) {
  let next = 0
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) await task(next++)
  }))
}

const server = await startDevServer()
try {
  const created = await fetch(`${server.baseUrl}/tenants`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ slug: 'sdkbench', name: 'SDK bench' }) })
  const { apiKey } = (await created.json()) as { apiKey: string }
  const revline = createClient({ baseUrl: server.baseUrl, tenant: 'sdkbench', apiKey })
  let n = 0
  const raw = async () => {
    const res = await fetch(`${server.baseUrl}/~sdkbench/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
      body: JSON.stringify({ name: 'Raw', email: `raw-${n++}@x.dev` }),
    })
    if (res.status !== 201) throw new Error(`raw create answered ${res.status}`)
    await res.text()
  }
  const sdk = async () => {
    await revline.Contact.create({ name: 'Sdk', email: `sdk-${n++}@x.dev` })
  }
  const measure = async (fn: () => Promise<void>) => {
    const t0 = performance.now()
    await pool(PER_ROUND, fn)
    return PER_ROUND / ((performance.now() - t0) / 1000)
  }
  await measure(raw)
  await measure(sdk)
  const ratios: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const [a, b] = round % 2 === 0 ? [await measure(raw), await measure(sdk)] : [NaN, NaN]
    const [c, d] = round % 2 === 1 ? [await measure(sdk), await measure(raw)] : [b, a]
    const rawRps = round % 2 === 0 ? a : d
    const sdkRps = round % 2 === 0 ? b : c
    ratios.push(sdkRps / rawRps)
    console.log(`round ${round + 1}: raw ${rawRps.toFixed(0)} rps, sdk ${sdkRps.toFixed(0)} rps, ratio ${(sdkRps / rawRps).toFixed(2)}`)
  }
  ratios.sort((x, y) => x - y)
  const median = (ratios[1]! + ratios[2]!) / 2
  console.log(`SDK create vs raw HTTP: median ratio ${median.toFixed(2)} (goal ≥ 0.9) → ${median >= 0.9 ? 'met' : 'missed'}`)
} finally {
  await server.stop()
}
