import { type HopBuckets, hopSummaries, mergeHops } from './hops';

const buckets = (hop: string, counts: [number, number][]): HopBuckets => new Map([[hop, new Map(counts)]]);

describe('hops', () => {
  it('adds the cumulative bucket counts of several gateways, hop by hop', () => {
    const one = buckets('total', [[0.005, 2], [0.01, 4], [Infinity, 4]]);
    one.set('messaging', new Map([[0.005, 1], [Infinity, 1]]));
    const two = buckets('total', [[0.005, 0], [0.01, 6], [Infinity, 6]]);

    const merged = mergeHops([one, two]);

    expect(merged.get('total')).toEqual(new Map([[0.005, 2], [0.01, 10], [Infinity, 10]]));
    expect(merged.get('messaging')).toEqual(new Map([[0.005, 1], [Infinity, 1]]));
    expect(mergeHops([])).toEqual(new Map());
  });

  it('gives percentiles of the merged histograms over what both gateways observed in the phase', () => {
    const before = mergeHops([buckets('total', [[0.01, 0], [0.02, 0], [Infinity, 0]]), buckets('total', [[0.01, 5], [0.02, 5], [Infinity, 5]])]);
    // Phase: gateway 1 saw 10 messages under 10 ms, gateway 2 saw 10 between 10 and 20 ms.
    const after = mergeHops([buckets('total', [[0.01, 10], [0.02, 10], [Infinity, 10]]), buckets('total', [[0.01, 5], [0.02, 15], [Infinity, 15]])]);

    expect(hopSummaries(before, after)).toEqual([{ hop: 'total', count: 20, p50: 10, p90: 18, p99: 19.8 }]);
  });
});
