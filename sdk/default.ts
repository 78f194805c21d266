/**
 * The default client behind `import { Contact } from './sdk/crm'`: configured by `configure({...})`
 * or, failing that, from REVLINE_URL, REVLINE_TENANT and REVLINE_API_KEY on first use.
 */
import { clientOver } from './client'
import { RevlineConfigError } from './errors'
import { createTransport, type ClientOptions, type Transport } from './http'

let configured: ClientOptions | undefined
let transport: Transport | undefined

/** Sets (or replaces) the default client's options; later calls of the bound nouns use them. */
export function configure(options: Partial<ClientOptions>): void {
  configured = { ...fromEnv(), ...stripUndefined(options) } as ClientOptions
  transport = undefined
}

function env(): Record<string, string | undefined> {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {}
}

function fromEnv(): Partial<ClientOptions> {
  const e = env()
  return stripUndefined({ baseUrl: e.REVLINE_URL, tenant: e.REVLINE_TENANT, apiKey: e.REVLINE_API_KEY })
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>
}

export function defaultTransport(): Transport {
  if (transport) return transport
  const options = configured ?? (fromEnv() as ClientOptions)
  const missing = [
    ['baseUrl', 'REVLINE_URL'],
    ['tenant', 'REVLINE_TENANT'],
    ['apiKey', 'REVLINE_API_KEY'],
  ].filter(([key]) => !options[key as keyof ClientOptions])
  if (missing.length > 0)
    throw new RevlineConfigError(`the Revline SDK is not configured: set ${missing.map(([, v]) => v).join(', ')} or call configure({ ${missing.map(([k]) => k).join(', ')} })`)
  transport = createTransport(options)
  return transport
}

/** The default client itself (every noun, events, pipeline, settings). */
export const revline = clientOver(defaultTransport)
