/**
 * scripts/vendor-assets.mjs fills public/vendor/ (the static assets the docs page and the passkey
 * pages load) from the installed packages: the served files are the pinned packages' own bytes,
 * never an edited copy. Runs in Node; it fills a temporary directory, then checks the checkout's.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { VENDOR_FILES, vendorAssets } from '../../scripts/vendor-assets.mjs'

const root = path.resolve(import.meta.dirname, '../..')
const scratch = mkdtempSync(path.join(os.tmpdir(), 'revline-vendor-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const installed = (pkg: string, file: string) => readFileSync(path.join(root, 'node_modules', pkg, file))
const vendored = (dir: string, target: string) => readFileSync(path.join(dir, target))
const fill = () => vendorAssets(root, scratch)

describe('vendor-assets', () => {
  it('copies every listed file byte for byte from its package (a trailing source-map comment left out)', () => {
    expect(fill()).toEqual(VENDOR_FILES.map(([, , target]) => target))
    for (const [pkg, file, target] of VENDOR_FILES) {
      const original = installed(pkg, file)
      const copy = vendored(scratch, target)
      if (copy.equals(original)) continue
      expect(original.toString('utf8'), target).toMatch(/\/[/*]# sourceMappingURL=/)
      expect(original.toString('utf8').startsWith(copy.toString('utf8')), target).toBe(true)
      expect(original.subarray(copy.length).toString('utf8').trim(), target).toMatch(/^\/[/*]# sourceMappingURL=[^\n]*$/)
    }
  })

  it('rewrites nothing when the files are current, and removes what is no longer listed', () => {
    const first = path.join(scratch, VENDOR_FILES[0]![2])
    const written = statSync(first).mtimeMs
    const stale = path.join(scratch, 'old-package', 'old.js')
    mkdirSync(path.dirname(stale), { recursive: true })
    writeFileSync(stale, 'old')
    expect(fill()).toEqual(['old-package/old.js (removed)'])
    expect(existsSync(stale)).toBe(false)
    expect(statSync(first).mtimeMs).toBe(written)
  })

  it('puts back a file edited by hand', () => {
    const [pkg, file, target] = VENDOR_FILES.find(([, f]) => f.endsWith('.js'))!
    writeFileSync(path.join(scratch, target), '/* edited */')
    expect(fill()).toEqual([target])
    expect(vendored(scratch, target).equals(installed(pkg, file))).toBe(true)
  })

  it('is what the checkout serves: public/vendor/ matches the installed packages', () => {
    const checkout = path.join(root, 'public', 'vendor')
    for (const [, , target] of VENDOR_FILES) expect(vendored(checkout, target).equals(vendored(scratch, target)), target).toBe(true)
  })
})

