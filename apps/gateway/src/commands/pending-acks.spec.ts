import { PendingAcks, type PendingOutcome } from './pending-acks';

describe('PendingAcks', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('settles the matching request with the reply, once', async () => {
    const pending = new PendingAcks();
    const first = pending.wait('s1', 'r1', 1_000);
    const second = pending.wait('s1', 'r2', 1_000);
    expect(pending.settle('r2', { ok: true })).toBe(true);
    await expect(second).resolves.toEqual({ kind: 'reply', result: { ok: true } });
    expect(pending.settle('r2', { ok: true })).toBe(false);
    expect(pending.size).toBe(1);
    expect(pending.settle('r1', { ok: false, error: { code: 'forbidden', message: 'no' } })).toBe(true);
    await expect(first).resolves.toEqual({ kind: 'reply', result: { ok: false, error: { code: 'forbidden', message: 'no' } } });
    expect(pending.size).toBe(0);
  });

  it('ignores replies nobody waits for', () => {
    const pending = new PendingAcks();
    expect(pending.settle('unknown', { ok: true })).toBe(false);
  });

  it('times out a request that gets no reply, and ignores the reply that comes too late', async () => {
    const pending = new PendingAcks();
    const waiting = pending.wait('s1', 'r1', 15_000);
    jest.advanceTimersByTime(14_999);
    expect(pending.size).toBe(1);
    jest.advanceTimersByTime(1);
    await expect(waiting).resolves.toEqual({ kind: 'timeout' });
    expect(pending.settle('r1', { ok: true })).toBe(false);
    expect(pending.countFor('s1')).toBe(0);
  });

  it('drops the requests of a disconnected socket only, clearing their timers', async () => {
    const pending = new PendingAcks();
    const outcomes: PendingOutcome[] = [];
    void pending.wait('gone', 'r1', 1_000).then((o) => outcomes.push(o));
    void pending.wait('gone', 'r2', 1_000).then((o) => outcomes.push(o));
    const other = pending.wait('stays', 'r3', 1_000);
    expect(pending.countFor('gone')).toBe(2);
    expect(pending.dropSocket('gone')).toBe(2);
    await Promise.resolve();
    expect(outcomes).toEqual([{ kind: 'dropped' }, { kind: 'dropped' }]);
    expect(pending.countFor('gone')).toBe(0);
    expect(pending.settle('r1', { ok: true })).toBe(false);
    expect(jest.getTimerCount()).toBe(1);
    expect(pending.settle('r3', { ok: true })).toBe(true);
    await expect(other).resolves.toMatchObject({ kind: 'reply' });
    expect(pending.dropSocket('nobody')).toBe(0);
  });

  it('drops everything at shutdown', async () => {
    const pending = new PendingAcks();
    const a = pending.wait('s1', 'r1', 1_000);
    const b = pending.wait('s2', 'r2', 1_000);
    expect(pending.dropAll()).toBe(2);
    await expect(Promise.all([a, b])).resolves.toEqual([{ kind: 'dropped' }, { kind: 'dropped' }]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('refuses a request id twice', () => {
    const pending = new PendingAcks();
    void pending.wait('s1', 'r1', 1_000);
    expect(() => pending.wait('s1', 'r1', 1_000)).toThrow(/already pending/);
    pending.dropAll();
  });
});
