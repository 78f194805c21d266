import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { vendorAssets } from './scripts/vendor-assets.mjs'

// The Workers pool serves public/ through the ASSETS binding but does not run wrangler.toml's
// [build] command, which fills public/vendor/ from node_modules: fill it here, before any project starts.
vendorAssets(fileURLToPath(new URL('.', import.meta.url).href))

export default defineConfig({
  test: {
    projects: [
      {
        // Unit and integration tests inside the Workers runtime (real DOs, SQLite, queues).
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            // Tests run on their own settings, not on whatever .dev.vars holds: `npm run dev` writes one
            // that lets webhooks reach private addresses, which the webhook-target tests must see refused.
            // Small live-feed limits and a fast heartbeat, so the tests reach both in a few connections and a second.
            miniflare: { bindings: { ADMIN_TOKEN: 'test-admin-token', ALLOW_PRIVATE_WEBHOOK_TARGETS: 'false', FEED_CONNECTIONS_PER_KEY: '3', FEED_CONNECTIONS_PER_TENANT: '5', FEED_HEARTBEAT_SECONDS: '1' } },
          }),
        ],
        test: {
          name: 'workers',
          include: ['test/*.test.ts'],
          // Each file's first tenant is made here, before its tests (test/warm-up.ts).
          setupFiles: ['./test/warm-up.ts'],
          // Sized for a 2-core machine shared with other work: a test makes tens of requests through
          // the Worker and its objects (about a second alone, several times that under load); the
          // warm-up starts the runtime. Suites with heavier tests (fuzz, imports) set their own.
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
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
