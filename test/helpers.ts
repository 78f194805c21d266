import { expect } from 'vitest'
/** Test helpers: requests through the real Worker (and its Durable Objects) in the Workers runtime. */
import { exports } from 'cloudflare:workers'

export const ADMIN_TOKEN = 'test-admin-token'
const BASE = 'http://revline.test'

export interface CallOptions {
  key?: string | null
  body?: unknown
  headers?: Record<string, string>
  host?: string
}

export interface ApiResponse<T = any> {
  status: number
  headers: Headers
  body: T
}

export async function request<T = any>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.key) headers.authorization = `Bearer ${options.key}`
  let body: BodyInit | undefined
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
    headers['content-type'] ??= 'application/json'
  }
  const url = options.host ? `http://${options.host}${path}` : `${BASE}${path}`
  const response = await exports.default.fetch(new Request(url, { method, headers, body }))
  const text = await response.text()
  let parsed: unknown = text
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T }
}

let counter = 0
/** A fresh tenant per test: storage is shared within a file, so names must not repeat. */
export async function createTenant(prefix = 't'): Promise<{ slug: string; key: string; keyId: string; api: TenantApi }> {
  const slug = `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 6)}`
  const res = await request('POST', '/tenants', { key: ADMIN_TOKEN, body: { slug, name: `Tenant ${slug}` } })
  if (res.status !== 201) throw new Error(`tenant creation failed: ${res.status} ${JSON.stringify(res.body)}`)
  const key = res.body.apiKey as string
  return { slug, key, keyId: res.body.keyId, api: tenantApi(slug, key) }
}

export type TenantApi = ReturnType<typeof tenantApi>

export function tenantApi(slug: string, key: string | null) {
  const call = <T = any>(method: string, path: string, options: CallOptions = {}) => request<T>(method, `/~${slug}${path}`, { key, ...options })
  return {
    get: <T = any>(path: string, options?: CallOptions) => call<T>('GET', path, options),
    post: <T = any>(path: string, body?: unknown, options?: CallOptions) => call<T>('POST', path, { ...options, body }),
    patch: <T = any>(path: string, body?: unknown, options?: CallOptions) => call<T>('PATCH', path, { ...options, body }),
    put: <T = any>(path: string, body?: unknown, options?: CallOptions) => call<T>('PUT', path, { ...options, body }),
    delete: <T = any>(path: string, options?: CallOptions) => call<T>('DELETE', path, options),
    /** The tenant's events in order, without the `system` ones that provisioned it (default stages, plan). */
    async events(query = ''): Promise<any[]> {
      const res = await call('GET', `/events?limit=500${query ? `&${query}` : ''}`)
      return res.body.data.filter((e: { actor: string }) => e.actor !== 'system')
    },
    /** Event types of the tenant's log, in order, optionally only for some entity (provisioning left out). */
    async eventTypes(entity?: string): Promise<string[]> {
      const res = await call('GET', `/events?limit=500${entity ? `&entity=${entity}` : ''}`)
      return res.body.data.filter((e: { actor: string }) => e.actor !== 'system').map((e: { type: string }) => e.type)
    },
  }
}

/** Like `request`, but the body goes as is (FormData, URLSearchParams, text…): the runtime sets its content type. */
export async function rawRequest<T = any>(method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string>; key?: string; host?: string } = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...init.headers }
  if (init.key) headers.authorization = `Bearer ${init.key}`
  const url = init.host ? `http://${init.host}${path}` : `${BASE}${path}`
  const response = await exports.default.fetch(new Request(url, { method, headers, body: init.body, redirect: 'manual' }))
  const text = await response.text()
  let parsed: unknown = text
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T }
}

/** Issues another API key of the tenant (admin key `adminKey`); returns its id, secret and an API bound to it. */
export async function issueKey(slug: string, adminKey: string, role: 'admin' | 'member', name = `${role} key`): Promise<{ id: string; key: string; api: TenantApi }> {
  const res = await request('POST', `/~${slug}/keys`, { key: adminKey, body: { role, name } })
  if (res.status !== 201) throw new Error(`key creation failed: ${res.status} ${JSON.stringify(res.body)}`)
  return { id: res.body.id, key: res.body.key, api: tenantApi(slug, res.body.key) }
}

/** A refused request: the status, RFC 9457 problem+json with a stable code, and never a stack trace. */
export function expectProblem(res: ApiResponse, status: number, code: string, what = '') {
  expect(res.status, `${what} ${JSON.stringify(res.body)}`).toBe(status)
  expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/)
  expect(res.body, what).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String), detail: expect.any(String) })
  expect(JSON.stringify(res.body), what).not.toMatch(/\bat \S+ \(|\.ts:\d+|\.js:\d+/)
}

