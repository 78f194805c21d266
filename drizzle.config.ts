import { defineConfig } from 'drizzle-kit'

// The tenant Durable Object's SQLite schema; `driver: 'durable-sqlite'` also writes migrations/migrations.js.
export default defineConfig({
  out: './migrations',
  schema: './src/durable/schema/index.ts',
  dialect: 'sqlite',
  driver: 'durable-sqlite',
})
