// Latency distributions: HDR histograms in microseconds (1 µs … 2 min, 3 significant digits),
// recorded in the load workers, shipped to the parent compressed and merged there.
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

export function newHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3, autoResize: true });
}

export function encode(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function merge(encoded: readonly string[]): Histogram {
  const total = newHistogram();
  for (const text of encoded) {
    const part = hdr.decodeFromCompressedBase64(text);
    total.add(part);
    part.destroy();
  }
  return total;
}

/** The summary every report table shows, in milliseconds; `Infinity` where a percentile falls among the missing. */
export interface LatencySummary {
  /** Values recorded (deliveries or acks that happened). */
  count: number;
  /** Expected but never happened (undelivered messages, unacknowledged sends): infinite latencies. */
  missing: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** Of the recorded values only (the missing have no finite mean). */
  mean: number;
}

/**
 * Percentiles over the recorded values plus `missing` infinite ones: the q-th percentile is the
 * value of rank ⌈q·N⌉ among all N = recorded + missing, sorted, so once the missing outnumber
 * what lies above a percentile it is infinite (a p99 cannot hide a 2 % loss).
 */
export function summarize(histogram: Histogram, missing = 0): LatencySummary {
  const ms = (us: number): number => Math.round(us) / 1000;
  const count = histogram.totalCount;
  const total = count + Math.max(0, missing);
  if (total === 0) return { count: 0, missing: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  const at = (q: number): number => {
    // (less a hair: 0.999 × 1000 is 999.0000000000001 in floating point)
    const rank = Math.max(1, Math.ceil((q / 100) * total - 1e-9));
    if (rank > count) return Infinity;
    return ms(histogram.getValueAtPercentile((rank / count) * 100));
  };
  return {
    count,
    missing: Math.max(0, missing),
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: missing > 0 ? Infinity : ms(histogram.maxValue),
    mean: count > 0 ? ms(histogram.mean) : 0,
  };
}

/** A latency in ms for a report: `∞` for the missing. */
export function formatMs(value: number): string | number {
  return Number.isFinite(value) ? value : '∞';
}

/** JSON.stringify replacer that keeps infinite latencies readable (JSON has no Infinity). */
export function jsonInfinity(_key: string, value: unknown): unknown {
  return value === Infinity ? 'Infinity' : value;
}

/** Summary of plain millisecond samples (few enough to keep, e.g. history pages). */
export function summarizeMs(samples: readonly number[]): LatencySummary {
  const histogram = newHistogram();
  for (const sample of samples) histogram.recordValue(Math.max(1, Math.round(sample * 1000)));
  const summary = summarize(histogram);
  histogram.destroy();
  return summary;
}
