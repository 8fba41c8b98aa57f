import { RevokedSessions } from './revoked-sessions';

describe('RevokedSessions', () => {
  it('remembers sessions for the retention window, at most maxEntries of them', () => {
    let now = 0;
    const revoked = new RevokedSessions({ retainMs: 1_000, maxEntries: 2, now: () => now });
    revoked.add(['a']);
    now = 500;
    revoked.add(['b']);
    expect([revoked.has('a'), revoked.has('b'), revoked.has('c'), revoked.has(undefined)]).toEqual([true, true, false, false]);
    now = 1_100;
    expect(revoked.has('a')).toBe(false);
    revoked.add(['c', 'd']);
    expect(revoked.size).toBe(2);
    expect([revoked.has('b'), revoked.has('c'), revoked.has('d')]).toEqual([false, true, true]);
  });
});
