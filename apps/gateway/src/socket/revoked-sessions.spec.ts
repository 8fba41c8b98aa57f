import { FakeClock } from '../testing/fake-clock';
import { RevokedSessions } from './revoked-sessions';

/** The same set with a bound small enough to reach. */
class TwoRevokedSessions extends RevokedSessions {
  protected override readonly maxEntries = 2;
}

describe('RevokedSessions', () => {
  it('remembers sessions for the retention window, at most maxEntries of them', () => {
    const clock = new FakeClock();
    const revoked = new TwoRevokedSessions({ REVOKED_SESSIONS_RETAIN_MS: 1_000 }, clock);
    revoked.add(['a']);
    clock.ms = 500;
    revoked.add(['b']);
    expect([revoked.has('a'), revoked.has('b'), revoked.has('c'), revoked.has(undefined)]).toEqual([true, true, false, false]);
    clock.ms = 1_100;
    expect(revoked.has('a')).toBe(false);
    revoked.add(['c', 'd']);
    expect(revoked.size).toBe(2);
    expect([revoked.has('b'), revoked.has('c'), revoked.has('d')]).toEqual([false, true, true]);
  });
});
