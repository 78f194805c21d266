/**
 * Settings (admins only: members get a 403 page, and a 403 page for every form post too, before the
 * form is read further). Every change runs through the tenant object as the signed-in admin:
 *   users   POST settings/users (invite = User create), …/:id/role, …/:id/deactivate, …/:id/reactivate
 *   keys    POST settings/keys (a key for me; the secret shown once), …/:id/revoke
 *   stages  POST settings/stages (create), …/:id (rename, probability, SLA), …/:id/move, …/:id/retire, …/:id/reinstate
 */
import { Hono, type Context } from 'hono'
import { AppError } from '../../domain/errors'
import type { EntityRecord } from '../../domain/engine/types'
import { isIdOf, newId } from '../../domain/ids'
import type { KeyView } from '../../durable/keys'
import { sha256Hex } from '../../http/crypto'
import { newApiKey } from '../../http/routes/operator'
import type { AppEnv } from '../../http/types'
import type { StageView } from '../deal-move'
import { takeFlash } from '../flash'
import { userNames } from '../records'
import { action, field, listOp, page, run, type Form, type SignedIn } from '../request'
import { KeysPage } from './keys-page'
import { createSteps, moveSteps } from './stage-order'
import { StagesPage } from './stages-page'
import { UsersPage } from './users-page'

export const settingsRoutes = new Hono<AppEnv>()
const admin = { admin: true }

const idIn = (prefix: string, id: string | undefined) => {
  if (!id || !isIdOf(prefix, id)) throw new AppError('not_found', `there is no ${prefix} ${id ?? ''} on this team`)
  return id
}

settingsRoutes.get(
  '/dashboard/settings',
  page(async (c, s) => c.redirect(`/~${s.slug}/dashboard/settings/users`, 303), admin),
)

// ── Users ───────────────────────────────────────────────────────────────────────────────────────

const USERS = () => 'settings/users'

settingsRoutes.get(
  '/dashboard/settings/users',
  page(async (c, s) => {
    const { data } = await run<{ data: EntityRecord[] }>(c, s, listOp('User', { sort: 'name', limit: '200' }))
    const flash = await takeFlash(c, s.slug)
    return c.html(<UsersPage s={s} users={data} notices={flash ? [flash] : []} />)
  }, admin),
)

settingsRoutes.post(
  '/dashboard/settings/users',
  action(
    USERS,
    async (c, s, form) => {
      const user = await run<EntityRecord>(c, s, { kind: 'verb', noun: 'User', verb: 'create', input: { email: field(form, 'email'), name: field(form, 'name'), role: field(form, 'role') || 'member' } })
      return { flash: { kind: 'ok', text: `Invitation sent to ${String(user.email)} (${String(user.role)}).` } }
    },
    admin,
  ),
)

settingsRoutes.post(
  '/dashboard/settings/users/:id/role',
  action(
    USERS,
    async (c, s, form) => {
      const user = await run<EntityRecord>(c, s, { kind: 'verb', noun: 'User', verb: 'update', id: idIn('user', c.req.param('id')), input: { role: field(form, 'role') } })
      return { flash: { kind: 'ok', text: `${String(user.name)} is now ${String(user.role)}.` } }
    },
    admin,
  ),
)

for (const verb of ['deactivate', 'reactivate'] as const)
  settingsRoutes.post(
    `/dashboard/settings/users/:id/${verb}`,
    action(
      USERS,
      async (c, s) => {
        const user = await run<EntityRecord>(c, s, { kind: 'verb', noun: 'User', verb, id: idIn('user', c.req.param('id')) })
        const text = verb === 'deactivate' ? `${String(user.name)} is deactivated: their sessions ended and their keys are revoked.` : `${String(user.name)} is active again.`
        return { flash: { kind: 'ok', text } }
      },
      admin,
    ),
  )

// ── API keys ────────────────────────────────────────────────────────────────────────────────────

const KEYS = () => 'settings/keys'

settingsRoutes.get(
  '/dashboard/settings/keys',
  page(async (c, s) => {
    const { data } = await run<{ data: KeyView[] }>(c, s, { kind: 'keys.list' })
    const users = await userNames(c, s, data.map((k) => k.user))
    const flash = await takeFlash(c, s.slug)
    return c.html(<KeysPage s={s} keys={[...data].reverse()} users={users} notices={flash ? [flash] : []} />)
  }, admin),
)

