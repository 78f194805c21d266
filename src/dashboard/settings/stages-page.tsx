/**
 * Settings → Stages: the pipeline in order. Open stages are renamed (with their probability and
 * SLA), moved up or down, retired and reinstated; Won and Lost keep their names. A new stage goes
 * after the open stage picked.
 */
import type { StageView } from '../deal-move'
import { StageDot } from '../deal-move'
import type { Flash } from '../flash'
import type { SignedIn } from '../signed-in'
import { Csrf, PostButton, SettingsFrame } from './frame'

export function StagesPage({ s, stages, notices }: { s: SignedIn; stages: StageView[]; notices: Flash[] }) {
  const base = `/~${s.slug}/dashboard/settings/stages`
  const open = stages.filter((st) => (st.kind ?? 'Open') === 'Open')
  return (
    <SettingsFrame s={s} tab="stages" notices={notices}>
      <section aria-labelledby="stages-title">
        <h2 id="stages-title">Pipeline stages</h2>
        <div class="table-wrap">
          <table class="grid">
            <thead>
              <tr>
                <th scope="col">Stage</th>
                <th scope="col">Probability (%)</th>
                <th scope="col">SLA (days)</th>
                <th scope="col">Order</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {stages.map((stage) => {
                const isOpen = (stage.kind ?? 'Open') === 'Open'
                const at = open.findIndex((st) => st.$id === stage.$id)
                // One form per open stage; its inputs sit in their own cells and join it by the `form` attribute.
                const form = `stage-${stage.$id}`
                return (
                  <tr data-stage-row={stage.$id}>
                    <td>
                      {isOpen ? (
                        <form id={form} method="post" action={`${base}/${stage.$id}`} class="row-actions">
                          <Csrf s={s} />
                          <StageDot colour={stage.colour} />
                          <input name="name" value={stage.name} required maxlength={100} aria-label={`Name of ${stage.name}`} />
                        </form>
                      ) : (
                        <span class="row-actions">
                          <StageDot colour={stage.colour} /> <strong>{stage.name}</strong> <span class="meta">deals enter it by {stage.kind === 'Won' ? 'win' : 'lose'}</span>
                        </span>
                      )}
                    </td>
                    <td data-label="Probability (%)">
                      {isOpen ? (
                        <input form={form} class="narrow" name="probability" type="number" min={0} max={100} value={String(stage.probability ?? 0)} aria-label={`Win probability of ${stage.name} (%)`} />
                      ) : (
                        String(stage.probability ?? 0)
                      )}
                    </td>
                    <td data-label="SLA (days)">
                      {isOpen ? (
                        <input form={form} class="narrow" name="slaDays" type="number" min={0} max={3650} value={stage.slaDays == null ? '' : String(stage.slaDays)} placeholder="none" aria-label={`SLA of ${stage.name} (days)`} />
                      ) : (
                        '–'
                      )}
                    </td>
                    <td data-label="Order">{stage.order}</td>
                    <td data-label="Status">{stage.status ?? 'Active'}</td>
                    <td>
                      {isOpen && (
                        <div class="row-actions">
                          <button form={form} type="submit" aria-label={`Save ${stage.name}`}>
                            Save
                          </button>
                          <PostButton s={s} action={`${base}/${stage.$id}/move`} name="direction" value="up" label={`Move ${stage.name} up`} text="↑ Up" disabled={at === 0} />
                          <PostButton s={s} action={`${base}/${stage.$id}/move`} name="direction" value="down" label={`Move ${stage.name} down`} text="↓ Down" disabled={at === open.length - 1} />
                          {stage.status === 'Retired' ? (
                            <PostButton s={s} action={`${base}/${stage.$id}/reinstate`} label={`Reinstate ${stage.name}`} text="Reinstate" />
                          ) : (
                            <PostButton s={s} action={`${base}/${stage.$id}/retire`} label={`Retire ${stage.name}`} text="Retire" />
                          )}
                        </div>
                      )}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
        <p class="hint">A retired stage leaves the board and cannot take new deals; the deals in it stay until they are moved.</p>
      </section>
      <section aria-labelledby="new-stage-title">
        <h2 id="new-stage-title">New stage</h2>
        <form method="post" action={base} class="row">
          <Csrf s={s} />
          <label>
            Name
            <input name="name" required maxlength={100} autocomplete="off" />
          </label>
          <label>
            Probability (%)
            <input class="narrow" name="probability" type="number" min={0} max={100} value="0" />
          </label>
          <label>
            SLA (days)
            <input class="narrow" name="slaDays" type="number" min={0} max={3650} />
          </label>
          <label>
            After
            <select name="after">
              {open.map((st, i) => (
                <option value={st.$id} selected={i === open.length - 1}>
                  {st.name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Add stage</button>
        </form>
      </section>
    </SettingsFrame>
  )
}