/** POSTs to a collection and expects 201: the created entity. */
export async function createOk(api: TenantApi, collection: string, body: Record<string, unknown>) {
  const res = await api.post(`/${collection}`, body)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

/** Awaits any call and expects 200: the body. */
export async function ok(promise: Promise<ApiResponse>) {
  const res = await promise
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body
}

/** GETs a path and expects 200: the body. */
export async function readOk(api: TenantApi, path: string) {
  const res = await api.get(path)
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body
}

/** JSON with sorted keys (the same settings may come back in another key order) and without lastUsedAt (reading stamps it). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (key, v) => {
    if (key === 'lastUsedAt') return undefined
    if (!v || typeof v !== 'object' || Array.isArray(v)) return v
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
  })
}

/** The entries of two snapshots that differ, each shown around its first differing character. */
export function snapshotChanges(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys({ ...before, ...after })
    .filter((k) => before[k] !== after[k])
    .map((k) => {
      const [a = '', b = ''] = [before[k], after[k]]
      let i = 0
      while (i < a.length && a[i] === b[i]) i++
      return `${k}: before …${a.slice(Math.max(0, i - 60), i + 200)}\n      after  …${b.slice(Math.max(0, i - 60), i + 200)}`
    })
}

/**
 * Inside `runInDurableObject`: the tenant object's tables through the app's own store and drizzle
 * schema (`sql` replaces the storage's SQL handle, e.g. to record statements).
 */
export async function storeIn(state: DurableObjectState, sql: SqlStorage = state.storage.sql) {
  const { drizzle } = await import('drizzle-orm/durable-sqlite')
  const schema = await import('../src/durable/schema')
  const { EntityStore } = await import('../src/durable/entity-store')
  const { entityTables } = await import('../src/durable/schema/tables')
  const { nouns } = await import('../src/domain/nouns')
  const { tenantRegistry } = await import('../src/durable/tenant-nouns')
  const db = drizzle(state.storage, { schema })
  // The tenant's own nouns too, from the schema its row holds.
  const stored = state.storage.sql.exec<{ schema: string }>('SELECT schema FROM tenant').toArray()[0]?.schema
  const registry = tenantRegistry(stored ? JSON.parse(stored) : undefined)
  return { db, schema, entityTables, nouns, registry, store: new EntityStore(db, sql, entityTables, registry) }
}

/** A request as the fuzzer and the isolation matrix build it: any method, headers, body and host. */
export interface RawRequest {
  method: string
  path: string
  headers?: Record<string, string | undefined>
  body?: string | Uint8Array | FormData | URLSearchParams
  host?: string
}

export interface RawResponse {
  status: number
  headers: Headers
  text: string
  json: any
}

/** Sends a RawRequest through the Worker, redirects not followed; JSON parsed when the body is JSON. */
export async function sendRaw(req: RawRequest): Promise<RawResponse> {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers ?? {})) if (value !== undefined) headers.set(name, value)
  const url = `${req.host ? `http://${req.host}` : BASE}${req.path}`
  // Strings go as bytes so the runtime adds no content type of its own: the caller picks it.
  const body = req.method === 'GET' || req.method === 'HEAD' || req.body === undefined ? undefined : typeof req.body === 'string' ? new TextEncoder().encode(req.body) : req.body
  const response = await exports.default.fetch(new Request(url, { method: req.method, headers, body, redirect: 'manual' }))
  const text = await response.text()
  let json: unknown
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, text, json }
}

/** Text and raw bytes as one body: the bytes are the point when a test sends what is not UTF-8. */
export function bytesOf(...parts: (string | number[])[]): Uint8Array {
  const chunks = parts.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : Uint8Array.from(p)))
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.length
  }
  return out
}

/** The MCP JSON-RPC message a response carries (plain JSON or SSE `data:` lines), if any. */
export function rpcOf(res: RawResponse): any {
  if (res.json !== undefined) return res.json
  const data = res.text
    .split('\n')
    .filter((l) => l.startsWith('data:'))
    .map((l) => l.slice(5))
    .join('')
  try {
    return data ? JSON.parse(data) : undefined
  } catch {
    return undefined
  }
}

/** The kind of the dashboard's flash message a redirect set (`ok` or `error`), read without checking its signature. */
export function flashKind(res: { headers: Headers }): 'ok' | 'error' | undefined {
  const set = res.headers.getSetCookie().find((c) => c.startsWith('rvl_flash=') && !/max-age=0/i.test(c))
  if (!set) return undefined
  const value = decodeURIComponent(set.slice('rvl_flash='.length).split(';')[0]!)
  try {
    return (JSON.parse(value.slice(0, value.lastIndexOf('.'))) as { kind: 'ok' | 'error' }).kind
  } catch {
    return undefined
  }
}

/** One `tools/call` over streamable HTTP, as an MCP client sends it; the tool's result. */
export async function callTool(slug: string, key: string, name: string, args: Record<string, unknown>, requestId = `req-${Math.random().toString(36).slice(2)}`) {
  const res = await sendRaw({
    method: 'POST',
    path: `/~${slug}/mcp`,
    headers: { host: 'revline.test', authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-request-id': requestId },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
  })
  expect(res.status, res.text).toBe(200)
  const rpc = rpcOf(res)
  const result = rpc.result as { isError?: boolean; content: { text: string }[] }
  const text = result.content[0]!.text
  // The MCP SDK answers arguments its input schema refuses in plain text ("Input validation error: …").
  let body: any = text
  try {
    body = JSON.parse(text)
  } catch {}
  return { isError: result.isError === true, body }
}

/** Every id in an entity table, soft-deleted rows too (with `store.getAnyMany`, the table as the store reads it). */
export const rowIds = (sql: SqlStorage, table: string): string[] => sql.exec<{ id: string }>(`SELECT "id" FROM "${table}"`).toArray().map((row) => row.id)
