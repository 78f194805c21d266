/** Settings → API keys: every key of the team (whose, role, use), a new key for me (its secret shown once), revoke. */
import type { KeyView } from '../../durable/keys'
import type { Flash } from '../flash'
import type { SignedIn } from '../signed-in'
import { when } from '../timeline'
import { Csrf, PostButton, SettingsFrame } from './frame'

export function KeysPage({ s, keys, users, notices }: { s: SignedIn; keys: KeyView[]; users: ReadonlyMap<string, string>; notices: Flash[] }) {
  const base = `/~${s.slug}/dashboard/settings/keys`
  const live = keys.filter((k) => !k.revokedAt)
  const revoked = keys.length - live.length
  return (
    <SettingsFrame s={s} tab="keys" notices={notices}>
      <section aria-labelledby="new-key-title">
        <h2 id="new-key-title">New key for me</h2>
        <form method="post" action={base} class="row">
          <Csrf s={s} />
          <label>
            Name
            <input name="name" required maxlength={100} autocomplete="off" placeholder="e.g. laptop CLI" />
          </label>
          <label>
            Role
            <select name="role">
              <option value="member">member</option>
              <option value="admin">admin</option>
            </select>
          </label>
          <button type="submit">Create key</button>
        </form>
        <p class="hint">The key acts as you, never with more rights than yours. Its secret is shown once, right after it is made.</p>
      </section>
      <section aria-labelledby="keys-title">
        <h2 id="keys-title">
          Keys <span class="meta">({live.length} live{revoked ? `, ${revoked} revoked` : ''})</span>
        </h2>
        <div class="table-wrap">
          <table class="grid">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Belongs to</th>
                <th scope="col">Role</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr data-key={key.id}>
                  <td>
                    <strong>{key.name}</strong> <span class="meta">{key.id}</span>
                  </td>
                  <td data-label="Belongs to">{key.user ? (users.get(key.user) ?? key.user) : 'service key'}</td>
                  <td data-label="Role">{key.role}</td>
                  <td data-label="Created">{when(key.createdAt)}</td>
                  <td data-label="Last used">{key.lastUsedAt ? when(key.lastUsedAt) : 'never'}</td>
                  <td data-label="Status">
                    {key.revokedAt ? (
                      `revoked ${when(key.revokedAt)}`
                    ) : (
                      <PostButton s={s} action={`${base}/${key.id}/revoke`} label={`Revoke ${key.name}`} text="Revoke" />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </SettingsFrame>
  )
}
