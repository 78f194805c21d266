/**
 * scripts/vendor-assets.mjs fills public/vendor/ (the static assets the docs page and the passkey
 * pages load) from the installed packages: the served files are the pinned packages' own bytes,
 * never an edited copy. Runs in Node, on a copy of the layout in a temporary directory.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { VENDOR_FILES, vendorAssets } from '../../scripts/vendor-assets.mjs'

const root = path.resolve(import.meta.dirname, '../..')
const scratch = mkdtempSync(path.join(os.tmpdir(), 'revline-vendor-'))
symlinkSync(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const installed = (pkg: string, file: string) => readFileSync(path.join(root, 'node_modules', pkg, file))
const vendored = (dir: string, target: string) => readFileSync(path.join(dir, 'public', 'vendor', target))

describe('vendor-assets', () => {
  it('copies every listed file byte for byte from its package (a trailing source-map comment left out)', () => {
    expect(vendorAssets(scratch)).toEqual(VENDOR_FILES.map(([, , target]) => target))
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
    const first = path.join(scratch, 'public', 'vendor', VENDOR_FILES[0]![2])
    const written = statSync(first).mtimeMs
    const stale = path.join(scratch, 'public', 'vendor', 'old-package', 'old.js')
    mkdirSync(path.dirname(stale), { recursive: true })
    writeFileSync(stale, 'old')
    expect(vendorAssets(scratch)).toEqual(['old-package/old.js (removed)'])
    expect(existsSync(stale)).toBe(false)
    expect(statSync(first).mtimeMs).toBe(written)
  })

  it('puts back a file edited by hand', () => {
    const [pkg, file, target] = VENDOR_FILES.find(([, f]) => f.endsWith('.js'))!
    writeFileSync(path.join(scratch, 'public', 'vendor', target), '/* edited */')
    expect(vendorAssets(scratch)).toEqual([target])
    expect(vendored(scratch, target).equals(installed(pkg, file))).toBe(true)
  })

  it('is what the checkout serves: public/vendor/ matches the installed packages', () => {
    for (const [, , target] of VENDOR_FILES) expect(vendored(root, target).equals(vendored(scratch, target)), target).toBe(true)
  })
})

