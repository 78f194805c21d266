/** Helpers shared by the SDK and CLI end-to-end tests. */
import { ADMIN_TOKEN } from './dev-server'

let counter = 0

/** A fresh tenant on the dev server; answers its slug and first (admin) API key. */
export async function newTenant(baseUrl: string, prefix: string): Promise<{ tenant: string; apiKey: string }> {
  const tenant = `${prefix}-${Date.now().toString(36)}-${counter++}`
  const response = await fetch(`${baseUrl}/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ slug: tenant, name: tenant }),
  })
  if (response.status !== 201) throw new Error(`creating tenant ${tenant}: ${response.status} ${await response.text()}`)
  const body = (await response.json()) as { apiKey: string }
  return { tenant, apiKey: body.apiKey }
}

/** A loopback port nothing listens on: connections to it are refused. */
export { freePort as closedPort } from './dev-server'
