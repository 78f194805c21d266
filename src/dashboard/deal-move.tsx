/**
 * Moving a deal to another open stage: a form per deal (a stage select and a Move button) that works
 * without script and from the keyboard; the board's drag and drop only fills it in and submits it.
 * The form carries the deal's version, so a move made on a stale page is refused, not applied blind.
 */
import type { EntityRecord } from '../domain/engine/types'
import type { SignedIn } from './signed-in'

export interface StageView {
  $id: string
  name: string
  order: number
  colour?: string
  slaDays?: number | null
  kind?: string
  status?: string
  probability?: number
}

export function MoveForm({ s, deal, stages, back }: { s: SignedIn; deal: EntityRecord; stages: StageView[]; back: 'board' | 'deal' }) {
  const id = `move-${deal.$id}`
  return (
    <form method="post" action={`/~${s.slug}/dashboard/deals/${deal.$id}/advance`} data-move>
      <input type="hidden" name="csrf" value={s.csrf} />
      <input type="hidden" name="version" value={String(deal.$version)} />
      <input type="hidden" name="back" value={back} />
      <label class="visually-hidden" for={id}>
        Stage of {String(deal.name)}
      </label>
      <select id={id} name="stage">
        {stages.map((stage) => (
          <option value={stage.name} selected={stage.name === deal.stage}>
            {stage.name}
          </option>
        ))}
      </select>
      <button type="submit" class="secondary" aria-label={`Move ${String(deal.name)}`}>
        Move
      </button>
    </form>
  )
}

/** A stage's colour as a dot: an SVG presentation attribute, which the CSP's style-src does not govern. */
export const StageDot = ({ colour }: { colour?: string }) => (
  <svg width="10" height="10" viewBox="0 0 10 10" aria-hidden="true" focusable="false">
    <circle cx="5" cy="5" r="5" fill={colour && /^#[0-9a-fA-F]{3,8}$/.test(colour) ? colour : '#64748b'} />
  </svg>
)

const DAY = 86_400_000

/** Whole days the deal has been in its stage, and whether that is past the stage's SLA. */
export function stageAge(deal: EntityRecord, stage: StageView | undefined, now: number): { days: number; late: boolean } | undefined {
  if (typeof deal.stageEnteredAt !== 'string') return undefined
  const days = Math.floor((now - Date.parse(deal.stageEnteredAt)) / DAY)
  return { days, late: typeof stage?.slaDays === 'number' && now - Date.parse(deal.stageEnteredAt) > stage.slaDays * DAY }
}
