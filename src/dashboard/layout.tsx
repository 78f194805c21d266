/** The dashboard's page shell: semantic landmarks, a skip link, and CSS that works at phone width. */
import type { Child } from 'hono/jsx'

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
.chart { margin: 0; } .chart svg { width: 100%; height: auto; } .chart-label, .chart-value { font-size: 15px; fill: var(--ink); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin-bottom: .75rem; }
label { display: grid; gap: .2rem; font-size: .9rem; }
.field { display: grid; gap: .2rem; }
input, select, button { font: inherit; padding: .45rem .6rem; border: 1px solid #94a3b8; border-radius: .35rem; background: #fff; color: var(--ink); }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.table-wrap { overflow-x: auto; }
table.leads { width: 100%; border-collapse: collapse; min-width: 36rem; }
table.leads th, table.leads td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: middle; }
.band { display: inline-block; padding: 0 .45rem; border-radius: 1rem; font-size: .8rem; font-weight: 600; }
.band-high { background: #dcfce7; color: #14532d; } .band-medium { background: #fef9c3; color: #713f12; } .band-low { background: #fee2e2; color: #7f1d1d; }
.inline { display: flex; gap: .35rem; align-items: center; }
.pager { display: flex; gap: 1rem; align-items: center; margin-top: .75rem; }
.notice { padding: .6rem .8rem; border-radius: .35rem; background: #fee2e2; color: var(--danger); }
dialog { border: 1px solid var(--line); border-radius: .5rem; padding: 1.25rem; width: min(28rem, 92vw); }
dialog form { display: grid; gap: .75rem; } dialog::backdrop { background: rgb(15 23 42 / .45); }
.actions { display: flex; gap: .5rem; justify-content: flex-end; }
.login { max-width: 24rem; margin: 10vh auto; }
`

/** `nonce`: this response's CSP nonce, which the page's own <style> and <script> must carry. */
export function Layout({ title, nonce, children }: { title: string; nonce: string | undefined; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>{title}</title>
        <style nonce={nonce} dangerouslySetInnerHTML={{ __html: CSS }} />
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        {children}
      </body>
    </html>
  )
}
