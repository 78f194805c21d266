/** Runs one operation for an authenticated actor: reads directly, verbs inside one transaction. */
import { authorize, authorizeVerb } from '../domain/access'
import { dashboardLayout } from '../domain/dashboard-fields'
import { isIdOf } from '../domain/ids'
import { parseListQuery } from '../domain/query/list-query'
import { resolveMe } from '../domain/query/me'
import { runVerb } from '../domain/engine/run-verb'
import { runSteps } from '../domain/engine/steps'
import { AppError } from '../domain/errors'
import { checkVerbRoute, type NounSchema } from '../domain/noun/noun'
import { readSection, writeSection } from './settings-ops'
import { putManifest, readManifest } from './manifest-ops'
import { deleteNoun, describeNoun, describeSchema, putNoun } from './schema-ops'
import { appendAudit } from './audit'
import { analyticsReport } from './analytics'
import { engineContext, type DispatchContext } from './context'
import { listDeadLetters, listRuns } from './jobs/runs'
import { listDeliveries } from './jobs/webhooks'
import { exportPage, importRows } from './bulk'
import { startSubjectExport, subjectPage } from './subject-ops'
import { listKeys, revokeKey } from './keys'
import { keyOwner, myContact, mySessions, requireUser, revokeMySession, whoAmI } from './people-ops'
import { myPasskeys, registerPasskey, registrationChallenge, removeMyPasskey, spendRegistrationChallenge } from './passkeys'
import { createSource, listSources, revokeSource } from './sources'
import { listEvents, logHead } from './event-log'
import { verifyChain } from './event-chain'
import { forgetContact } from './forget-ops'
import { searchIndex } from './search-index'
import { MAX_SEARCH_OFFSET } from '../domain/search'
import type { Operation } from './operations'
import { expand, getAsOf, history, list, parseIncludes } from './reads'

/** A noun of this tenant, by name (`Project`) or collection (`projects`). */
function nounOf(ctx: DispatchContext, name: string): NounSchema {
  const noun = ctx.nouns.byName(name) ?? ctx.nouns.byPlural(name)
  if (!noun) throw new AppError('not_found', `there is no collection '${name}'`)
  return noun
}

/** Ids that cannot belong to the noun are simply not found (as are other tenants' ids). */
function checkId(noun: NounSchema, id: string): string {
  if (!isIdOf(noun.idPrefix, id)) throw new AppError('not_found', `${noun.name} ${id} not found`)
  return id
}

