import { errorMessage, waitUntil, withTimeout } from './wait';

describe('waitUntil', () => {
  it('retries until the attempt succeeds', async () => {
    let calls = 0;
    const outcome = await waitUntil({
      timeoutMs: 2000,
      intervalMs: 1,
      attempt: () => (++calls < 3 ? Promise.reject(new Error('not yet')) : Promise.resolve('ok')),
    });
    expect(outcome).toEqual({ ok: true, value: 'ok', attempts: 3 });
  });

  it('gives up at the deadline with the last error', async () => {
    const outcome = await waitUntil({ timeoutMs: 30, intervalMs: 5, attempt: () => Promise.reject(new Error('refused')) });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.reason).toBe('timeout');
      expect(outcome.detail).toBe('refused');
    }
  });

  it('stops early when the abort check says so (process died)', async () => {
    const outcome = await waitUntil({
      timeoutMs: 10_000,
      intervalMs: 1,
      attempt: () => Promise.reject(new Error('refused')),
      abortReason: () => Promise.resolve('process 42 exited with code 1'),
    });
    expect(outcome).toEqual({ ok: false, reason: 'aborted', detail: 'process 42 exited with code 1', attempts: 0 });
  });
});

describe('withTimeout', () => {
  it('passes results through and times out slow work', async () => {
    await expect(withTimeout('fast', 1000, Promise.resolve(1))).resolves.toBe(1);
    await expect(withTimeout('slow', 10, new Promise(() => undefined))).rejects.toThrow('slow timed out after 10ms');
  });
});

describe('errorMessage', () => {
  it('flattens AggregateErrors (e.g. ECONNREFUSED on both IPv4 and IPv6)', () => {
    expect(errorMessage(new AggregateError([new Error('a'), new Error('b')]))).toBe('a; b');
    expect(errorMessage('x')).toBe('x');
  });
});
