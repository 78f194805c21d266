/** `GET/PUT /settings/{section}` (admin): automations, proposal tiers. The body of a PUT is the whole section. */
import { Hono } from 'hono'
import { AppError } from '../../domain/errors'
import { SETTINGS_SECTIONS, type SettingsSection } from '../../durable/settings-ops'
import { requires } from '../tenant'
import { readJsonValue } from '../body'
import type { AppEnv } from '../types'

export const settings = new Hono<AppEnv>()

function sectionOf(name: string): SettingsSection {
  if (!(SETTINGS_SECTIONS as string[]).includes(name)) throw new AppError('not_found', `no settings section '${name}' (have: ${SETTINGS_SECTIONS.join(', ')})`)
  return name as SettingsSection
}

settings.get('/settings/:section', requires('admin'), async (c) => c.json(await c.var.tenant.run({ kind: 'settings.get', section: sectionOf(c.req.param('section')) })))

settings.put('/settings/:section', requires('admin'), async (c) => {
  const section = sectionOf(c.req.param('section'))
  const value = await readJsonValue(c)
  return c.json(await c.var.tenant.run({ kind: 'settings.put', section, value }))
})
