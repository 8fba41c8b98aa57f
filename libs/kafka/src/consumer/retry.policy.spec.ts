import { backoffDelay, NonRetriableError, type RetryControls, type RetryPolicy, runWithRetry } from './retry.policy';

const policy: RetryPolicy = { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 300, multiplier: 2 };

function controls(running: () => boolean = () => true): RetryControls & { heartbeats: number } {
  const c = {
    heartbeats: 0,
    heartbeat: () => {
      c.heartbeats++;
      return Promise.resolve();
    },
    isRunning: running,
  };
  return c;
}

function recordingSleep(): { sleep: (ms: number) => Promise<void>; slept: number[] } {
  const slept: number[] = [];
  return {
    slept,
    sleep: (ms) => {
      slept.push(ms);
      return Promise.resolve();
    },
  };
}

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the maximum', () => {
    const noJitter = () => 0.5;
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(policy, attempt, noJitter))).toEqual([100, 200, 300, 300]);
  });

  it('jitters by at most 20 %', () => {
    expect(backoffDelay(policy, 1, () => 0)).toBe(80);
    expect(backoffDelay(policy, 1, () => 1)).toBe(120);
  });
});

describe('runWithRetry', () => {
  it('returns after the first success, retrying failures with backoff and heartbeats', async () => {
    let calls = 0;
    const { sleep, slept } = recordingSleep();
    const c = controls();
    const outcome = await runWithRetry(
      () => (++calls < 3 ? Promise.reject(new Error('transient')) : Promise.resolve()),
      policy,
      c,
      { sleep, random: () => 0.5 },
    );
    expect(outcome).toEqual({ kind: 'succeeded' });
    expect(calls).toBe(3);
    expect(slept.reduce((a, b) => a + b, 0)).toBe(300);
    expect(c.heartbeats).toBeGreaterThanOrEqual(2);
  });

  it('gives up after maxAttempts with the last error', async () => {
    let calls = 0;
    const error = new Error('always');
    const outcome = await runWithRetry(
      () => {
        calls++;
        return Promise.reject(error);
      },
      policy,
      controls(),
      { ...recordingSleep(), random: () => 0.5 },
    );
    expect(outcome).toEqual({ kind: 'exhausted', attempts: 4, error });
    expect(calls).toBe(4);
  });

  it('does not retry a NonRetriableError', async () => {
    let calls = 0;
    const outcome = await runWithRetry(
      () => {
        calls++;
        return Promise.reject(new NonRetriableError('no point'));
      },
      policy,
      controls(),
      { ...recordingSleep(), random: () => 0.5 },
    );
    expect(outcome).toMatchObject({ kind: 'exhausted', attempts: 1 });
    expect(calls).toBe(1);
  });

  it('abandons the wait when the consumer stops', async () => {
    let running = true;
    let calls = 0;
    const outcome = await runWithRetry(
      () => {
        calls++;
        running = false;
        return Promise.reject(new Error('fails while stopping'));
      },
      policy,
      controls(() => running),
      { ...recordingSleep(), random: () => 0.5 },
    );
    expect(outcome).toEqual({ kind: 'stopped', attempts: 1 });
    expect(calls).toBe(1);
  });

  it('sleeps long delays in heartbeat-sized slices', async () => {
    const { sleep, slept } = recordingSleep();
    const c = controls();
    let calls = 0;
    await runWithRetry(
      () => (++calls < 2 ? Promise.reject(new Error('x')) : Promise.resolve()),
      { maxAttempts: 2, initialDelayMs: 1_200, maxDelayMs: 5_000, multiplier: 2 },
      c,
      { sleep, random: () => 0.5 },
    );
    expect(slept).toEqual([500, 500, 200]);
    expect(c.heartbeats).toBe(3);
  });
});
