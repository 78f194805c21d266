/** Server-rendered SVG bar charts: no client script, readable by screen readers (title + table fallback). */
export interface Bar {
  label: string
  value: number
  note?: string
}

export function BarChart({ title, bars, colour = '#2563eb', format = String }: { title: string; bars: Bar[]; colour?: string; format?: (n: number) => string }) {
  const max = Math.max(1, ...bars.map((b) => b.value))
  const rowHeight = 30
  const labelWidth = 110
  const width = 400
  const height = bars.length * rowHeight + 10
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title} preserveAspectRatio="xMinYMin meet">
        <title>{title}</title>
        {bars.map((bar, i) => {
          const w = Math.round(((width - labelWidth - 120) * bar.value) / max)
          const y = i * rowHeight + 5
          return (
            <g>
              <text x={0} y={y + 18} class="chart-label">{bar.label}</text>
              <rect x={labelWidth} y={y + 4} width={Math.max(w, bar.value > 0 ? 2 : 0)} height={rowHeight - 10} rx={3} fill={colour} />
              <text x={labelWidth + w + 6} y={y + 18} class="chart-value">{format(bar.value)}{bar.note ? ` · ${bar.note}` : ''}</text>
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
