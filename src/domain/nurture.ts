/**
 * leadNurtureFollowUp's content: the tenant's template for the stage (settings `templates`), or a
 * sensible default, rendered with the deal, its contact and the stage.
 */
import { render } from './automations'

export interface Template {
  subject: string
  body: string
}

export const DEFAULT_NURTURE: Template = {
  subject: 'Next steps for {{deal.name}}',
  body: 'Hi {{contact.firstName}},\n\nThanks for your time so far on {{deal.name}}. We have moved it to {{stage.name}} and will be in touch shortly with the next steps.\n\nBest regards',
}

export function renderTemplate(template: Template, scope: Record<string, unknown>): Template {
  const withNames = { ...scope, contact: { firstName: firstNameOf(scope.contact), ...(scope.contact as object) } }
  return { subject: String(render(template.subject, withNames) ?? ''), body: String(render(template.body, withNames) ?? '') }
}

function firstNameOf(contact: unknown): string {
  const c = (contact ?? {}) as { firstName?: string; name?: string }
  return c.firstName ?? c.name?.split(' ')[0] ?? 'there'
}