settingsRoutes.post(
  '/dashboard/settings/keys',
  action(
    KEYS,
    async (c, s, form) => {
      const name = field(form, 'name')
      const role = field(form, 'role') || undefined
      if (!name || name.length > 100) throw new AppError('validation_failed', 'the key was not made', [{ path: 'name', message: 'is required (up to 100 characters)' }])
      if (role !== undefined && role !== 'admin' && role !== 'member') throw new AppError('validation_failed', 'the key was not made', [{ path: 'role', message: 'must be admin or member' }])
      const secret = newApiKey()
      const key = await run<{ id: string; role: string }>(c, s, { kind: 'keys.create', id: newId('key'), name, role, hash: await sha256Hex(secret), user: 'me' })
      return { flash: { kind: 'ok', text: `Key “${name}” (${key.role}, ${key.id}) is made. Copy its secret now: it is not shown again.`, secret } }
    },
    admin,
  ),
)

settingsRoutes.post(
  '/dashboard/settings/keys/:id/revoke',
  action(
    KEYS,
    async (c, s) => {
      const key = await run<KeyView>(c, s, { kind: 'keys.revoke', id: idIn('key', c.req.param('id')) })
      return { flash: { kind: 'ok', text: `Key “${key.name}” is revoked: it stops working at once.` } }
    },
    admin,
  ),
)

// ── Stages ──────────────────────────────────────────────────────────────────────────────────────

const STAGES = () => 'settings/stages'
/** Every stage, retired ones too, in order. */
const allStages = async (c: Context<AppEnv>, s: SignedIn) => (await run<{ data: StageView[] }>(c, s, listOp('Stage', { sort: 'order', limit: '200' }))).data

/** Probability and SLA as the form gives them: numbers when they are, the text otherwise (the verb names the field), an empty SLA clears it. */
function stageFields(form: Form): Record<string, unknown> {
  const number = (text: string) => (text !== '' && Number.isFinite(Number(text)) ? Number(text) : text)
  const fields: Record<string, unknown> = { name: field(form, 'name') }
  if (field(form, 'probability') !== '') fields.probability = number(field(form, 'probability'))
  if ('slaDays' in form) fields.slaDays = field(form, 'slaDays') === '' ? null : number(field(form, 'slaDays'))
  return fields
}

settingsRoutes.get(
  '/dashboard/settings/stages',
  page(async (c, s) => {
    const stages = await allStages(c, s)
    const flash = await takeFlash(c, s.slug)
    return c.html(<StagesPage s={s} stages={stages} notices={flash ? [flash] : []} />)
  }, admin),
)

settingsRoutes.post(
  '/dashboard/settings/stages',
  action(
    STAGES,
    async (c, s, form) => {
      const fields = stageFields(form)
      if (fields.slaDays === null) delete fields.slaDays
      await run(c, s, { kind: 'steps', steps: createSteps(await allStages(c, s), field(form, 'after'), fields) })
      return { flash: { kind: 'ok', text: `Stage “${String(fields.name)}” is added.` } }
    },
    admin,
  ),
)

settingsRoutes.post(
  '/dashboard/settings/stages/:id',
  action(
    STAGES,
    async (c, s, form) => {
      const stage = await run<EntityRecord>(c, s, { kind: 'verb', noun: 'Stage', verb: 'update', id: idIn('stage', c.req.param('id')), input: stageFields(form) })
      return { flash: { kind: 'ok', text: `Stage “${String(stage.name)}” is saved.` } }
    },
    admin,
  ),
)

settingsRoutes.post(
  '/dashboard/settings/stages/:id/move',
  action(
    STAGES,
    async (c, s, form) => {
      const id = idIn('stage', c.req.param('id'))
      const direction = field(form, 'direction')
      if (direction !== 'up' && direction !== 'down') throw new AppError('validation_failed', 'the stage was not moved', [{ path: 'direction', message: 'must be up or down' }])
      const stages = await allStages(c, s)
      const stage = stages.find((st) => st.$id === id)
      if (!stage) throw new AppError('not_found', `there is no stage ${id} on this team`)
      const steps = moveSteps(stages, id, direction)
      if (steps.length === 0) return { flash: { kind: 'ok', text: `“${stage.name}” is already at the ${direction === 'up' ? 'top' : 'bottom'} of the open stages.` } }
      await run(c, s, { kind: 'steps', steps })
      return { flash: { kind: 'ok', text: `“${stage.name}” moved ${direction}.` } }
    },
    admin,
  ),
)

for (const verb of ['retire', 'reinstate'] as const)
  settingsRoutes.post(
    `/dashboard/settings/stages/:id/${verb}`,
    action(
      STAGES,
      async (c, s) => {
        const stage = await run<EntityRecord>(c, s, { kind: 'verb', noun: 'Stage', verb, id: idIn('stage', c.req.param('id')) })
        return { flash: { kind: 'ok', text: `Stage “${String(stage.name)}” is ${verb === 'retire' ? 'retired' : 'reinstated'}.` } }
      },
      admin,
    ),
  )
