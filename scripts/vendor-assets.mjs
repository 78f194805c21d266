/**
 * `node scripts/vendor-assets.mjs`: copies the browser files Revline serves from npm packages into
 * public/vendor/ (git-ignored), which Workers Static Assets serves ([assets] in wrangler.toml): the
 * files come from the versions package-lock.json pins, never from an edited copy, and stay out of
 * the Worker's bundle. Runs before every wrangler build (wrangler.toml `[build] command`: `npm run
 * dev`, deploy and its dry-run, `wrangler types`, `wrangler check startup`) and whenever vitest loads
 * its config (vitest.config.ts), since the Workers test pool does not run wrangler's build command.
 *
 * A file is written only when its bytes change (`wrangler dev` reloads on asset changes), and files
 * in public/vendor/ that are no longer listed are removed, so the directory is exactly this list.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * [package, file in the package, path under public/vendor/]: the URL is `/vendor/<path>`.
 * @type {[pkg: string, file: string, target: string][]}
 */
export const VENDOR_FILES = [
  // The API reference page (/docs, src/http/openapi/ui.ts).
  ['swagger-ui-dist', 'swagger-ui-bundle.js', 'swagger-ui-dist/swagger-ui-bundle.js'],
  ['swagger-ui-dist', 'swagger-ui-bundle.js.LICENSE.txt', 'swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt'],
  ['swagger-ui-dist', 'swagger-ui.css', 'swagger-ui-dist/swagger-ui.css'],
  // The dashboard's passkey pages (src/dashboard/passkeys.tsx); global `SimpleWebAuthnBrowser`.
  ['@simplewebauthn/browser', 'dist/bundle/index.umd.min.js', 'simplewebauthn-browser/index.umd.min.js'],
]

/** A trailing source-map comment: the maps are not served, so browsers would ask for a missing file. */
const SOURCE_MAP_COMMENT = /\n?\/[/*]# sourceMappingURL=[^\n]*\s*$/

/** The package's directory, looked up the way Node resolves a bare import (nearest node_modules upwards). */
function packageDir(name, from) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name)
    if (existsSync(path.join(candidate, 'package.json'))) return candidate
    if (path.dirname(dir) === dir) throw new Error(`vendor-assets: package ${name} is not installed (run npm ci)`)
  }
}

function filesUnder(dir, prefix = '') {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  )
}

/**
 * Brings `out` (`<root>/public/vendor/`) up to date; returns the paths it wrote or removed.
 * @param {string} root the checkout (packages are looked up from it upwards)
 * @param {string} [out] the directory to fill
 * @returns {string[]}
 */
export function vendorAssets(root, out = path.join(root, 'public', 'vendor')) {
  const changed = []
  for (const [pkg, file, target] of VENDOR_FILES) {
    const source = readFileSync(path.join(packageDir(pkg, root), file))
    const body = /\.(js|css)$/.test(file) ? Buffer.from(source.toString('utf8').replace(SOURCE_MAP_COMMENT, '')) : source
    const destination = path.join(out, target)
    if (existsSync(destination) && readFileSync(destination).equals(body)) continue
    mkdirSync(path.dirname(destination), { recursive: true })
    writeFileSync(destination, body)
    changed.push(target)
  }
  const listed = new Set(VENDOR_FILES.map(([, , target]) => target))
  for (const stale of filesUnder(out).filter((f) => !listed.has(f))) {
    rmSync(path.join(out, stale))
    changed.push(`${stale} (removed)`)
  }
  return changed
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
  const changed = vendorAssets(root)
  console.log(changed.length ? `vendor-assets: ${changed.join(', ')}` : 'vendor-assets: public/vendor/ is up to date')
}
