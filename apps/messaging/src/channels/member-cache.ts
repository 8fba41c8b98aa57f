// Who is a member of which channel, as this process last read it from Cassandra, so that a send
// (the hot path: one per message) and a history page check membership without a round trip.
//
// Only "is a member" is cached, never a refusal. A leave forgets the entry at once in the process
// that handled it (ChannelMembershipService) and, through chat.channel.membership.v1, in every
// other messaging process (MemberCacheInvalidator) within that event's latency; the TTL bounds
// how long an entry can outlive a leave should that consumer lag or miss it. A read that raced
// with a leave never caches the old answer: `remember` is refused when anything was forgotten
// after the read began (the epoch it was given).
import { Inject, Injectable } from '@nestjs/common';
import { type Channel } from '@chat/contracts';
import { APP_CONFIG } from '@chat/service-kit';
import { Clock } from '../common/clock';
import { LruMap } from '../common/lru-map';
import { type MessagingConfig } from '../config';

interface Entry {
  channel: Channel;
  until: number;
}

@Injectable()
export class MemberCache {
  private readonly entries: LruMap<string, Entry>;
  private readonly ttlMs: number;
  private forgets = 0;

  constructor(
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: Pick<MessagingConfig, 'MEMBER_CACHE_SIZE' | 'MEMBER_CACHE_TTL_MS'>,
  ) {
    this.entries = new LruMap(config.MEMBER_CACHE_SIZE);
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

  forget(channelId: string, userId: string): void {
    this.forgets += 1;
    this.entries.delete(keyOf(channelId, userId));
  }
}

function keyOf(channelId: string, userId: string): string {
  return `${channelId} ${userId}`;
}