export function dispatch(ctx: DispatchContext, op: Operation): unknown {
  const { store, actor } = ctx
  switch (op.kind) {
    case 'authenticate':
      return { actor: actor.id, role: actor.role }
    case 'list': {
      const noun = nounOf(ctx, op.noun)
      authorize(actor, 'read')
      const params = new URLSearchParams(op.params ?? [])
      const parsed = op.query ?? parseListQuery(noun, params, ctx.nouns)
      const query = { ...parsed, where: resolveMe(noun, ctx.nouns, parsed.where, () => myContact(ctx)) }
      // `include` expands every row of the page as a single get does (relations in place, reverse lists added).
      const include = parseIncludes(noun, params.get('include'), ctx.nouns)
      const page = list(store, noun, query)
      return include.length > 0 ? { ...page, data: page.data.map((entity) => expand(store, noun, entity, include)) } : page
    }
    case 'get': {
      const noun = nounOf(ctx, op.noun)
      authorize(actor, 'read')
      checkId(noun, op.id)
      const include = op.include ?? parseIncludes(noun, op.includeParam, ctx.nouns)
      const entity = op.asOf ? getAsOf(store, noun, op.id, op.asOf) : store.get(noun, op.id)
      if (!entity) throw new AppError('not_found', `${noun.name} ${op.id} not found`)
      return include.length > 0 ? expand(store, noun, entity, include) : entity
    }
    case 'history': {
      const noun = nounOf(ctx, op.noun)
      authorize(actor, 'read')
      return { data: history(store, noun, checkId(noun, op.id)) }
    }
    case 'contacts.forget': {
      authorize(actor, 'admin')
      const contacts = ctx.nouns.byName('Contact')!
      checkId(contacts, op.id)
      return ctx.transaction(() => forgetContact(ctx, op.id))
    }
    case 'events':
      authorize(actor, 'read')
      return listEvents(store.db, op.query)
    case 'events.head':
      authorize(actor, 'read')
      return { seq: logHead(store.sql) }
    case 'events.verify':
      authorize(actor, 'admin')
      return verifyChain(store.sql)
    case 'search': {
      authorize(actor, 'read')
      const types = op.types?.map((t) => nounOf(ctx, t).name)
      const { hits, more } = searchIndex(store.sql, { q: op.q, limit: op.limit, offset: op.offset, ...(types ? { types } : {}) })
      return { data: hits, next: more && op.offset + op.limit <= MAX_SEARCH_OFFSET ? String(op.offset + op.limit) : null }
    }
    case 'keys.create': {
      const owner = keyOwner(ctx, op.user, op.role)
      return ctx.transaction(() => {
        const createdAt = new Date().toISOString()
        ctx.tenant.addKey({ id: op.id, name: op.name, role: owner.role, hash: op.hash, createdAt, createdBy: actor.id, userId: owner.userId })
        appendAudit(store.sql, actor, ctx.requestId, { type: 'apikey.created', entityType: 'ApiKey', entityId: op.id, verb: 'create', data: { name: op.name, role: owner.role, user: owner.userId } })
        return { id: op.id, name: op.name, role: owner.role, user: owner.userId, createdAt }
      })
    }
    case 'keys.list':
      if (op.user === 'me') return { data: listKeys(store.db, requireUser(actor)) }
      authorize(actor, 'admin')
      return { data: listKeys(store.db) }
    case 'keys.revoke':
      if (op.user === 'me') {
        const own = listKeys(store.db, requireUser(actor)).some((k) => k.id === op.id)
        if (!own) throw new AppError('not_found', `key ${op.id} not found`)
      } else authorize(actor, 'admin')
      return ctx.transaction(() => {
        const key = revokeKey(store.db, op.id, new Date().toISOString())
        ctx.tenant.forgetKey(op.id)
        appendAudit(store.sql, actor, ctx.requestId, { type: 'apikey.revoked', entityType: 'ApiKey', entityId: op.id, verb: 'revoke', data: null })
        return key
      })
    case 'me':
      return whoAmI(ctx)
    case 'me.sessions':
      return mySessions(ctx)
    case 'me.sessions.revoke':
      return revokeMySession(ctx, op.id)
    case 'passkeys.options':
      return registrationChallenge(ctx)
    case 'passkeys.spend':
      return spendRegistrationChallenge(ctx, op.challenge)
    case 'passkeys.register':
      return registerPasskey(ctx, op)
    case 'passkeys.list':
      return myPasskeys(ctx)
    case 'passkeys.remove':
      return removeMyPasskey(ctx, op.id)
    case 'sources.create':
      authorize(actor, 'admin')
      return ctx.transaction(() => createSource(ctx, op))
    case 'sources.list':
      authorize(actor, 'admin')
      return { data: listSources(store.db) }
    case 'sources.revoke':
      authorize(actor, 'admin')
      return ctx.transaction(() => revokeSource(ctx, op.id))
    case 'import': {
      const noun = nounOf(ctx, op.noun)
      authorizeVerb(actor, noun, 'create')
      checkVerbRoute(noun, 'create', 'crud')
      return importRows(ctx, noun, op.rows)
    }
    case 'export': {
      const noun = nounOf(ctx, op.noun)
      authorize(actor, 'read')
      return exportPage(store, noun, op.cursor, op.limit)
    }
    case 'subject.export':
      authorize(actor, 'admin')
      return startSubjectExport(ctx, checkId(nounOf(ctx, 'Contact'), op.contact))
    case 'subject.page':
      authorize(actor, 'admin')
      return subjectPage(ctx, op.page)
    case 'jobs.runs':
      authorize(actor, 'admin')
      return { data: listRuns(store.db, op.limit) }
    case 'jobs.dead':
      authorize(actor, 'admin')
      return { data: listDeadLetters(store.db, op.limit) }
    case 'webhooks.deliveries':
      authorize(actor, 'admin')
      return { data: listDeliveries(store.db, op.limit) }
    case 'analytics':
      authorize(actor, 'read')
      return analyticsReport(store, op)
    case 'settings.get':
      authorize(actor, 'admin')
      return readSection(ctx.tenant, op.section)
    case 'settings.put':
      authorize(actor, 'admin')
      return ctx.transaction(() => writeSection(ctx, op.section, op.value))
    case 'dashboard.layout':
      authorize(actor, 'read')
      return dashboardLayout(ctx.tenant.settings().dashboard, ctx.nouns)
    case 'schema.get':
      authorize(actor, 'read')
      return op.name === undefined ? describeSchema(ctx.nouns, ctx.tenant.info()!.schemaVersion) : describeNoun(ctx.nouns, op.name)
    case 'schema.doc':
      authorize(actor, 'read')
      return { version: ctx.tenant.info()!.schemaVersion, doc: ctx.nouns.doc }
    case 'schema.put':
      authorize(actor, 'admin')
      return ctx.transaction(() => putNoun(ctx, op.name, op.body, op.drop))
    case 'schema.delete':
      authorize(actor, 'admin')
      return ctx.transaction(() => deleteNoun(ctx, op.name, op.drop))
    case 'manifest.get':
      authorize(actor, 'admin')
      return readManifest(ctx)
    case 'manifest.put':
      authorize(actor, 'admin')
      return putManifest(ctx, op.body, { dryRun: op.dryRun, drop: op.drop })
    case 'verb': {
      const noun = nounOf(ctx, op.noun)
      authorizeVerb(actor, noun, op.verb)
      if (op.route) checkVerbRoute(noun, op.verb, op.route)
      if (op.id !== undefined) checkId(noun, op.id)
      const engine = engineContext(ctx)
      return ctx.transaction(() => runVerb(engine, { noun, verb: op.verb, id: op.id, input: op.input, expectedVersion: op.expectedVersion }).entity)
    }
    case 'steps': {
      // Each step is checked and authorized inside, as it would be alone; one failure undoes them all.
      const engine = engineContext(ctx)
      return ctx.transaction(() => runSteps(engine, op.steps))
    }
  }
}
