/**
 * wrangler.toml's `assets.run_worker_first`: the API's paths go straight to the Worker, the vendored
 * browser files to the asset router. Without it, every API call first paid an asset lookup (about
 * 0.08 of the read and write ratios in `npm run bench`) for paths that never hold a file.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, it } from 'vitest'

const toml = readFileSync(path.resolve(import.meta.dirname, '../../wrangler.toml'), 'utf8')

/** The patterns as wrangler reads them: `*` matches any run of characters, `!` excludes. */
function workerFirst(): (pathname: string) => boolean {
  const line = /^run_worker_first = (\[.*\])$/m.exec(toml)
  expect(line, 'wrangler.toml [assets] sets run_worker_first to a list of patterns').not.toBeNull()
  const patterns = JSON.parse(line![1]!) as string[]
  const toRegex = (glob: string) => new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`)
  const include = patterns.filter((p) => !p.startsWith('!')).map(toRegex)
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => toRegex(p.slice(1)))
  return (pathname) => include.some((r) => r.test(pathname)) && !exclude.some((r) => r.test(pathname))
}

it('sends every API path to the Worker first, and the vendored files to the asset router', () => {
  const first = workerFirst()
  for (const api of ['/~acme/leads', '/~acme/deals/deal_ABCDEFGHI/advance', '/~acme/events/ws', '/~acme/dashboard', '/tenants', '/tenants/acme'])
    expect(first(api), api).toBe(true)
  for (const file of ['/vendor/swagger-ui-dist/swagger-ui-bundle.js', '/vendor/simplewebauthn-browser/index.umd.min.js']) expect(first(file), file).toBe(false)
})
