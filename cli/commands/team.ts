/**
 * The team (issue 16): `revline whoami` (the user behind the key, or a service key), `revline
 * invite <email> <name> [--role]` (an invitation email with a sign-in link), and `revline key
 * <name> [--role] [--user user_…]` (a key for me, or for a user as an admin; the secret once).
 */
import type { Command } from 'commander'
import { contextOf, emit, UsageError, type Io } from '../context'

const ROLES = ['owner', 'admin', 'member']

export function register(program: Command, io: Io) {
  program
    .command('whoami')
    .description('the user this API key belongs to (or that it is a service key), and what it may do')
    .action(async (_opts: unknown, command: Command) => {
      const ctx = contextOf(command, io)
      const me = await ctx.client.me.get()
      emit(ctx, me, () => (me.user ? `${String(me.user.name)} <${String(me.user.email)}> · ${String(me.user.role)} · acting as ${me.role} via ${me.via}` : `service key ${me.via} · ${me.role}`))
    })

  program
    .command('invite <email> <name>')
    .description('invite a user: they get an email with a sign-in link (admin keys)')
    .option('--role <role>', 'owner, admin or member (default member)')
    .action(async (email: string, name: string, opts: { role?: string }, command: Command) => {
      if (opts.role !== undefined && !ROLES.includes(opts.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`)
      const ctx = contextOf(command, io)
      const user = await ctx.client.User.create({ email, name, ...(opts.role ? { role: opts.role as 'member' } : {}) })
      emit(ctx, user, () => `invited ${String(user.email)} as ${String(user.role)} (${user.$id}); the sign-in link is in their email`)
    })

  program
    .command('key <name>')
    .description('issue an API key for yourself, or with --user for a user (admin keys); the secret is shown once')
    .option('--role <role>', 'admin or member (at most the user’s own role)')
    .option('--user <id>', 'the user (user_…) the key is for')
    .action(async (name: string, opts: { role?: string; user?: string }, command: Command) => {
      if (opts.role !== undefined && opts.role !== 'admin' && opts.role !== 'member') throw new UsageError('--role must be admin or member')
      const ctx = contextOf(command, io)
      const input = { name, ...(opts.role ? { role: opts.role as 'admin' | 'member' } : {}) }
      const key = opts.user ? await ctx.client.users.createKey(opts.user, input) : await ctx.client.me.createKey(input)
      emit(ctx, key, () => `${key.key}\n(${key.id}, ${key.role}${key.user ? `, for ${key.user}` : ''}: shown once, store it now)`)
    })
}
