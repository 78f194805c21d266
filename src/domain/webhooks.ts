/** Which outbound webhook subscriptions an event goes to: exact types, `noun.*`, or `*`. */
import type { WebhookSubscription } from './settings'

export function subscriptionsFor(subscriptions: readonly WebhookSubscription[], type: string): WebhookSubscription[] {
  return subscriptions.filter((s) => s.enabled && s.events.some((pattern) => pattern === '*' || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1)))))
}
