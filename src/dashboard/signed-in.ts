/** Who a dashboard request is: the session's user, as the tenant object's `me` answers it. */
import type { UserRole } from '../domain/engine/types'
import type { Session } from './session'

export interface Me {
  id: string
  name: string
  email: string
  /** What the session may do: owners and admins act as admin. */
  role: 'admin' | 'member'
  userRole: UserRole
  /** The user's Contact: what `owner` fields point at ("my" tasks and deals). */
  contact: string | null
}

export interface SignedIn {
  slug: string
  session: Session
  me: Me
  csrf: string
  /** This response's CSP nonce. */
  nonce: string | undefined
}
