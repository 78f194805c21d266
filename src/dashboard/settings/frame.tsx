/** The settings pages' frame (admins only): the workspace shell with a sub-nav of users, API keys and stages. */
import type { Child } from 'hono/jsx'
import type { Flash } from '../flash'
import { Shell } from '../shell'
import type { SignedIn } from '../signed-in'

export type SettingsTab = 'users' | 'keys' | 'stages'

const TABS: { id: SettingsTab; label: string }[] = [
  { id: 'users', label: 'Users' },
  { id: 'keys', label: 'API keys' },
  { id: 'stages', label: 'Stages' },
]

export function SettingsFrame({ s, tab, notices, children }: { s: SignedIn; tab: SettingsTab; notices: Flash[]; children: Child }) {
  const label = TABS.find((t) => t.id === tab)!.label
  return (
    <Shell s={s} title={`Settings: ${label}`} section="settings" notices={notices}>
      <nav aria-label="Settings">
        <ul class="subnav">
          {TABS.map((t) => (
            <li>
              <a href={`/~${s.slug}/dashboard/settings/${t.id}`} aria-current={t.id === tab ? 'page' : undefined}>
                {t.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {children}
    </Shell>
  )
}

/** The hidden CSRF field every settings form carries. */
export const Csrf = ({ s }: { s: SignedIn }) => <input type="hidden" name="csrf" value={s.csrf} />

/** One action as its own small form (CSRF token included): revoke, deactivate, move up, retire… */
export function PostButton({ s, action, name, value, label, text, disabled }: { s: SignedIn; action: string; name?: string; value?: string; label: string; text: string; disabled?: boolean }) {
  return (
    <form method="post" action={action}>
      <Csrf s={s} />
      {name && <input type="hidden" name={name} value={value} />}
      <button type="submit" class="secondary" aria-label={label} disabled={disabled}>
        {text}
      </button>
    </form>
  )
}
