import { type Channel } from '@chat/contracts';
import { FakeClock } from '../testing/fake-clock';
import { RecentMembershipChanges } from './membership-changes';

const channel = (id: string): Channel => ({
  id,
  workspaceId: 'w',
  kind: 'public',
  name: id,
  private: false,
  createdBy: 'u',
  createdAt: '2026-01-01T00:00:00.000Z',
});

/** The same log with a bound small enough to reach. */
class ThreeMembershipChanges extends RecentMembershipChanges {
  protected override readonly maxEntries = 3;
}

describe('RecentMembershipChanges', () => {
  // MESSAGING_TIMEOUT_MS 100: changes are kept 2 × 100 + 10,000 = 10,200 ms.
  const config = { MESSAGING_TIMEOUT_MS: 100 };
  let clock: FakeClock;
  const make = () => new RecentMembershipChanges(config, clock);

  beforeEach(() => {
    clock = new FakeClock();
  });

  it('returns only the user\'s changes after the cursor, in order', () => {
    const log = make();
    log.record({ userId: 'a', channel: channel('c1'), change: 'joined' });
    const cursor = log.cursor();
    log.record({ userId: 'a', channel: channel('c2'), change: 'joined' });
    log.record({ userId: 'b', channel: channel('c3'), change: 'joined' });
    log.record({ userId: 'a', channel: channel('c2'), change: 'left' });
    expect(log.since('a', cursor).map((c) => `${c.change}:${c.channel.id}`)).toEqual(['joined:c2', 'left:c2']);
    expect(log.since('b', cursor)).toHaveLength(1);
    expect(log.since('z', 0)).toEqual([]);
  });

  it('forgets changes older than the window', () => {
    const log = make();
    log.record({ userId: 'a', channel: channel('c1'), change: 'joined' });
    clock.ms = 5_000;
    log.record({ userId: 'a', channel: channel('c2'), change: 'joined' });
    clock.ms = 10_300;
    expect(log.since('a', 0).map((c) => c.channel.id)).toEqual(['c2']);
    clock.ms = 15_300;
    expect(log.since('a', 0)).toEqual([]);
    expect(log.size).toBe(0);
  });

  it('keeps at most maxEntries', () => {
    const log = new ThreeMembershipChanges(config, clock);
    for (let i = 0; i < 2_000; i++) log.record({ userId: `u${i % 7}`, channel: channel(`c${i}`), change: 'joined' });
    expect(log.size).toBe(3);
    expect([...log.since('u0', 0), ...log.since('u1', 0), ...log.since('u2', 0), ...log.since('u3', 0), ...log.since('u4', 0), ...log.since('u5', 0), ...log.since('u6', 0)]
      .map((c) => c.channel.id)
      .sort()).toEqual(['c1997', 'c1998', 'c1999']);
  });
});
