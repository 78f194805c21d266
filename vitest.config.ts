import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      {
        // Unit and integration tests inside the Workers runtime (real DOs, SQLite, queues).
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            // Tests use their own operator token rather than whatever .dev.vars holds.
            miniflare: { bindings: { ADMIN_TOKEN: 'test-admin-token' } },
          }),
        ],
        test: { name: 'workers', include: ['test/*.test.ts'] },
      },
      {
        // Architecture checks in Node: the import graph of src/ (no cycles, arrows point down).
        test: { name: 'structure', include: ['test/structure/**/*.test.ts'] },
      },
      {
        // End-to-end tests in Node against `wrangler dev`, started as a user starts it.
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 90_000, fileParallelism: false },
      },
    ],
  },
})
