/** Finding the organization (or contact) a person names on the command line: `--company "ABC Corp"`. */
import type { Entity, RevlineClient } from '../sdk'
import { CommandFailed, UsageError } from './context'

export type Organization = Entity<'Organization'>
export type Contact = Entity<'Contact'>

/**
 * The organization with this name: an exact match first, then a unique case-insensitive one, then
 * a unique partial one. Several candidates are a usage error listing them (pass the id instead).
 */
export async function findOrganization(client: RevlineClient, name: string): Promise<Organization | undefined> {
  if (/^organization_[0-9A-Za-z]{9}$/.test(name)) return client.Organization.get(name)
  const exact = await client.Organization.find({ name }, { limit: 2 })
  if (exact.length === 1) return exact[0]
  if (exact.length > 1) throw ambiguous('organizations', name, exact)
  const partial = await client.Organization.find({ name: { $contains: name } }, { limit: 20 })
  const sameName = partial.filter((o) => o.name.toLowerCase() === name.toLowerCase())
  if (sameName.length === 1) return sameName[0]
  if (partial.length === 1) return partial[0]
  if (partial.length > 1) throw ambiguous('organizations', name, sameName.length > 1 ? sameName : partial)
  return undefined
}

export async function findContact(client: RevlineClient, name: string): Promise<Contact | undefined> {
  const exact = await client.Contact.find({ name }, { limit: 2 })
  if (exact.length === 1) return exact[0]
  if (exact.length > 1) throw ambiguous('contacts', name, exact)
  return undefined
}

function ambiguous(what: string, name: string, matches: { $id: string; name: string }[]) {
  return new UsageError(`'${name}' matches several ${what}: ${matches.map((m) => `${m.name} (${m.$id})`).join(', ')}`, 'pass the id instead of the name')
}

export function notFound(kind: string, name: string): CommandFailed {
  return new CommandFailed(`no ${kind} named '${name}'`)
}
