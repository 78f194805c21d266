/** The dashboard's page shell: semantic landmarks, a skip link, and CSS that works at phone width. */
import { raw } from 'hono/html'
import type { Child } from 'hono/jsx'
import type { Flash } from './flash'
import { WORKSPACE_CSS } from './styles'

const CSS = `
:root { --ink: #0f172a; --muted: #475569; --line: #cbd5e1; --bg: #f8fafc; --accent: #1d4ed8; --danger: #b91c1c; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, Segoe UI, sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--accent); }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 10; }
header { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; justify-content: space-between; padding: .75rem 1rem; background: #fff; border-bottom: 1px solid var(--line); }
header h1 { font-size: 1.15rem; margin: 0; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; display: grid; gap: 1.25rem; }
main > *, .charts > * { min-width: 0; }
section { background: #fff; border: 1px solid var(--line); border-radius: .5rem; padding: 1rem; }
section h2 { font-size: 1.05rem; margin: 0 0 .75rem; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(9.5rem, 1fr)); gap: .75rem; list-style: none; padding: 0; margin: 0; }
.kpis li { border: 1px solid var(--line); border-radius: .5rem; padding: .75rem; }
.kpis .label { color: var(--muted); font-size: .85rem; display: block; } .kpis .value { font-size: 1.45rem; font-weight: 700; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1.25rem; }
.chart { margin: 0; } .chart svg { display: block; width: 100%; max-width: 30rem; height: auto; } .chart-label, .chart-value { font-size: 15px; fill: var(--ink); } .chart-value { fill: var(--muted); font-variant-numeric: tabular-nums; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin-bottom: .75rem; }
label { display: grid; gap: .2rem; font-size: .9rem; }
label.check { display: flex; gap: .5rem; align-items: center; } label.check input { width: 1.1rem; height: 1.1rem; margin: 0; }
.field { display: grid; gap: .2rem; }
input, select, button { font: inherit; padding: .45rem .6rem; border: 1px solid #94a3b8; border-radius: .35rem; background: #fff; color: var(--ink); }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.table-wrap { overflow-x: auto; }
table.leads { width: 100%; border-collapse: collapse; min-width: 36rem; }
table.leads th, table.leads td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: middle; }
table.leads form { margin: 0; } table.leads select, table.leads button { padding: .25rem .5rem; }
table.leads td.lead-created { white-space: nowrap; }
.band { display: inline-block; padding: 0 .45rem; border-radius: 1rem; font-size: .8rem; font-weight: 600; }
.band-high { background: #dcfce7; color: #14532d; } .band-medium { background: #fef9c3; color: #713f12; } .band-low { background: #fee2e2; color: #7f1d1d; }
.inline { display: flex; gap: .35rem; align-items: center; }
.pager { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; margin-top: .75rem; }
.notice { margin: 0; padding: .6rem .8rem; border-radius: .35rem; background: #fee2e2; color: var(--danger); }
.notice-ok { background: #dcfce7; color: #14532d; }
.empty { color: var(--muted); margin: .5rem 0 0; } .empty p { margin: 0 0 .5rem; }
.empty pre, pre.note { background: var(--bg); border: 1px solid var(--line); border-radius: .35rem; padding: .6rem .75rem; overflow-x: auto; font-size: .85rem; color: var(--ink); }
pre.note { white-space: pre-wrap; overflow-wrap: anywhere; font: inherit; font-size: .9rem; margin: .35rem 0 0; max-height: 20rem; overflow-y: auto; }
code { overflow-wrap: anywhere; }
.hint { color: var(--muted); font-size: .85rem; margin: 0; }
textarea { font: inherit; padding: .45rem .6rem; border: 1px solid #94a3b8; border-radius: .35rem; width: 100%; }
.timeline { list-style: none; padding: 0; margin: 0; display: grid; gap: .75rem; }
.timeline li { border-left: 3px solid var(--line); padding-left: .75rem; }
.timeline .meta, .facts dt { color: var(--muted); font-size: .85rem; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 0; } .facts dd { margin: 0; overflow-wrap: anywhere; }
/* Phones: each lead is a card (name and date; source and score; the tenant's own fields a line each; the status control on a line of its own), so the control is always in view. */
@media (max-width: 40rem) {
  table.leads { min-width: 0; }
  table.leads thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.leads tbody { display: block; }
  table.leads tr { display: grid; grid-template-columns: 1fr auto; grid-template-areas: "name created" "source score"; gap: .3rem .75rem; align-items: center; padding: .7rem 0; border-bottom: 1px solid var(--line); }
  table.leads td { display: block; padding: 0; border: 0; min-width: 0; }
  table.leads td.lead-name { grid-area: name; font-weight: 600; }
  table.leads td.lead-source { grid-area: source; } table.leads td.lead-score { grid-area: score; }
  table.leads td.lead-custom { grid-column: 1 / -1; overflow-wrap: anywhere; }
  table.leads td.lead-status { grid-column: 1 / -1; order: 1; } table.leads td.lead-created { grid-area: created; color: var(--muted); font-size: .85rem; align-self: start; }
  table.leads td.lead-source::before, table.leads td.lead-score::before, table.leads td.lead-custom::before { content: attr(data-label) ": "; color: var(--muted); font-size: .85rem; }
  .facts { grid-template-columns: 1fr; } .facts dd { margin-bottom: .35rem; }
}
dialog { border: 1px solid var(--line); border-radius: .5rem; padding: 1.25rem; width: min(28rem, 92vw); }
dialog form { display: grid; gap: .75rem; } dialog::backdrop { background: rgb(15 23 42 / .45); }
.actions { display: flex; gap: .5rem; justify-content: flex-end; }
.login { max-width: 24rem; margin: 10vh auto; }
.passkeys { list-style: none; padding: 0; margin: 0 0 1rem; display: grid; gap: .5rem; }
.passkeys li { display: flex; flex-wrap: wrap; gap: .5rem 1rem; justify-content: space-between; align-items: center; border: 1px solid var(--line); border-radius: .35rem; padding: .5rem .75rem; } .passkeys li > span { display: grid; }
form.passkey-register { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; }
`

/** `nonce`: this response's CSP nonce, which the page's own <style> and <script> must carry. */
export function Layout({ title, nonce, children }: { title: string; nonce: string | undefined; children: Child }) {
  return (
    <>
      {DOCTYPE}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content="same-origin" />
          <title>{title}</title>
          <style nonce={nonce} dangerouslySetInnerHTML={{ __html: CSS + WORKSPACE_CSS }} />
        </head>
        <body>
          <a class="skip" href="#main">Skip to content</a>
          {children}
        </body>
      </html>
    </>
  )
}

/** Without it a browser lays the page out in quirks mode (forms gain a bottom margin, tables lose inherited fonts). */
export const DOCTYPE = raw('<!doctype html>')

/** Outcomes and problems at the top of a page: a confirmation is a polite status, a failure an alert. */
export function Notices({ notices }: { notices: Flash[] }) {
  return (
    <>
        {notices.map((n) =>
          n.kind === 'ok' ? (
            <p class="notice notice-ok" role="status">
              {n.text}
              {n.secret ? <code class="secret">{n.secret}</code> : null}
            </p>
          ) : (
            <p class="notice" role="alert">{n.text}</p>
          ),
        )}
    </>
  )
}
