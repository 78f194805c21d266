/**
 * Stage order after a change, as verb steps run in one transaction: open stages first in their
 * order, then Won and Lost; every stage whose position changes gets `order` = its position (1, 2, …).
 */
import type { Step } from '../../domain/engine/steps'
import type { StageView } from '../deal-move'

const isOpen = (stage: StageView) => (stage.kind ?? 'Open') === 'Open'
const byOrder = (a: StageView, b: StageView) => a.order - b.order || (a.$id < b.$id ? -1 : 1)

/** The open stages, in order. */
export const openInOrder = (stages: StageView[]) => stages.filter(isOpen).sort(byOrder)

function renumber(open: (StageView | 'new')[], stages: StageView[], newStage?: Record<string, unknown>): Step[] {
  const all = [...open, ...stages.filter((st) => !isOpen(st)).sort(byOrder)]
  return all.flatMap((stage, i): Step[] => {
    if (stage === 'new') return [{ type: 'Stage', verb: 'create', data: { ...newStage, order: i + 1 } }]
    return stage.order === i + 1 ? [] : [{ type: 'Stage', verb: 'update', id: stage.$id, data: { order: i + 1 } }]
  })
}

/** Moves an open stage one place up or down among the open stages (nothing at either end). */
export function moveSteps(stages: StageView[], id: string, direction: 'up' | 'down'): Step[] {
  const open: StageView[] = openInOrder(stages)
  const at = open.findIndex((st) => st.$id === id)
  const to = direction === 'up' ? at - 1 : at + 1
  if (at < 0 || to < 0 || to >= open.length) return []
  ;[open[at], open[to]] = [open[to]!, open[at]!]
  return renumber(open, stages)
}

/** Creates a stage right after the open stage `after` (at the end of the open stages when it is not one). */
export function createSteps(stages: StageView[], after: string, fields: Record<string, unknown>): Step[] {
  const open: (StageView | 'new')[] = openInOrder(stages)
  const at = open.findIndex((st) => st !== 'new' && st.$id === after)
  open.splice(at < 0 ? open.length : at + 1, 0, 'new')
  return renumber(open, stages, fields)
}
