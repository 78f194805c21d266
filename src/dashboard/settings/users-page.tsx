/** Settings → Users: the team (role, status, last sign-in), an invite form, role changes, deactivate / reactivate. */
import type { EntityRecord } from '../../domain/engine/types'
import type { Flash } from '../flash'
import type { SignedIn } from '../signed-in'
import { when } from '../timeline'
import { Csrf, PostButton, SettingsFrame } from './frame'

const ROLES = ['member', 'admin', 'owner'] as const

export function UsersPage({ s, users, notices }: { s: SignedIn; users: EntityRecord[]; notices: Flash[] }) {
  const base = `/~${s.slug}/dashboard/settings/users`
  // Only an owner makes or unmakes owners (the User hooks refuse the rest): others are not offered it.
  const roles = s.me.userRole === 'owner' ? ROLES : ROLES.filter((r) => r !== 'owner')
  return (
    <SettingsFrame s={s} tab="users" notices={notices}>
      <section aria-labelledby="invite-title">
        <h2 id="invite-title">Invite someone</h2>
        <form method="post" action={base} class="row">
          <Csrf s={s} />
          <label>
            Name
            <input name="name" required maxlength={200} autocomplete="off" />
          </label>
          <label>
            Email
            <input name="email" type="email" required maxlength={254} autocomplete="off" />
          </label>
          <label>
            Role
            <select name="role">
              {roles.map((r) => (
                <option value={r} selected={r === 'member'}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Send invitation</button>
        </form>
        <p class="hint">They get an email with a sign-in link (valid 7 days) and become Active when they first sign in.</p>
      </section>
      <section aria-labelledby="users-title">
        <h2 id="users-title">
          Team <span class="meta">({users.length})</span>
        </h2>
        <div class="table-wrap">
          <table class="grid">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">Access</th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => {
                const name = String(user.name)
                const toggle = user.status === 'Deactivated' ? 'Reactivate' : 'Deactivate'
                const id = `role-${user.$id}`
                const locked = user.role === 'owner' && s.me.userRole !== 'owner'
                return (
                  <tr data-user={user.$id}>
                    <td>
                      <strong>{name}</strong>
                      {user.$id === s.me.id ? ' (you)' : ''}
                    </td>
                    <td data-label="Email">{String(user.email)}</td>
                    <td data-label="Role">
                      {locked ? (
                        String(user.role)
                      ) : (
                        <form method="post" action={`${base}/${user.$id}/role`} class="row-actions">
                          <Csrf s={s} />
                          <label class="visually-hidden" for={id}>
                            Role of {name}
                          </label>
                          <select id={id} name="role">
                            {roles.map((r) => (
                              <option value={r} selected={r === user.role}>
                                {r}
                              </option>
                            ))}
                          </select>
                          <button type="submit" class="secondary" aria-label={`Change the role of ${name}`}>
                            Change
                          </button>
                        </form>
                      )}
                    </td>
                    <td data-label="Status">{String(user.status)}</td>
                    <td data-label="Last sign-in">{typeof user.lastSignInAt === 'string' ? when(user.lastSignInAt) : 'never'}</td>
                    <td>
                      <PostButton s={s} action={`${base}/${user.$id}/${toggle.toLowerCase()}`} label={`${toggle} ${name}`} text={toggle} />
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
        <p class="hint">Deactivating someone ends their sessions and revokes their API keys at once. The last owner cannot be deactivated or demoted.</p>
      </section>
    </SettingsFrame>
  )
}
