/**
 * What the edge asks a tenant object to do: one serialisable operation per request, so each
 * request is a single DO RPC. Outcomes carry failures as data so their codes cross RPC intact.
 */
import type { Step } from '../domain/engine/steps'
import type { VerbRoute } from '../domain/noun/noun'
import type { Failure } from '../domain/errors'
import type { ListQuery } from '../domain/query/list-query'
import type { EventQuery } from './event-log'
import type { SettingsSection } from './settings-ops'
import type { ImportRow } from './bulk'
import type { NewCredential } from './passkeys'
import type { SubjectPage } from './subject-ops'

export type Operation =
  /** Only checks the credentials: used to answer 401 before a 400 for a malformed request. */
  | { kind: 'authenticate' }
  /**
   * `noun` is a noun's name (`Contact`) or its collection (`contacts`): the object resolves it
   * against the tenant's own schema. A REST request sends its query string as `params`, parsed
   * there too, so filters on the tenant's fields work; other callers may send a parsed `query`.
   */
  | { kind: 'list'; noun: string; query?: ListQuery; params?: [string, string][] }
  | { kind: 'get'; noun: string; id: string; include?: string[]; includeParam?: string; asOf?: string }
  | { kind: 'history'; noun: string; id: string }
  /** Erases a person's personal data everywhere (admins): src/durable/forget-ops.ts. */
  | { kind: 'contacts.forget'; id: string }
  /** `route`: the REST route it came by, whose verbs it must be (a collection verb is no instance verb). */
  | { kind: 'verb'; noun: string; verb: string; id?: string; input?: unknown; expectedVersion?: number; route?: VerbRoute }
  /** Several verbs in one transaction (MCP `do` with steps); a step may use an earlier result ("$0.$id"). */
  | { kind: 'steps'; steps: Step[] }
  | { kind: 'events'; query: EventQuery }
  /** The newest event's seq: a page read after it opens the live feed from there (`?after=`), missing nothing in between. */
  | { kind: 'events.head' }
  /** Walks the hash chain: `{ ok, count, head }`, or the first seq that does not verify (admins). */
  | { kind: 'events.verify' }
  /** Full-text search; `types` are noun names or collections; `offset` from the previous page's `next`. */
  | { kind: 'search'; q: string; types?: string[]; limit: number; offset: number }
  /** `user`: 'me' (the caller's own key), a user id (admins), or absent for a service key (admins). `role` absent: the user's own. */
  | { kind: 'keys.create'; id: string; name: string; role?: 'admin' | 'member'; hash: string; user?: string }
  /** `user: 'me'`: the caller's own keys (any user); otherwise every key (admins). */
  | { kind: 'keys.list'; user?: 'me' }
  | { kind: 'keys.revoke'; id: string; user?: 'me' }
  /** The user (or service key) behind the request. */
  | { kind: 'me' }
  | { kind: 'me.sessions' }
  | { kind: 'me.sessions.revoke'; id: string }
  /** The signed-in user's passkeys: a registration challenge, spending it, storing a verified credential, listing, removing. */
  | { kind: 'passkeys.options' }
  | { kind: 'passkeys.spend'; challenge: string }
  | { kind: 'passkeys.register'; id: string; name: string; credential: NewCredential }
  | { kind: 'passkeys.list' }
  | { kind: 'passkeys.remove'; id: string }
  | { kind: 'sources.create'; name: string; secret: string; mapping: Record<string, string> }
  | { kind: 'sources.list' }
  | { kind: 'sources.revoke'; id: string }
  | { kind: 'import'; noun: string; rows: ImportRow[] }
  | { kind: 'export'; noun: string; cursor?: string; limit: number }
  /**
   * Subject access (admins): everything held about the person behind a contact. The answer is the
   * document's head with the person's record ids and event seqs, which `subject.page` reads in pages.
   */
  | { kind: 'subject.export'; contact: string }
  | { kind: 'subject.page'; page: SubjectPage }
  | { kind: 'jobs.runs'; limit: number }
  | { kind: 'jobs.dead'; limit: number }
  | { kind: 'webhooks.deliveries'; limit: number }
  | { kind: 'analytics'; report: 'summary' | 'funnel' | 'attribution' | 'cycle' | 'billing'; dateFrom?: string; dateTo?: string }
  /** The tenant's nouns in the DSL (one, by name, or all), or the raw document the edge builds projections from. */
  | { kind: 'schema.get'; name?: string }
  | { kind: 'schema.doc' }
  /** `drop`: the fields (or the noun) whose stored values the change may delete. */
  | { kind: 'schema.put'; name: string; body: unknown; drop: string[] }
  | { kind: 'schema.delete'; name: string; drop: string[] }
  /** The whole configuration as one document; a PUT makes it so, all or nothing (`dryRun`: report, change nothing). */
  | { kind: 'manifest.get' }
  | { kind: 'manifest.put'; body: unknown; dryRun: boolean; drop: string[] }
  | { kind: 'settings.get'; section: SettingsSection }
  | { kind: 'settings.put'; section: SettingsSection; value: unknown }
  /** The custom fields the dashboard's lead table and Add Lead form show, resolved against the tenant's nouns (any role: members use the dashboard too). */
  | { kind: 'dashboard.layout' }

/** Who is calling: an API key, or a user's session (exactly one of the two). */
export interface Credentials {
  /** SHA-256 (hex) of the presented API key; the key itself never leaves the edge. */
  keyHash?: string
  /** SHA-256 (hex) of a user session's token; the token itself stays in the browser's cookie. */
  sessionHash?: string
  requestId: string
  /** The tenant's base URL as this request reached it: links in emails (invitations) point there. */
  baseUrl?: string
  /** From `Idempotency-Key`: the key and a hash of the request it came with. */
  idempotency?: { key: string; requestHash: string }
}

export type Outcome<T = unknown> = { ok: true; value: T; replayed?: boolean } | { ok: false; failure: Failure }

/** What the operator's `POST /tenants` hands a new tenant object (a restore hands it a RestoreInit instead). */
export interface TenantInit {
  slug: string
  name: string
  adminKey: { id: string; hash: string }
  /** The team's first owner: invited by email (a sign-in link) when the operator gives one. */
  owner?: { email: string; name: string }
  /** The tenant's base URL, for the owner's invitation link. */
  baseUrl?: string
}
