/**
 * The SDK's manifest against the server's noun schemas (no server needed): routes, verbs and their
 * scope and input, relations and hook names must match, or the SDK would call routes that are not there.
 * On a mismatch, regenerate with `npx tsx test/e2e/sdk-manifest.ts` and paste it into sdk/manifest.ts.
 */
import { describe, expect, it } from 'vitest'
import { MANIFEST } from '../../sdk/manifest'
import { manifestFromSchema } from './sdk-manifest'

describe('sdk/manifest.ts', () => {
  it('matches the nouns the server declares', () => {
    expect(JSON.parse(JSON.stringify(MANIFEST))).toEqual(manifestFromSchema())
  })
})
