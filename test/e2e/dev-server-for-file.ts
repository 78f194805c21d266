/** The vitest side of dev-server.ts (which stays free of vitest, for the bench scripts that start a server too). */
import { afterAll, beforeAll } from 'vitest'
import { startDevServer, type DevServer, type DevServerOptions } from './dev-server'

/**
 * One server for the calling test file: started before its tests, stopped after them. Read its
 * `baseUrl` inside tests (it is known once `beforeAll` has run).
 */
export function devServerForFile(options: DevServerOptions = {}): { readonly baseUrl: string } {
  let server: DevServer | undefined
  beforeAll(async () => {
    server = await startDevServer(options)
  }, 90_000)
  afterAll(async () => {
    await server?.stop()
  })
  return {
    get baseUrl() {
      if (!server) throw new Error('the dev server is not started yet: read baseUrl inside a test')
      return server.baseUrl
    },
  }
}
