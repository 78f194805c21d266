/**
 * Runs before every test file of the workers project (vitest `setupFiles`). A file's first request
 * loads the Worker's modules and creates its first tenant object (every migration applied): seconds
 * on a loaded machine. Paying for it here, under the hook timeout, keeps it out of the first test's
 * own budget, so no test races the clock for work it does not do.
 */
import { beforeAll } from 'vitest'
import { createTenant } from './helpers'

beforeAll(async () => {
  const { api } = await createTenant('warm')
  await api.post('/contacts', { name: 'Warm-up' })
})
