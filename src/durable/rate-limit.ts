/**
 * Fixed-window counters per client, held in the tenant object's memory: the object is the single
 * place a tenant's captures pass through, so no storage write is needed to count them. An evicted
 * object starts its windows afresh, which only ever errs on the side of letting a visitor in.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>()

  constructor(private readonly windowMs = 60_000) {}

  /** Counts one hit; returns the seconds to wait when over `limit`, else 0. */
  hit(client: string, limit: number, now = Date.now()): number {
    const start = now - (now % this.windowMs)
    let window = this.windows.get(client)
    if (!window || window.start !== start) {
      if (this.windows.size > 10_000) this.prune(start)
      window = { start, count: 0 }
      this.windows.set(client, window)
    }
    if (window.count >= limit) return Math.max(1, Math.ceil((start + this.windowMs - now) / 1000))
    window.count++
    return 0
  }

  private prune(current: number) {
    for (const [client, window] of this.windows) if (window.start !== current) this.windows.delete(client)
  }
}
