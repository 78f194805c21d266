/**
 * The SDK's manifest against the server's noun schemas (no server needed): routes, verbs and their
 * scope and input, relations and hook names must match, or the SDK would call routes that are not there.
 * On a mismatch, regenerate with `npx tsx test/e2e/sdk-manifest.ts` and paste it into sdk/manifest.ts.
 * The CLI's reading of the Noun DSL (it types field=value pairs and writes `revline types`) is held
 * to the server's grammar the same way.
 */
import { describe, expect, it } from 'vitest'
import { readField } from '../../cli/dsl'
import { MANIFEST } from '../../sdk/manifest'
import { isVerbDeclaration, parseField } from '../../src/domain/noun/grammar'
import { NOUNS } from '../../src/domain/nouns'
import { manifestFromSchema } from './sdk-manifest'

describe('sdk/manifest.ts', () => {
  it('matches the nouns the server declares', () => {
    expect(JSON.parse(JSON.stringify(MANIFEST))).toEqual(manifestFromSchema())
  })
})

describe('cli/dsl.ts', () => {
  it('reads every field of every built-in noun, and the forms tenants write, as the server grammar does', () => {
    const seen = new Set<string>()
    const definitions = [...Object.values(NOUNS).map((n) => n.schema.definition), { a: 'int = 3', b: 'string!##', c: 'Draft | Done[]', d: '-> Organization.projects', e: 'number?', f: 'Gold | Silver = Gold' }]
    for (const definition of definitions) {
      for (const [name, source] of Object.entries(definition)) {
        if (source === null || isVerbDeclaration(source)) {
          expect(readField(source), `${name}: ${source}`).toBeUndefined()
          continue
        }
        const server = parseField(name, source)
        const cli = readField(source)
        seen.add(server.kind)
        if (server.kind === 'reverse') {
          expect(cli, source).toBeUndefined()
          continue
        }
        const expected = {
          kind: server.kind,
          required: server.required,
          list: server.list,
          hasDefault: server.default !== undefined,
          ...(server.kind === 'scalar' ? { type: server.type } : server.kind === 'enum' ? { values: server.values } : { target: server.target }),
        }
        expect(cli, `${name}: ${source}`).toEqual(expected)
      }
    }
    expect([...seen].sort()).toEqual(['enum', 'relation', 'reverse', 'scalar'])
  })
})
