/** Server-rendered SVG bar charts: no client script, readable by screen readers (title + table fallback). */
export interface Bar {
  label: string
  value: number
  note?: string
}

/**
 * Layout, in the SVG's own units (it scales to its container): each row is a text line (label
 * at the left, figures right-aligned at the right edge) over a full-width track holding the bar.
 * Neither text can run past the edge at any width: the figures end at the edge, and a label too long
 * for the room the figures leave is shortened (its full text stays in its tooltip and the table).
 */
const WIDTH = 400
const ROW = 46
const TEXT_Y = 17
const TRACK_Y = 25
const TRACK_HEIGHT = 13
/** A generous width per character at the charts' 15-unit font, so estimates err towards room to spare. */
const CHAR = 9
const GAP = 16

function fitted(label: string, figures: string): string {
  const room = Math.max(4, Math.floor((WIDTH - figures.length * CHAR - GAP) / CHAR))
  return label.length <= room ? label : `${label.slice(0, room - 1)}…`
}

export function BarChart({ title, bars, colour = '#2563eb', format = String, empty }: { title: string; bars: Bar[]; colour?: string; format?: (n: number) => string; empty?: string }) {
  if (bars.length === 0 && empty) return <p class="empty">{empty}</p>
  const max = Math.max(1, ...bars.map((b) => b.value))
  const height = bars.length * ROW
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={title} preserveAspectRatio="xMinYMin meet">
        <title>{title}</title>
        {bars.map((bar, i) => {
          const y = i * ROW
          const figures = `${format(bar.value)}${bar.note ? ` · ${bar.note}` : ''}`
          const shown = fitted(bar.label, figures)
          const w = Math.round((WIDTH * bar.value) / max)
          return (
            <g>
              <text x={0} y={y + TEXT_Y} class="chart-label">
                {shown !== bar.label ? <title>{bar.label}</title> : null}
                {shown}
              </text>
              <text x={WIDTH} y={y + TEXT_Y} text-anchor="end" class="chart-value">{figures}</text>
              <rect x={0} y={y + TRACK_Y} width={WIDTH} height={TRACK_HEIGHT} rx={3} fill="#e2e8f0" />
              <rect x={0} y={y + TRACK_Y} width={Math.max(w, bar.value > 0 ? 3 : 0)} height={TRACK_HEIGHT} rx={3} fill={colour} />
            </g>
          )
        })}
      </svg>
      <figcaption class="visually-hidden">
        <table>
          <caption>{title}</caption>
          <tbody>
            {bars.map((b) => (
              <tr><th scope="row">{b.label}</th><td>{format(b.value)}{b.note ? ` (${b.note})` : ''}</td></tr>
            ))}
          </tbody>
        </table>
      </figcaption>
    </figure>
  )
}
