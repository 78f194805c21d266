/**
 * The pipeline board: the open stages in order, each a column of its deals as cards. Each card moves
 * with its own form (keyboard and no-script friendly); with script, a card may be dragged to a column.
 */
import type { EntityRecord } from '../domain/engine/types'
import { money } from './crm-page'
import { MoveForm, StageDot, stageAge, type StageView } from './deal-move'
import type { Flash } from './flash'
import { Shell } from './shell'
import type { SignedIn } from './signed-in'

export interface Column {
  stage: StageView
  deals: EntityRecord[]
  total: number
}

/** Progressive drag and drop: dropping a card on a column picks that stage in the card's form and submits it. */
const SCRIPT = `
document.querySelectorAll('[data-card]').forEach(card => {
  card.draggable = true;
  card.addEventListener('dragstart', e => e.dataTransfer.setData('text/plain', card.dataset.card));
});
document.querySelectorAll('[data-stage]').forEach(column => {
  column.addEventListener('dragover', e => { e.preventDefault(); column.classList.add('drop-target'); });
  column.addEventListener('dragleave', () => column.classList.remove('drop-target'));
  column.addEventListener('drop', e => {
    e.preventDefault();
    column.classList.remove('drop-target');
    const card = document.querySelector('[data-card="' + CSS.escape(e.dataTransfer.getData('text/plain')) + '"]');
    const form = card && card.querySelector('form[data-move]');
    if (!form || form.stage.value === column.dataset.stage) return;
    form.stage.value = column.dataset.stage;
    form.requestSubmit();
  });
});
`

export function BoardPage({ s, columns, notices, now }: { s: SignedIn; columns: Column[]; notices: Flash[]; now: number }) {
  const stages = columns.map((c) => c.stage)
  return (
    <Shell s={s} title="Pipeline board" section="board" notices={notices} script={SCRIPT}>
      <p class="hint">Each card moves with its stage list and Move button (or drag it to another column). Won and lost deals leave the board.</p>
      {columns.length === 0 ? (
        <p class="empty">This team has no open stages. An admin adds them under Settings → Stages.</p>
      ) : (
        <div class="board">
          {columns.map((column) => (
            <section class="column" data-stage={column.stage.name} aria-labelledby={`col-${column.stage.$id}`}>
              <h2 id={`col-${column.stage.$id}`}>
                <span>
                  <StageDot colour={column.stage.colour} /> {column.stage.name}
                </span>
                <span class="meta">
                  {column.total} · {money(column.deals.reduce((sum, d) => sum + Number(d.value ?? 0), 0))}
                </span>
              </h2>
              {column.deals.length === 0 ? (
                <p class="meta">No deals here.</p>
              ) : (
                <ul class="cards">
                  {column.deals.map((deal) => {
                    const age = stageAge(deal, column.stage, now)
                    return (
                      <li class="card" data-card={deal.$id}>
                        <a href={`/~${s.slug}/dashboard/deals/${deal.$id}`}>{String(deal.name)}</a>
                        <span class="meta">
                          {money(Number(deal.value ?? 0))}
                          {age && (
                            <>
                              {' · '}
                              <span class={age.late ? 'late' : undefined}>
                                {age.days} {age.days === 1 ? 'day' : 'days'} in stage{age.late ? ', past SLA' : ''}
                              </span>
                            </>
                          )}
                        </span>
                        <MoveForm s={s} deal={deal} stages={stages} back="board" />
                      </li>
                    )
                  })}
                </ul>
              )}
              {column.total > column.deals.length && <p class="meta">and {column.total - column.deals.length} more</p>}
            </section>
          ))}
        </div>
      )}
    </Shell>
  )
}
