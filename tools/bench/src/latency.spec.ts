import { formatMs, jsonInfinity, newHistogram, summarize } from './latency';

describe('summarize with missing values (infinite latencies)', () => {
  const histogramOf = (valuesMs: number[]): ReturnType<typeof newHistogram> => {
    const h = newHistogram();
    for (const v of valuesMs) h.recordValue(v * 1000);
    return h;
  };

  it('gives plain percentiles when nothing is missing', () => {
    const h = histogramOf(Array.from({ length: 100 }, (_, i) => i + 1));
    const s = summarize(h);
    expect(s).toMatchObject({ count: 100, missing: 0 });
    // HDR buckets: within 0.1 % (3 significant digits).
    for (const [value, expected] of [[s.p50, 50], [s.p90, 90], [s.p99, 99], [s.max, 100]] as const) expect(value).toBeCloseTo(expected, 0);
    h.destroy();
  });

  it('puts the missing above every recorded value: a 2 % loss makes p99 infinite, p50 barely moves', () => {
    const h = histogramOf(Array.from({ length: 98 }, (_, i) => i + 1));
    const s = summarize(h, 2);
    expect(s.count).toBe(98);
    expect(s.missing).toBe(2);
    expect(s.p50).toBeCloseTo(50, 0);
    expect(s.p90).toBeCloseTo(90, 0);
    expect(s.p99).toBe(Infinity);
    expect(s.max).toBe(Infinity);
    // The mean is of what arrived.
    expect(s.mean).toBeCloseTo(49.5, 0);
    h.destroy();
  });

  it('keeps p99 finite while the missing stay within the top 1 %', () => {
    const h = histogramOf(Array.from({ length: 999 }, () => 5));
    const s = summarize(h, 1);
    expect(s.p99).toBeCloseTo(5, 1);
    expect(s.p999).toBeCloseTo(5, 1);
    expect(summarize(h, 2).p999).toBe(Infinity);
    h.destroy();
  });

  it('is all infinite when nothing arrived, and zero when nothing was expected', () => {
    const h = newHistogram();
    expect(summarize(h, 3)).toMatchObject({ count: 0, missing: 3, p50: Infinity, p99: Infinity, max: Infinity, mean: 0 });
    expect(summarize(h)).toMatchObject({ count: 0, missing: 0, p50: 0, p99: 0 });
    h.destroy();
  });

  it('shows infinity as ∞ in tables and as "Infinity" in JSON', () => {
    expect(formatMs(Infinity)).toBe('∞');
    expect(formatMs(12.5)).toBe(12.5);
    expect(JSON.parse(JSON.stringify({ p99: Infinity, p50: 3 }, jsonInfinity))).toEqual({ p99: 'Infinity', p50: 3 });
  });
});
