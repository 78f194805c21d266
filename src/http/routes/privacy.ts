/**
 * A person's rights over their data, for admins. `POST /contacts/{id}/forget` (GDPR art. 17) erases
 * the person's personal data from every read and destroys the keys that sealed it in the log
 * (src/durable/forget-ops.ts); it takes no body and no parameters: nothing a caller sends can widen
 * or narrow an erasure. `GET /contacts/{id}/export`: subject access (GDPR art. 15), everything Revline holds about
 * the person behind a contact as one JSON document, streamed as it is read. The tenant object fixes
 * the cut (the chain head, the person's record ids and event seqs) in one call; the records and
 * events follow in pages of 500, so neither side ever holds the whole document.
 */
import { Hono } from 'hono'
import { AppError } from '../../domain/errors'
import { isIdOf } from '../../domain/ids'
import type { SubjectExportStart, SubjectPage } from '../../durable/subject-ops'
import { SUBJECT_PAGE } from '../../durable/subject-ops'
import type { TenantClient } from '../../durable/tenant-client'
import { requires } from '../tenant'
import type { AppEnv } from '../types'
import { CHAIN_HEAD_HEADER, chainHeadValue } from './bulk'
import { onlyParams } from './collections'

export const privacy = new Hono<AppEnv>()

privacy.post('/contacts/:id/forget', requires('admin'), async (c) => {
  onlyParams(c, [])
  return c.json(await c.var.tenant.run({ kind: 'contacts.forget', id: c.req.param('id') }))
})

privacy.get('/contacts/:id/export', requires('admin'), async (c) => {
  onlyParams(c, [])
  const id = c.req.param('id')
  if (!isIdOf('contact', id)) throw new AppError('not_found', `Contact ${id} not found`)
  const start = await c.var.tenant.run<SubjectExportStart>({ kind: 'subject.export', contact: id })
  const encoder = new TextEncoder()
  const parts = documentParts(c.var.tenant, start)
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await parts.next()
      if (done) controller.close()
      else controller.enqueue(encoder.encode(value))
    },
    async cancel() {
      await parts.return(undefined)
    },
  })
  return new Response(stream, {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="${id}.json"`,
      'cache-control': 'no-store',
      [CHAIN_HEAD_HEADER]: chainHeadValue(start.chainHead),
    },
  })
})

const json = (value: unknown) => JSON.stringify(value)

/** The document as text, piece by piece: the head from `start`, then every list a page at a time. */
async function* documentParts(tenant: TenantClient, start: SubjectExportStart): AsyncGenerator<string, void, undefined> {
  const page = (p: SubjectPage) => tenant.run<unknown[]>({ kind: 'subject.page', page: p })
  const counts = {
    history: start.historySeqs.length,
    events: start.eventSeqs.length,
    related: Object.fromEntries(start.related.map((r) => [r.collection, r.ids.length])),
  }
  yield `{"exportedAt":${json(start.exportedAt)},"tenant":${json(start.tenant)},"chainHead":${json(start.chainHead)},"subject":${json(start.contact.$id)},"counts":${json(counts)}`
  yield `,"contact":${json(start.contact)},"history":[`
  yield* listed(start.historySeqs, (seqs) => page({ of: 'history', seqs }))
  yield '],"related":{'
  for (const [i, { noun, collection, ids }] of start.related.entries()) {
    yield `${i > 0 ? ',' : ''}${json(collection)}:[`
    yield* listed(ids, (batch) => page({ of: 'records', noun, ids: batch }))
    yield ']'
  }
  yield '},"events":['
  yield* listed(start.eventSeqs, (seqs) => page({ of: 'events', seqs }))
  yield ']}\n'
}

/** The items of a JSON array, comma-separated, read page by page. */
async function* listed<K>(keys: K[], read: (keys: K[]) => Promise<unknown[]>): AsyncGenerator<string, void, undefined> {
  let first = true
  for (let i = 0; i < keys.length; i += SUBJECT_PAGE) {
    const items = await read(keys.slice(i, i + SUBJECT_PAGE))
    if (items.length === 0) continue
    yield `${first ? '' : ','}${items.map(json).join(',')}`
    first = false
  }
}
