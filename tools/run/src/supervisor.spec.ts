import { LivenessWatch, RestartBudget } from './supervisor';

describe('RestartBudget', () => {
  const policy = { maxRestarts: 3, windowMs: 60_000, initialDelayMs: 1_000, maxDelayMs: 3_000 };

  it('restarts with a doubling, capped delay, and gives up after maxRestarts exits within the window', () => {
    const budget = new RestartBudget(policy);
    expect([0, 10, 20].map((t) => budget.exited(t))).toEqual([
      { kind: 'restart', attempt: 1, delayMs: 1_000 },
      { kind: 'restart', attempt: 2, delayMs: 2_000 },
      { kind: 'restart', attempt: 3, delayMs: 3_000 },
    ]);
    expect(budget.exited(30)).toEqual({ kind: 'give-up', exits: 4 });
  });

  it('forgets exits older than the window', () => {
    const budget = new RestartBudget(policy);
    budget.exited(0);
    budget.exited(1);
    budget.exited(2);
    expect(budget.exited(70_000)).toEqual({ kind: 'restart', attempt: 1, delayMs: 1_000 });
  });
});

describe('LivenessWatch', () => {
  it('asks for a restart after three failed answers in a row, never for a process that does not answer yet', () => {
    const watch = new LivenessWatch(3);
    expect([null, null, null, null].map((s) => watch.answered(s))).toEqual([false, false, false, false]);
    expect([503, 503, 200, 503, 503].map((s) => watch.answered(s))).toEqual([false, false, false, false, false]);
    expect(watch.answered(503)).toBe(true);
    expect(watch.answered(503)).toBe(false);
  });
});
