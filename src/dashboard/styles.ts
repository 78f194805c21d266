/**
 * The workspace's CSS beyond the CRM page's (layout.tsx): the header with its nav, the pipeline
 * board, record pages and settings tables. Phones stack the board's columns and turn tables into cards.
 */
export const WORKSPACE_CSS = `
header.top { gap: .5rem 1rem; }
header.top .brand { font-weight: 700; color: var(--ink); text-decoration: none; font-size: 1.05rem; }
nav.main ul { display: flex; flex-wrap: wrap; gap: .25rem; list-style: none; margin: 0; padding: 0; }
nav.main a { display: block; padding: .35rem .65rem; border-radius: .35rem; text-decoration: none; color: var(--ink); }
nav.main a:hover { background: var(--bg); }
nav.main a[aria-current="page"] { background: #dbeafe; color: #1e3a8a; font-weight: 600; }
form.search { display: flex; gap: .35rem; align-items: center; margin: 0; flex: 1 1 18rem; min-width: 0; max-width: 30rem; }
form.search input { flex: 1 1 8rem; width: 8rem; min-width: 0; padding: .3rem .55rem; }
form.search select, form.search button { padding: .3rem .5rem; }
.hits { list-style: none; padding: 0; margin: 0; display: grid; }
.hits li { padding: .6rem .1rem; border-bottom: 1px solid var(--line); min-width: 0; }
.hits li:last-child { border-bottom: 0; }
.hit-head { margin: 0; display: flex; flex-wrap: wrap; gap: .2rem .6rem; align-items: baseline; overflow-wrap: anywhere; }
.hit-head .kind { display: inline-block; padding: 0 .45rem; border-radius: 1rem; background: #e2e8f0; color: var(--ink); font-size: .75rem; font-weight: 600; }
.snippet { margin: .2rem 0 0; color: var(--muted); font-size: .92rem; overflow-wrap: anywhere; }
mark { background: #fde68a; color: inherit; border-radius: .15rem; padding: 0 .05em; }
.who { display: flex; flex-wrap: wrap; gap: .4rem .6rem; align-items: center; font-size: .9rem; color: var(--muted); }
.who button, .role { white-space: nowrap; }
.meta { color: var(--muted); font-size: .85rem; font-weight: 400; }
section > p:first-child { margin-top: 0; } section > p:last-child { margin-bottom: 0; }
form + .hint { margin-top: .6rem; }
.who strong { color: var(--ink); }
.who form { margin: 0; } .who button { padding: .3rem .6rem; }
.role { display: inline-block; padding: 0 .4rem; border-radius: 1rem; background: #e2e8f0; color: var(--ink); font-size: .75rem; font-weight: 600; text-transform: capitalize; }
.login h1 { margin: 0 0 1rem; font-size: 1.5rem; }
.login .notice { margin: 0 0 1rem; }
.page-head { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; justify-content: space-between; }
.page-head h1 { font-size: 1.4rem; margin: 0; }
/* The live feed's indicator, beside the heading: a dot and a word (the dot's colour is never the only sign). */
.live-status { display: inline-flex; align-items: center; gap: .35rem; margin-right: auto; padding: .05rem .55rem; border: 1px solid var(--line); border-radius: 1rem; background: #fff; color: var(--muted); font-size: .8rem; white-space: nowrap; }
.live-status[hidden] { display: none; }
.live-status::before { content: ""; width: .5rem; height: .5rem; border-radius: 50%; background: #f59e0b; }
.live-status[data-state="live"]::before { background: #16a34a; }
.live-status[data-state="off"] { color: var(--danger); } .live-status[data-state="off"]::before { background: var(--danger); }
.notice code.secret { display: block; margin-top: .4rem; padding: .4rem .5rem; background: #fff; border: 1px solid var(--line); border-radius: .35rem; color: var(--ink); font-size: .95rem; user-select: all; }
.list { list-style: none; padding: 0; margin: 0; display: grid; gap: .5rem; }
.list li { display: flex; flex-wrap: wrap; gap: .25rem .75rem; align-items: baseline; justify-content: space-between; padding: .55rem .1rem; border-bottom: 1px solid var(--line); }
.list li:last-child { border-bottom: 0; }
.list .meta, .card .meta { color: var(--muted); font-size: .85rem; }
.late { color: var(--danger); font-weight: 600; }
section.danger { border: 1px solid var(--danger); border-radius: .5rem; padding: .25rem 1rem .75rem; margin-top: 1.5rem; }
section.danger button { background: var(--danger); border-color: var(--danger); color: #fff; }
.board { display: grid; grid-auto-flow: column; grid-auto-columns: minmax(15rem, 1fr); gap: .75rem; overflow-x: auto; padding-bottom: .5rem; }
.column { background: #f1f5f9; border: 1px solid var(--line); border-radius: .5rem; padding: .6rem; display: grid; gap: .5rem; align-content: start; min-width: 0; }
.column h2 { font-size: 1rem; margin: 0; display: flex; justify-content: space-between; gap: .5rem; align-items: baseline; }
.column h2 .meta { font-weight: 400; color: var(--muted); font-size: .8rem; }
.column.drop-target { outline: 3px dashed var(--accent); outline-offset: -3px; }
.cards { list-style: none; margin: 0; padding: 0; display: grid; gap: .5rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: .45rem; padding: .6rem; display: grid; gap: .35rem; }
.card[draggable="true"] { cursor: grab; }
.card a { font-weight: 600; overflow-wrap: anywhere; }
.card form { display: flex; gap: .35rem; align-items: center; margin: 0; }
.card select { flex: 1; min-width: 0; padding: .25rem .4rem; } .card button { padding: .25rem .55rem; }
table.grid { width: 100%; border-collapse: collapse; }
table.grid th, table.grid td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: middle; }
table.grid form { margin: 0; }
table.grid select, table.grid button, table.grid input { padding: .25rem .45rem; }
table.grid input.narrow { width: 5.5rem; }
.row-actions { display: flex; flex-wrap: wrap; gap: .35rem; align-items: center; }
form.stack { display: grid; gap: .6rem; max-width: 32rem; }
form.row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; }
form.row input, form.row select, form.row button { height: 2.5rem; }
.subnav { display: flex; flex-wrap: wrap; gap: .25rem; list-style: none; padding: 0; margin: 0; }
.subnav a { display: block; padding: .3rem .6rem; border: 1px solid var(--line); border-radius: 1rem; text-decoration: none; background: #fff; }
.subnav a[aria-current="page"] { background: var(--accent); color: #fff; border-color: var(--accent); }
.changes { list-style: none; padding: 0; margin: .25rem 0 0; font-size: .9rem; }
.timeline .changes li { border-left: 0; padding-left: 0; overflow-wrap: anywhere; }
.changes .name { color: var(--muted); }
.card-move { margin-top: .75rem; gap: .5rem; flex-wrap: wrap; }
.card-move form { display: flex; flex-wrap: wrap; gap: .35rem; align-items: center; margin: 0; }
.two { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1.25rem; }
.two > * { min-width: 0; }
@media (max-width: 40rem) {
  header.top { align-items: flex-start; }
  header.top nav.main { order: 3; width: 100%; }
  header form.search { order: 4; flex-basis: 100%; max-width: none; }
  header form.search select { flex: 0 1 7.5rem; min-width: 0; }
  .board { grid-auto-flow: row; grid-auto-columns: auto; overflow-x: visible; }
  table.grid thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.grid, table.grid tbody, table.grid tr, table.grid td { display: block; }
  table.grid tr { padding: .6rem 0; border-bottom: 1px solid var(--line); }
  table.grid td { border: 0; padding: .15rem 0; }
  table.grid td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); font-size: .85rem; }
}
`
