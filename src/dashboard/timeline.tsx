/**
 * A record's timeline read from the event log, newest first: what happened (the verb), who did it
 * (a user by name; a key, the website form, a webhook or Revline itself otherwise) and what changed,
 * field by field from the event's before and after.
 */
import type { EntityRecord, EventRecord } from '../domain/engine/types'

/** Fields shown per event at most; the rest are counted. */
const MAX_CHANGES = 8
const MAX_VALUE = 80

/** Who acted, for a person: a user's name (from `users`), else what kind of caller it was. */
export function actorName(actor: string, users: ReadonlyMap<string, string>): string {
  if (users.has(actor)) return users.get(actor)!
  if (actor === 'system') return 'Revline'
  if (actor === 'operator') return 'the operator'
  if (actor.startsWith('key_')) return `API key ${actor}`
  if (actor.startsWith('public:')) return 'a website visitor'
  if (actor.startsWith('source_') || actor.startsWith('source:')) return 'a signed webhook'
  return actor
}

const VERB_LABELS: Record<string, string> = { create: 'Created', update: 'Updated', delete: 'Deleted', restore: 'Restored' }

/** `deal.advanced` → "Advanced"; the CRUD verbs by name. */
export function eventLabel(event: EventRecord): string {
  const label = VERB_LABELS[event.verb]
  if (label) return label
  const past = event.type.slice(event.type.indexOf('.') + 1)
  return `${past.charAt(0).toUpperCase()}${past.slice(1)}`
}

export interface Change {
  field: string
  from?: string
  to: string
}

/**
 * The fields an event changed (for a create: the fields it set), meta fields left out, and an id
 * that only mirrors a named field beside it (`stageId` when `stage` changed too).
 */
export function changesOf(event: EventRecord): Change[] {
  const before = event.before ?? ({} as Partial<EntityRecord>)
  const after = event.after ?? ({} as Partial<EntityRecord>)
  const differs = (name: string) => JSON.stringify(before[name] ?? null) !== JSON.stringify(after[name] ?? null)
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((name) => !name.startsWith('$') && differs(name))
  const changed = new Set(names)
  const created = event.before === null
  return names
    .filter((name) => !(name.endsWith('Id') && changed.has(name.slice(0, -2))))
    .map((name) => {
      if (created) return { field: name, to: shown(after[name]) }
      let [from, to] = [shown(before[name]), shown(after[name])]
      // Two instants within the same minute: to the second, so the change shows.
      if (from === to) [from, to] = [shown(before[name], 19), shown(after[name], 19)]
      return { field: name, from, to }
    })
}

function shown(value: unknown, precision = 16): string {
  if (value === undefined || value === null || value === '') return '–'
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value)) return `${value.slice(0, precision).replace('T', ' ')} UTC`
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text
}

export const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`

export interface TimelineData {
  /** Newest first. */
  events: EventRecord[]
  /** How many events the record has in all. */
  total: number
  /** User id → name, for the actors. */
  users: ReadonlyMap<string, string>
}

export function Timeline({ data, title = 'Timeline' }: { data: TimelineData; title?: string }) {
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">{title}</h2>
      {data.events.length === 0 ? (
        <p class="empty">Nothing recorded yet.</p>
      ) : (
        <ol class="timeline" data-timeline>
          {data.events.map((event) => {
            const changes = changesOf(event)
            return (
              <li data-event={event.type} data-seq={event.seq}>
                <strong>{eventLabel(event)}</strong>{' '}
                <span class="meta">
                  by <span data-actor={event.actor}>{actorName(event.actor, data.users)}</span>
                  {event.via?.startsWith('key_') ? ` (with API key ${event.via})` : ''} · <time datetime={event.at}>{when(event.at)}</time> · {event.type}
                </span>
                {changes.length > 0 && (
                  <ul class="changes">
                    {changes.slice(0, MAX_CHANGES).map((change) => (
                      <li>
                        <span class="name">{change.field}:</span> {change.from === undefined ? change.to : `${change.from} → ${change.to}`}
                      </li>
                    ))}
                    {changes.length > MAX_CHANGES && <li class="meta">and {changes.length - MAX_CHANGES} more fields</li>}
                  </ul>
                )}
              </li>
            )
          })}
        </ol>
      )}
      {data.total > data.events.length && <p class="hint">Showing the latest {data.events.length} of {data.total} events.</p>}
    </section>
  )
}
