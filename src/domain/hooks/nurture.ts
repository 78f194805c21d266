/**
 * leadNurtureFollowUp's trigger (seed 003): a deal entering a stage with `autoNurture` queues a
 * nurture job in the same transaction (through the outbox), keyed by the entering event.
 */
import type { TenantHandle } from '../engine/tenant-handle'
import type { EntityRecord, EventRecord } from '../engine/types'
import { Deal } from '../nouns'
import { liveStages } from './pipeline'

function nurtureOnStageEntry(deal: EntityRecord, $: TenantHandle, event: EventRecord) {
  if (event.verb !== 'create' && event.before?.stage === deal.stage) return
  const stage = liveStages($).find((s) => s.name === deal.stage) as { name: string; autoNurture?: boolean } | undefined
  if (stage?.autoNurture) $.enqueue({ type: 'nurture', event: event.id, deal: deal.$id, stage: stage.name })
}
for (const register of [Deal.created, Deal.updated, Deal.advanced, Deal.reopened]) register(nurtureOnStageEntry)
