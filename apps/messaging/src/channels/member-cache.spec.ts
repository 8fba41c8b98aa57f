import { type Channel } from '@chat/contracts';
import { FixedClock } from '../testing/fakes';
import { type WorkspacesRepository } from '../workspaces/workspaces.repository';
import { type ChannelsRepository } from './channels.repository';
import { ChannelAccess } from './channel-access.service';
import { type ChannelMembersRepository } from './channel-members.repository';
import { MemberCache } from './member-cache';
import { MemberCacheInvalidator } from './member-cache.invalidator';

const channel: Channel = {
  id: 'c0000000-0000-4000-8000-000000000001',
  workspaceId: 'w0000000-0000-4000-8000-000000000001',
  kind: 'public',
  name: 'general',
  private: false,
  createdBy: 'a0000000-0000-4000-8000-000000000001',
  createdAt: '2025-01-01T00:00:00.000Z',
};
const ada = 'a0000000-0000-4000-8000-000000000001';
const bob = 'b0000000-0000-4000-8000-000000000002';

function cache(ttlMs = 30_000, size = 100): { cache: MemberCache; clock: FixedClock } {
  const clock = new FixedClock();
  return { cache: new MemberCache(clock, { MEMBER_CACHE_SIZE: size, MEMBER_CACHE_TTL_MS: ttlMs }), clock };
}

describe('MemberCache', () => {
  it('answers a remembered membership until its TTL has passed', async () => {
    const { cache: c, clock } = cache(1_000);
    c.remember(channel, ada, c.epoch());
    expect(c.get(channel.id, ada)).toEqual(channel);
    expect(c.get(channel.id, bob)).toBeUndefined();
    await clock.sleep(999);
    expect(c.get(channel.id, ada)).toEqual(channel);
    await clock.sleep(1);
    expect(c.get(channel.id, ada)).toBeUndefined();
  });

  it('forgets a member at once, and never caches a read that began before any forget', () => {
    const { cache: c } = cache();
    c.remember(channel, ada, c.epoch());
    const readBegan = c.epoch();
    c.forget(channel.id, ada);
    expect(c.get(channel.id, ada)).toBeUndefined();
    // A read that raced with the leave answers "member": it must not be cached.
    c.remember(channel, ada, readBegan);
    expect(c.get(channel.id, ada)).toBeUndefined();
    c.remember(channel, ada, c.epoch());
    expect(c.get(channel.id, ada)).toEqual(channel);
  });

  it('caches nothing with a TTL of 0, and evicts the least recently used beyond its size', () => {
    const off = cache(0).cache;
    off.remember(channel, ada, off.epoch());
    expect(off.get(channel.id, ada)).toBeUndefined();

    const small = cache(30_000, 1).cache;
    small.remember(channel, ada, small.epoch());
    small.remember(channel, bob, small.epoch());
    expect(small.get(channel.id, ada)).toBeUndefined();
    expect(small.get(channel.id, bob)).toEqual(channel);
  });

  it('is invalidated by a leave announced by another messaging process, not by a join', async () => {
    const { cache: c } = cache();
    const invalidator = new MemberCacheInvalidator(undefined as never, c, undefined as never);
    c.remember(channel, ada, c.epoch());
    c.remember(channel, bob, c.epoch());
    await invalidator.onChange({ value: { channel, userId: bob, change: 'joined' } });
    await invalidator.onChange({ value: { channel, userId: ada, change: 'left' } });
    expect(c.get(channel.id, ada)).toBeUndefined();
    expect(c.get(channel.id, bob)).toEqual(channel);
  });

  it("has a channel's members read at most once per TTL, and caches none read across a leave", async () => {
    const { cache: c, clock } = cache(1_000);
    expect(c.claimChannelRead(channel.id)).toBe(true);
    expect(c.claimChannelRead(channel.id)).toBe(false);
    const readBegan = c.epoch();
    c.forget(channel.id, bob);
    c.rememberChannel(channel, [ada, bob], readBegan);
    expect(c.get(channel.id, ada)).toBeUndefined();
    await clock.sleep(1_000);
    expect(c.claimChannelRead(channel.id)).toBe(true);
    c.rememberChannel(channel, [ada, bob], c.epoch());
    expect(c.get(channel.id, bob)).toEqual(channel);
  });
});

describe('ChannelAccess.membership', () => {
  const cara = 'c0000000-0000-4000-8000-000000000003';
  function access(members: string[]) {
    const reads = { point: 0, channel: 0 };
    const { cache: c } = cache();
    const channels = { get: () => Promise.resolve(channel) } as unknown as ChannelsRepository;
    const memberRows = {
      isMember: (_: string, userId: string) => Promise.resolve(void reads.point++).then(() => members.includes(userId)),
      someOf: () => Promise.resolve(void reads.channel++).then(() => members),
    } as unknown as ChannelMembersRepository;
    const workspaces = { role: () => Promise.resolve('member') } as unknown as WorkspacesRepository;
    return { access: new ChannelAccess(channels, memberRows, workspaces, c), reads };
  }

  it("reads the channel's members on a miss, so another member's send needs no read", async () => {
    const { access: a, reads } = access([ada, bob]);
    await expect(a.membership(channel.id, ada)).resolves.toEqual(channel);
    expect(reads).toEqual({ point: 1, channel: 1 });
    await expect(a.membership(channel.id, bob)).resolves.toEqual(channel);
    expect(reads).toEqual({ point: 1, channel: 1 });
  });

  it("still refuses a non-member, and a non-member's misses do not read the channel again", async () => {
    const { access: a, reads } = access([ada, bob]);
    await expect(a.membership(channel.id, cara)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(a.membership(channel.id, cara)).rejects.toMatchObject({ code: 'forbidden' });
    expect(reads).toEqual({ point: 2, channel: 1 });
  });
});
