// The per-hop breakdown of delivered messages: the gateway's `gateway_message_hop_seconds`
// Prometheus histogram (filled from the trace headers a message carries through Kafka), scraped
// before and after a phase, from every gateway; percentiles are interpolated within the
// histogram's buckets.
const METRIC = 'gateway_message_hop_seconds_bucket';

export type HopBuckets = Map<string, Map<number, number>>;

export interface HopSummary {
  hop: string;
  count: number;
  p50: number;
  p90: number;
  p99: number;
}

export async function scrapeHops(origin: string): Promise<HopBuckets> {
  const buckets: HopBuckets = new Map();
  const response = await fetch(`${origin}/metrics`).catch(() => undefined);
  if (!response?.ok) return buckets;
  for (const line of (await response.text()).split('\n')) {
    if (!line.startsWith(METRIC)) continue;
    const hop = line.match(/hop="([^"]+)"/)?.[1];
    const le = line.match(/le="([^"]+)"/)?.[1];
    const value = line.match(/\}\s+(\S+)/)?.[1];
    if (hop === undefined || le === undefined || value === undefined) continue;
    const bounds = buckets.get(hop) ?? new Map<number, number>();
    bounds.set(le === '+Inf' ? Infinity : Number(le), Number(value));
    buckets.set(hop, bounds);
  }
  return buckets;
}

/** The histograms of several gateways as one: bucket counts are cumulative counts, so they add. */
export function mergeHops(list: readonly HopBuckets[]): HopBuckets {
  const merged: HopBuckets = new Map();
  for (const buckets of list) {
    for (const [hop, bounds] of buckets) {
      const into = merged.get(hop) ?? new Map<number, number>();
      for (const [le, n] of bounds) into.set(le, (into.get(le) ?? 0) + n);
      merged.set(hop, into);
    }
  }
  return merged;
}

/** Percentiles (ms) of what was observed between two scrapes. */
export function hopSummaries(before: HopBuckets, after: HopBuckets): HopSummary[] {
  // Each whole hop followed by its two parts (the producer's queue, then Kafka and the consumer's lag).
  const order = ['gateway_to_messaging', 'gateway_producer', 'kafka_to_messaging', 'messaging', 'kafka_to_gateway', 'total'];
  return [...after.keys()]
    .sort((a, b) => order.indexOf(a) - order.indexOf(b))
    .map((hop) => {
      const bounds = [...(after.get(hop) ?? new Map<number, number>())].map(([le, n]) => [le, n - (before.get(hop)?.get(le) ?? 0)] as const).sort((a, b) => a[0] - b[0]);
      const count = bounds[bounds.length - 1]?.[1] ?? 0;
      const at = (q: number): number => {
        const rank = q * count;
        let lower = 0;
        let below = 0;
        for (const [le, cumulative] of bounds) {
          if (cumulative >= rank) {
            if (!Number.isFinite(le)) return lower * 1000;
            const inBucket = cumulative - below;
            const fraction = inBucket > 0 ? (rank - below) / inBucket : 0;
            return Math.round((lower + (le - lower) * fraction) * 1e6) / 1000;
          }
          lower = le;
          below = cumulative;
        }
        return lower * 1000;
      };
      return { hop, count, p50: at(0.5), p90: at(0.9), p99: at(0.99) };
    })
    .filter((s) => s.count > 0);
}
