// Who is a member of which channel, as this process last read it from Cassandra, so that a send
// (the hot path: one per message) and a history page check membership without a round trip.
//
// Only "is a member" is cached, never a refusal. A leave forgets the entry at once in the process
// that handled it (ChannelMembershipService) and, through chat.channel.membership.v1, in every
// other messaging process (MemberCacheInvalidator) within that event's latency; the TTL bounds
// how long an entry can outlive a leave should that consumer lag or miss it. A read that raced
// with a leave never caches the old answer: `remember` is refused when anything was forgotten
// after the read began (the epoch it was given).
//
// A miss reads the channel's members along with the one asked about (up to CHANNEL_READ_LIMIT,
// one partition read), at most once per TTL per channel: people send rarely, so a per-person entry
// had mostly expired by their next send and most sends paid two Cassandra reads before their seq
// (the ramp's "messaging" hop, 3.7 ms p50 at 20 sends/s; 0.5 ms with the channel read).
import { Inject, Injectable } from '@nestjs/common';
import { type Channel } from '@chat/contracts';
import { APP_CONFIG } from '@chat/service-kit';
import { Clock } from '../common/clock';
import { LruMap } from '../common/lru-map';
import { type MessagingConfig } from '../config';

/** Members read at once on a miss; a larger channel's others are read one by one, as before. */
export const CHANNEL_READ_LIMIT = 1_000;

interface Entry {
  channel: Channel;
  until: number;
}

@Injectable()
export class MemberCache {
  private readonly entries: LruMap<string, Entry>;
  /** Channels whose members were read recently: until when another read is not needed. */
  private readonly channelsRead: LruMap<string, number>;
  private readonly ttlMs: number;
  private forgets = 0;

  constructor(
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: Pick<MessagingConfig, 'MEMBER_CACHE_SIZE' | 'MEMBER_CACHE_TTL_MS'>,
  ) {
    this.entries = new LruMap(config.MEMBER_CACHE_SIZE);
    this.channelsRead = new LruMap(Math.max(1, Math.ceil(config.MEMBER_CACHE_SIZE / 10)));
    this.ttlMs = config.MEMBER_CACHE_TTL_MS;
  }

  /** The channel when `userId` was recently read to be a member of it. */
  get(channelId: string, userId: string): Channel | undefined {
    const key = keyOf(channelId, userId);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > this.clock.now().getTime()) return entry.channel;
    this.entries.delete(key);
    return undefined;
  }

  /** Taken before reading membership from storage, and handed to `remember` with the answer. */
  epoch(): number {
    return this.forgets;
  }

  remember(channel: Channel, userId: string, epoch: number): void {
    if (this.ttlMs === 0 || epoch !== this.forgets) return;
    this.entries.set(keyOf(channel.id, userId), { channel, until: this.clock.now().getTime() + this.ttlMs });
  }

  /**
   * Whether a miss in this channel should read its members too: true at most once per TTL per
   * channel, whatever the read's outcome (a non-member's misses never repeat it).
   */
  claimChannelRead(channelId: string): boolean {
    const now = this.clock.now().getTime();
    if (this.ttlMs === 0 || (this.channelsRead.get(channelId) ?? 0) > now) return false;
    this.channelsRead.set(channelId, now + this.ttlMs);
    return true;
  }

  /** The channel's members as read from storage (with the epoch taken before the read). */
  rememberChannel(channel: Channel, userIds: readonly string[], epoch: number): void {
    for (const userId of userIds) this.remember(channel, userId, epoch);
  }

  forget(channelId: string, userId: string): void {
    this.forgets += 1;
    this.entries.delete(keyOf(channelId, userId));
  }
}

function keyOf(channelId: string, userId: string): string {
  return `${channelId} ${userId}`;
}
