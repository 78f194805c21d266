/**
 * A page that follows the live feed (issue 17): what the page hands to live.js (live-script.ts). The
 * page reads the log's head before its other reads, so the feed opened `?after=` it delivers every
 * event the page may not show; the event types are the verbs of the nouns the page shows, as the
 * engine names their events (`lead.converted`), because EventSource hears named events only by name.
 */
import { nouns } from '../domain/nouns'
import { assetPath } from './assets'
import type { Context } from 'hono'
import type { AppEnv } from '../http/types'
import type { SignedIn } from './signed-in'

export interface LiveFeed {
  /** The log's head when the page began reading. */
  after: number
  /** The event types after which the page is read again. */
  types: string[]
}

/** Every event type of these nouns' verbs, and the configuration events named in `extra`. */
export function eventTypes(names: string[], extra: string[] = []): string[] {
  const types = names.flatMap((name) => {
    const noun = nouns.byName(name)
    if (!noun) throw new Error(`no noun ${name}`)
    return Object.values(noun.verbs).map((verb) => `${name.toLowerCase()}.${verb.past}`)
  })
  return [...new Set([...types, ...extra])]
}

/**
 * The feed's own filter for these types, so the server sends only what the page listens to: a
 * noun's events as `lead.*` when the page takes several of them, a lone type as itself (7 entries
 * for the CRM page, under the filter's limit of 20).
 */
export function feedFilter(types: string[]): string {
  const byNoun = new Map<string, string[]>()
  for (const type of types) {
    const noun = type.slice(0, type.indexOf('.'))
    byNoun.set(noun, [...(byNoun.get(noun) ?? []), type])
  }
  return [...byNoun].map(([noun, list]) => (list.length > 1 ? `${noun}.*` : list[0])).join(',')
}

/** The indicator (hidden until the script runs) and the script, under this response's nonce. */
export function LiveStatus({ s, live }: { s: SignedIn; live: LiveFeed }) {
  return (
    <span class="live-status" data-live-status data-feed={`/~${s.slug}/events/stream?type=${feedFilter(live.types)}`} data-after={String(live.after)} data-types={live.types.join(' ')} aria-live="polite" hidden />
  )
}

export function LiveScript({ s }: { s: SignedIn }) {
  return <script nonce={s.nonce} src={assetPath(s.slug, 'live.js')} defer />
}

/** A live refresh (live.js reading the page again) rather than the user opening it. */
export const isLiveRefresh = (c: Context<AppEnv>) => c.req.header('x-revline-live') === 'refresh'
