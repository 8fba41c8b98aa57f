import { type CpuProfile, sampleCounts } from './profile-summary';

// Three nodes; samples every 1,000 µs from startTime 10,000: node 2 at 11,000 and 12,000, node 3
// at 13,000 and 14,000, node 2 again at 15,000.
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, hitCount: 0 },
    { id: 2, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 }, hitCount: 3 },
    { id: 3, callFrame: { functionName: 'send', url: 'file:///w/apps/gateway/src/x.ts', lineNumber: 4 }, hitCount: 2 },
  ],
  startTime: 10_000,
  endTime: 16_000,
  samples: [2, 2, 3, 3, 2],
  timeDeltas: [1_000, 1_000, 1_000, 1_000, 1_000],
};

describe('sampleCounts', () => {
  it('counts every sample over the whole profile when no window is given', () => {
    const { hits, ms } = sampleCounts(profile);
    expect(Object.fromEntries(hits)).toEqual({ 2: 3, 3: 2 });
    expect(ms).toBe(6);
  });

  it('counts only the samples taken inside the windows, and the time they span', () => {
    const { hits, ms } = sampleCounts(profile, [{ fromUs: 12_500, toUs: 14_500 }]);
    expect(Object.fromEntries(hits)).toEqual({ 3: 2 });
    expect(ms).toBe(2);
  });

  it('adds up several windows and ignores samples between them', () => {
    const { hits } = sampleCounts(profile, [
      { fromUs: 10_500, toUs: 11_500 },
      { fromUs: 14_500, toUs: 15_500 },
    ]);
    expect(Object.fromEntries(hits)).toEqual({ 2: 2 });
  });
});
