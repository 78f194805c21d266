import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      // Tests use their own operator token rather than whatever .dev.vars holds.
      miniflare: { bindings: { ADMIN_TOKEN: 'test-admin-token' } },
    }),
  ],
  test: {
    include: ['test/**/*.test.ts'],
  },
})
