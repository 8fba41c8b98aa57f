import { type Channel } from '@chat/contracts';
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

describe('RecentMembershipChanges', () => {
  let now = 0;
  const make = (maxEntries = 100) => new RecentMembershipChanges({ maxAgeMs: 1_000, maxEntries, now: () => now });

  beforeEach(() => {
    now = 0;
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
    now = 500;
    log.record({ userId: 'a', channel: channel('c2'), change: 'joined' });
    now = 1_200;
    expect(log.since('a', 0).map((c) => c.channel.id)).toEqual(['c2']);
    now = 2_000;
    expect(log.since('a', 0)).toEqual([]);
    expect(log.size).toBe(0);
  });

  it('keeps at most maxEntries', () => {
    const log = make(3);
    for (let i = 0; i < 2_000; i++) log.record({ userId: `u${i % 7}`, channel: channel(`c${i}`), change: 'joined' });
    expect(log.size).toBe(3);
    expect([...log.since('u0', 0), ...log.since('u1', 0), ...log.since('u2', 0), ...log.since('u3', 0), ...log.since('u4', 0), ...log.since('u5', 0), ...log.since('u6', 0)]
      .map((c) => c.channel.id)
      .sort()).toEqual(['c1997', 'c1998', 'c1999']);
  });
});
