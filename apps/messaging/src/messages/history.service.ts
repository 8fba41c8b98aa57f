// Reading stored messages: history pages and sync. Seqs are gap-free, so a page walks adjacent
// seq buckets (one or two partitions per page) and a channel's count of messages after a cursor is
// simply `last - cursor`, with `last` the channel's last stored seq (ChannelHeads.current). Every
// acknowledged message is stored before its acknowledgement, so a sender always reads its own
// message back. Other devices get message:new from the sequenced log, side by side with the store:
// history may show a message a few milliseconds after it was delivered, never a different one.
import { Injectable } from '@nestjs/common';
import { type HistoryQuery, type HistoryResponse, type Message, type SyncPayload } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { type AuthenticatedUser } from '@chat/auth-client';
import { ChannelAccess } from '../channels/channel-access.service';
import { ChannelHeads } from './channel-heads';
import { ChannelHeadsRepository } from './channel-heads.repository';
import { MessageBuckets } from './message-buckets';
import { MessagesRepository } from './messages.repository';

export const SYNC_LIMIT_DEFAULT = 500;

@Injectable()
export class HistoryService {
  constructor(
    private readonly access: ChannelAccess,
    private readonly messages: MessagesRepository,
    private readonly hints: ChannelHeadsRepository,
    private readonly heads: ChannelHeads,
    private readonly buckets: MessageBuckets,
  ) {}

  /**
   * `GET /api/channels/:id/messages`: `before` = newest first below it, `after` = oldest first
   * above it, neither = the latest page, newest first.
   */
  async page(caller: AuthenticatedUser, channelId: string, query: HistoryQuery): Promise<HistoryResponse> {
    await this.access.membership(channelId, caller.id);
    const { limit } = query;
    let rows: Message[];
    if (query.after !== undefined) {
      rows = await this.ascending(channelId, query.after + 1, limit + 1);
    } else {
      // Nothing is stored above the hint's bucket, the channel's newest.
      const top = this.buckets.lastSeqOf(this.buckets.of(await this.hints.hint(channelId)));
      rows = await this.descending(channelId, Math.min(query.before !== undefined ? query.before - 1 : top, top), limit + 1);
    }
    return { messages: rows.slice(0, limit), hasMore: rows.length > limit };
  }

  /**
   * `POST /api/sync`: every message after each cursor, oldest first per channel, channels in the
   * order given, at most `limit` in all (`hasMore` when cut short: call again with the new
   * cursors). A channel the caller cannot read fails the whole call with not_found naming it, so a
   * client never mistakes "no access" for "nothing new".
   */
  async sync(caller: AuthenticatedUser, request: SyncPayload): Promise<HistoryResponse> {
    const limit = request.limit ?? SYNC_LIMIT_DEFAULT;
    const channelIds = [...new Set(request.channels.map((c) => c.channelId))];
    await mapLimited(channelIds, 16, async (channelId) => {
      try {
        await this.access.membership(channelId, caller.id);
      } catch (error) {
        if (error instanceof AppError) throw new AppError('not_found', `channel ${channelId} not found or not readable`);
        throw error;
      }
    });
    const lasts = await mapLimited(request.channels, 16, (c) => this.heads.current(c.channelId));

    let remaining = limit;
    let hasMore = false;
    const plan = request.channels.map((cursor, i) => {
      const pending = Math.max(0, (lasts[i] ?? 0) - cursor.afterSeq);
      const take = Math.min(pending, remaining);
      remaining -= take;
      if (take < pending) hasMore = true;
      return { channelId: cursor.channelId, from: cursor.afterSeq + 1, to: cursor.afterSeq + take };
    });
    const pages = await mapLimited(
      plan.filter((p) => p.to >= p.from),
      16,
      (p) => this.range(p.channelId, p.from, p.to),
    );
    return { messages: pages.flat(), hasMore };
  }

  /** Up to `count` messages with seq <= `from`, newest first. */
  private async descending(channelId: string, from: number, count: number): Promise<Message[]> {
    const out: Message[] = [];
    for (let bucket = this.buckets.of(Math.max(from, 0)); from >= 1 && bucket >= 0 && out.length < count; bucket--) {
      out.push(...(await this.messages.newestUpTo({ channelId, bucket }, from, count - out.length)));
    }
    return out;
  }

  /** Up to `count` messages with seq >= `from`, oldest first. */
  private async ascending(channelId: string, from: number, count: number): Promise<Message[]> {
    const out: Message[] = [];
    for (let bucket = this.buckets.of(from); out.length < count; bucket++) {
      const rows = await this.messages.oldestFrom({ channelId, bucket }, from, count - out.length);
      out.push(...rows);
      // Gap-free: only a bucket filled up to its last seq can be followed by a non-empty one.
      if (rows.at(-1)?.seq !== this.buckets.lastSeqOf(bucket)) break;
    }
    return out;
  }

  /** Messages from..to (all exist), oldest first. */
  private async range(channelId: string, from: number, to: number): Promise<Message[]> {
    const spans = this.buckets.spans(from, to);
    const parts = await Promise.all(spans.map((s) => this.messages.between({ channelId, bucket: s.bucket }, s.from, s.to)));
    return parts.flat();
  }
}

/** Maps with at most `limit` calls in flight, keeping the order of `items`. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
