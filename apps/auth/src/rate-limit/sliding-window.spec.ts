import { decide, windowIndex } from './sliding-window';

const W = 60_000;

describe('sliding-window decision', () => {
  it('allows up to the limit within one window', () => {
    expect(decide(3, W, 10_000, { current: 3, previous: 0 }).allowed).toBe(true);
    expect(decide(3, W, 10_000, { current: 4, previous: 0 }).allowed).toBe(false);
  });

  it('weighs the previous window by how much of it the sliding window still covers', () => {
    // 15 s into the window: 75 % of the previous window still counts.
    const at = 5 * W + 15_000;
    expect(decide(10, W, at, { current: 2, previous: 10 }).estimate).toBeCloseTo(9.5);
    expect(decide(10, W, at, { current: 2, previous: 10 }).allowed).toBe(true);
    expect(decide(10, W, at, { current: 3, previous: 10 }).allowed).toBe(false);
  });

  it('does not allow a burst of twice the limit across a window boundary', () => {
    // 10 hits at the end of one window, then 10 more right after the boundary.
    const justAfter = 7 * W + 100;
    expect(decide(10, W, justAfter, { current: 1, previous: 10 }).allowed).toBe(false);
  });

  it('asks to retry when the previous window has shrunk enough, within this window', () => {
    // 30 s in, limit 10: 10 * 0.5 + 6 = 11 is over the limit.
    const at = 30_000;
    const decision = decide(10, W, at, { current: 6, previous: 10 });
    expect(decision.allowed).toBe(false);
    // Allowed again when 10 * overlap + 6 + 1 <= 10, i.e. overlap <= 0.3: 42 s into the window.
    expect(decision.retryAfterMs).toBeCloseTo(12_000);
    expect(decide(10, W, at + decision.retryAfterMs, { current: 7, previous: 10 }).allowed).toBe(true);
  });

  it('asks to wait into the next window when this window alone is over the limit', () => {
    const decision = decide(10, W, 50_000, { current: 20, previous: 0 });
    // 10 s left here; next window: 20 * (1 - t/60) + 1 <= 10 when t >= 33 s.
    expect(decision.retryAfterMs).toBeCloseTo(10_000 + 33_000);
    expect(decide(10, W, 60_000 + 33_000, { current: 1, previous: 20 }).allowed).toBe(true);
    expect(decide(10, W, 60_000 + 32_000, { current: 1, previous: 20 }).allowed).toBe(false);
  });

  it('numbers windows from the epoch', () => {
    expect(windowIndex(0, W)).toBe(0);
    expect(windowIndex(W - 1, W)).toBe(0);
    expect(windowIndex(W, W)).toBe(1);
  });
});
