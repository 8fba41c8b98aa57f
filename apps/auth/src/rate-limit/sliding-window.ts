// Sliding-window counter: the count of the current fixed window plus the previous window's count
// weighted by how much of it still overlaps the sliding window. Two counters per key instead of a
// log of every attempt, and no burst of 2x the limit at a window boundary as fixed windows allow.

export interface WindowCounts {
  /** Hits in the current fixed window, this one included. */
  current: number;
  /** Hits in the previous fixed window. */
  previous: number;
}

export interface WindowDecision {
  allowed: boolean;
  /** The estimated hits in the sliding window ending now, this one included. */
  estimate: number;
  /** When refused: milliseconds until one more attempt would be allowed (if nothing else is tried). */
  retryAfterMs: number;
}

export function windowIndex(nowMs: number, windowMs: number): number {
  return Math.floor(nowMs / windowMs);
}

export function decide(limit: number, windowMs: number, nowMs: number, counts: WindowCounts): WindowDecision {
  const elapsed = nowMs - windowIndex(nowMs, windowMs) * windowMs;
  const overlap = 1 - elapsed / windowMs;
  const estimate = counts.previous * overlap + counts.current;
  if (estimate <= limit) return { allowed: true, estimate, retryAfterMs: 0 };
  return { allowed: false, estimate, retryAfterMs: retryAfter(limit, windowMs, elapsed, counts) };
}

/** The least wait after which previous*overlap + current + 1 <= limit. */
function retryAfter(limit: number, windowMs: number, elapsed: number, { current, previous }: WindowCounts): number {
  const remaining = windowMs - elapsed;
  const room = limit - 1 - current;
  if (room >= 0 && previous > 0) {
    // Still in this window: wait for the previous window's weight to shrink enough.
    const wait = windowMs * (1 - room / previous) - elapsed;
    if (wait <= remaining) return Math.max(0, wait);
  }
  // In the next window this window becomes the previous one, weighing current * (1 - t/window).
  const nextWait = current > 0 ? Math.max(0, windowMs * (1 - (limit - 1) / current)) : 0;
  return remaining + nextWait;
}
