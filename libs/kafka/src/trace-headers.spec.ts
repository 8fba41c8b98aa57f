import { TraceSampler, traceOf, TRACE_HEADERS, traceSpan } from './trace-headers';

describe('TraceSampler', () => {
  const picks = (every: number, calls: number): number[] => {
    const sampler = new TraceSampler(every);
    return Array.from({ length: calls }, (_, i) => i + 1).filter(() => sampler.next());
  };

  it('traces every N-th record', () => {
    expect(picks(4, 12)).toEqual([4, 8, 12]);
  });

  it('traces all with 1 and none with 0', () => {
    expect(picks(1, 3)).toEqual([1, 2, 3]);
    expect(picks(0, 3)).toEqual([]);
  });
});

describe('trace headers', () => {
  it('keeps only the trace headers of a record', () => {
    expect(traceOf({ [TRACE_HEADERS.gatewayPublished]: '1.5', other: 'x' })).toEqual({ [TRACE_HEADERS.gatewayPublished]: '1.5' });
  });

  it('measures a span only between two well-formed stamps', () => {
    expect(traceSpan('1.5', 4)).toBe(2.5);
    expect(traceSpan(undefined, 4)).toBeUndefined();
    expect(traceSpan('x', 4)).toBeUndefined();
  });
});
