/** Reading the tenant's pipeline: live stages in order, and which of them are open or closing. */
import type { TenantHandle } from '../engine/tenant-handle'
import { AppError } from '../errors'

export interface StageInfo {
  $id: string
  name: string
  order: number
  probability?: number | null
  kind?: 'Open' | 'Won' | 'Lost' | null
}

export function liveStages($: TenantHandle): StageInfo[] {
  return $.Stage.find({ status: 'Active' }, { sort: 'order', limit: 200 }) as StageInfo[]
}

export function stageNamed($: TenantHandle, name: string): StageInfo {
  const stage = liveStages($).find((s) => s.name === name)
  if (!stage) throw new AppError('validation_failed', `'${name}' is not one of this tenant's stages`, [{ path: 'stage', message: `use one of: ${liveStages($).map((s) => s.name).join(', ')}` }])
  return stage
}

export const openStageNamed = ($: TenantHandle, name: string): StageInfo => openStage(stageNamed($, name))

/** The stage a create or update names, by `stageId` or by `stage` (name); both must agree when both are given. */
export function requestedStage($: TenantHandle, input: Record<string, unknown>): StageInfo | undefined {
  if (input.stageId == null) return input.stage == null ? undefined : stageNamed($, String(input.stage))
  const stage = liveStages($).find((s) => s.$id === input.stageId)
  if (!stage) throw new AppError('validation_failed', `${String(input.stageId)} is not one of this tenant's live stages`, [{ path: 'stageId', message: `use one of: ${liveStages($).map((s) => s.$id).join(', ')}` }])
  if (input.stage != null && input.stage !== stage.name)
    throw new AppError('validation_failed', 'stage and stageId name different stages', [{ path: 'stage', message: `${String(input.stageId)} is '${stage.name}'` }])
  return stage
}

/** A stage a deal can be moved into by create, update or advance: live and not a closing stage. */
export function openStage(stage: StageInfo): StageInfo {
  if (stage.kind && stage.kind !== 'Open') throw new AppError('invalid_transition', `a deal enters '${stage.name}' through ${stage.kind === 'Won' ? 'win' : 'lose'}, not by moving it there`)
  return stage
}

/** What a deal records of its stage. */
export const stagePatch = (stage: StageInfo, now: string, probability?: unknown) => ({
  stage: stage.name,
  stageId: stage.$id,
  probability: typeof probability === 'number' ? probability : (stage.probability ?? 0),
  stageEnteredAt: now,
})

export function firstOpenStage($: TenantHandle): StageInfo {
  const stage = liveStages($).find((s) => (s.kind ?? 'Open') === 'Open')
  if (!stage) throw new AppError('rejected', 'this tenant has no open pipeline stage')
  return stage
}

export function closingStage($: TenantHandle, kind: 'Won' | 'Lost'): StageInfo {
  const stage = liveStages($).find((s) => s.kind === kind)
  if (!stage) throw new AppError('rejected', `this tenant has no ${kind} stage`)
  return stage
}

export const isClosed = (deal: Record<string, unknown>) => deal.wonAt != null || deal.lostAt != null

export function requireOpenDeal(deal: Record<string, unknown>, verb: string) {
  if (isClosed(deal)) throw new AppError('invalid_transition', `Deal ${String(deal.$id)} is closed (${String(deal.stage)}); reopen it before you ${verb} it`)
}
