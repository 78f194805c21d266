/**
 * The contact page's "Forget this person" control (admins): a GDPR erasure request, carried out by
 * `POST /dashboard/contacts/:id/forget` through the same operation as the API's. It asks for a
 * typed confirmation, because it cannot be undone.
 */
import type { EntityRecord } from '../domain/engine/types'
import { FORGOTTEN } from '../domain/personal-data'
import type { SignedIn } from './signed-in'

export const FORGET_CONFIRMATION = 'forget'

export function ForgetForm({ s, contact }: { s: SignedIn; contact: EntityRecord }) {
  if (s.me.role !== 'admin') return null
  // A forgotten contact keeps the marker in its required name: there is nothing left to erase.
  if (contact.name === FORGOTTEN) return null
  return (
    <section aria-labelledby="contact-forget" class="danger">
      <h2 id="contact-forget">Forget this person</h2>
      <p>
        Erases their name, email, phone, profile and what was written about them from this contact, its leads, billing customers,
        activities, messages and the words of their deals, everywhere Revline shows them: the record, its history, search and exports.
        Deal values, stages and the pipeline's figures stay. This cannot be undone.
      </p>
      <form method="post" action={`/~${s.slug}/dashboard/contacts/${contact.$id}/forget`}>
        <input type="hidden" name="csrf" value={s.csrf} />
        <label>
          <span>
            Type <strong>{FORGET_CONFIRMATION}</strong> to confirm
          </span>
          <input name="confirm" autocomplete="off" required />
        </label>
        <button type="submit">Forget this person</button>
      </form>
    </section>
  )
}
