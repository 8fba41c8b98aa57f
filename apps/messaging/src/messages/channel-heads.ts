// The last stored seq of each channel. A cached value is always a seq whose message row exists
// (this process stored it, or read it), so it may lag but never runs ahead of storage.
//
// The truth comes from storage: the `channel_heads` hint (the first seq of the channel's newest
// bucket, written by the store in the same round as that message) and then probing the
// partitions from the hint's bucket upwards for the highest existing seq. Seqs are gap-free, so a
// bucket whose highest seq is its last possible one means "look in the next bucket too": one or
// two reads after the hint.
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@chat/service-kit';
import { LruMap } from '../common/lru-map';
import { type MessagingConfig } from '../config';
import { ChannelHeadsRepository } from './channel-heads.repository';
import { MessageBuckets } from './message-buckets';
import { MessagesRepository } from './messages.repository';

@Injectable()
export class ChannelHeads {
  private readonly cache: LruMap<string, number>;

  constructor(
    private readonly heads: ChannelHeadsRepository,
    private readonly messages: MessagesRepository,
    private readonly buckets: MessageBuckets,
    @Inject(APP_CONFIG) config: Pick<MessagingConfig, 'CHANNEL_HEAD_CACHE_SIZE'>,
  ) {
    this.cache = new LruMap(config.CHANNEL_HEAD_CACHE_SIZE);
  }

  /** The channel's last seq (0 when it has no message yet). */
  async last(channelId: string): Promise<number> {
    const cached = this.cache.get(channelId);
    if (cached !== undefined) return cached;
    return this.refresh(channelId, 0);
  }

  /** The true last stored seq (read from storage: a hint and one or two probes). */
  current(channelId: string): Promise<number> {
    return this.refresh(channelId, 0);
  }

  /** Reads the true last seq from storage, knowing that `atLeast` exists. */
  async refresh(channelId: string, atLeast: number): Promise<number> {
    const hint = await this.heads.hint(channelId);
    const last = await this.probe(channelId, Math.max(hint, atLeast, this.cache.get(channelId) ?? 0));
    this.observe(channelId, last);
    return this.cache.get(channelId) ?? last;
  }

  /** Records that the message `seq` exists (never moves the cached value backwards). */
  observe(channelId: string, seq: number): void {
    const cached = this.cache.get(channelId) ?? 0;
    if (seq > cached) this.cache.set(channelId, seq);
  }

  /** Forgets a channel (tests, or a process that knows its view is stale). */
  forget(channelId: string): void {
    this.cache.delete(channelId);
  }

  private async probe(channelId: string, known: number): Promise<number> {
    let last = known;
    for (let bucket = this.buckets.of(known); ; bucket++) {
      const max = await this.messages.maxSeq({ channelId, bucket });
      if (max === undefined) return last;
      last = Math.max(last, max);
      if (max < this.buckets.lastSeqOf(bucket)) return last;
    }
  }
}
