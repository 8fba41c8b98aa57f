import { OffsetTracker } from './offset-tracker';

describe('OffsetTracker', () => {
  it('commits up to the lowest unfinished record, whatever order records finish in', () => {
    const tracker = new OffsetTracker();
    const [a, b, c] = ['10', '11', '12'].map((o) => tracker.track(o));
    expect(tracker.takeCommit()).toBeUndefined();
    c();
    expect(tracker.takeCommit()).toBeUndefined();
    a();
    expect(tracker.takeCommit()).toBe('11');
    expect(tracker.takeCommit()).toBeUndefined();
    b();
    expect(tracker.takeCommit()).toBe('13');
    expect(tracker.inFlight).toBe(0);
  });

  it('allows gaps between offsets (compacted or transactional topics) but never a step back', () => {
    const tracker = new OffsetTracker();
    tracker.track('5')();
    tracker.track('9')();
    expect(tracker.takeCommit()).toBe('10');
    expect(() => tracker.track('9')).toThrow(/after 9/);
  });

  it('keeps working after many records (the finished prefix is dropped)', () => {
    const tracker = new OffsetTracker();
    const finish = Array.from({ length: 5000 }, (_, i) => tracker.track(String(i)));
    finish.slice(0, 4000).forEach((f) => f());
    expect(tracker.takeCommit()).toBe('4000');
    expect(tracker.inFlight).toBe(1000);
    finish.slice(4000).reverse().forEach((f) => f());
    expect(tracker.takeCommit()).toBe('5000');
  });
});
