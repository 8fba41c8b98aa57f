import { backoffDelay, DEFAULT_RETRY_POLICY, isPermanentFailure, NonRetriableError, type RetryPolicy } from './retry.policy';

const policy: RetryPolicy = { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 300, multiplier: 2 };

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the maximum', () => {
    const noJitter = () => 0.5;
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(policy, attempt, noJitter))).toEqual([100, 200, 300, 300]);
  });

  it('jitters by at most 20 %', () => {
    expect(backoffDelay(policy, 1, () => 0)).toBe(80);
    expect(backoffDelay(policy, 1, () => 1)).toBe(120);
  });

  it('stays at the maximum however long an outage lasts', () => {
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 10_000, () => 0.5)).toBe(DEFAULT_RETRY_POLICY.maxDelayMs);
  });
});

describe('the default policy', () => {
  it('never gives a record up: only an explicit NonRetriableError is permanent', () => {
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBe(Number.POSITIVE_INFINITY);
    expect(isPermanentFailure(new NonRetriableError('no such channel'))).toBe(true);
    expect(isPermanentFailure(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBe(false);
  });
});
