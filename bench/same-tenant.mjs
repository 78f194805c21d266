/**
 * Helpers of the scenarios that compare two requests inside Revline alone (no baseline has the
 * feature): the median of a list, and the rps and p99 of one GET under autocannon, every answer a 200.
 */
import autocannon from 'autocannon'

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

export async function rps(t, path, connections, duration) {
  const result = await autocannon({ url: t.server.origin, connections, duration, requests: [{ method: 'GET', path, headers: t.headers }] })
  const ok = result.statusCodeStats?.['200']?.count ?? 0
  if (ok !== result.requests.total || result.errors) throw new Error(`${path}: ${result.requests.total - ok} non-200 answers, ${result.errors} errors`)
  return { rps: result.requests.total / result.duration, p99: result.latency.p99 }
}
