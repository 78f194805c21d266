/** migrations/fresh/schema.sql is what scripts/schema-snapshot.mjs makes from today's migrations (run `npm run db:snapshot`). */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SNAPSHOT, snapshotOf } from '../../scripts/schema-snapshot.mjs'

describe('the new-object schema snapshot', () => {
  it('is current with migrations/', async () => {
    expect(readFileSync(SNAPSHOT, 'utf8'), 'migrations/fresh/schema.sql is stale: run npm run db:snapshot').toBe(await snapshotOf())
  })
})
