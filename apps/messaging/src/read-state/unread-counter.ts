// A member's `unread` and `mentions` of one channel, exact, from the ledgers of migration 0006.
//
// unread = messages with read < seq <= last that
//   - were not sent by the member,
//   - are not deleted (a deleted unread message stops counting),
//   - are top-level, or replies in a thread the member takes part in (wrote its root, replied,
//     or was mentioned in a reply). Replies of other threads stay out of the channel's count:
//     following a thread is opt-in, and a busy thread must not keep a channel bold for people
//     who never touched it (Slack's rule too).
// Seqs are gap-free, so (last - read) counts every stored message above the marker; the ledgers
// hold the exceptions, and each is read only above the marker: the cost follows what is unread
// (own messages, deletions, replies and mentions since the marker), never the history. The
// member's own messages are read from `messages` itself through its sender index (migration 0012),
// one bucket partition at a time above the marker: the store writes no ledger row for them.
//
// mentions = those unread messages that mention the member by @username, or @channel (top-level).
import { Injectable } from '@nestjs/common';
import { MessageBuckets } from '../messages/message-buckets';
import { MessagesRepository } from '../messages/messages.repository';
import { ThreadsRepository } from '../threads/threads.repository';
import { UnreadLedgerRepository } from './unread-ledger.repository';

/**
 * Above this many bucket partitions between the marker and the last seq, the member's own messages
 * are read in one query over the whole channel instead of one per partition (a marker far behind:
 * a member who never read a long channel).
 */
export const SENT_QUERY_BUCKETS_MAX = 4;

export interface UnreadCounts {
  unread: number;
  mentions: number;
}

@Injectable()
export class UnreadCounter {
  constructor(
    private readonly ledger: UnreadLedgerRepository,
    private readonly threads: ThreadsRepository,
    private readonly messages: MessagesRepository,
    private readonly buckets: MessageBuckets,
  ) {}

  async count(userId: string, channelId: string, readSeq: number, lastSeq: number): Promise<UnreadCounts> {
    if (lastSeq <= readSeq) return { unread: 0, mentions: 0 };
    const inRange = (seq: number): boolean => seq > readSeq && seq <= lastSeq;
    const [own, deleted, replies, userMentions, channelMentions] = await Promise.all([
      this.sentAbove(channelId, userId, readSeq, lastSeq),
      this.ledger.deletedAfter(channelId, readSeq),
      this.ledger.repliesAfter(channelId, readSeq),
      this.ledger.userMentionsAfter(userId, channelId, readSeq),
      this.ledger.channelMentionsAfter(channelId, readSeq),
    ]);
    const excluded = new Set<number>(own.filter(inRange));
    for (const d of deleted) if (inRange(d.seq)) excluded.add(d.seq);

    const others = replies.filter((r) => inRange(r.seq) && !excluded.has(r.seq));
    const roots = [...new Set(others.map((r) => r.rootId))];
    const participating = await Promise.all(roots.map((rootId) => this.threads.isParticipant({ channelId, rootId }, userId)));
    const followed = new Set(roots.filter((_, i) => participating[i]));
    for (const reply of others) if (!followed.has(reply.rootId)) excluded.add(reply.seq);

    const mentioned = new Set<number>([...userMentions, ...channelMentions.filter((m) => m.senderId !== userId).map((m) => m.seq)]);
    const mentions = [...mentioned].filter((seq) => inRange(seq) && !excluded.has(seq)).length;
    return { unread: lastSeq - readSeq - excluded.size, mentions };
  }

  /** Seqs of the messages `userId` sent in the channel above `readSeq` (some may lie above `lastSeq`). */
  private async sentAbove(channelId: string, userId: string, readSeq: number, lastSeq: number): Promise<number[]> {
    const spans = this.buckets.spans(readSeq + 1, lastSeq);
    if (spans.length > SENT_QUERY_BUCKETS_MAX) return this.messages.sentInChannelAfter(channelId, userId, readSeq);
    return (await Promise.all(spans.map(({ bucket }) => this.messages.sentAfter({ channelId, bucket }, userId, readSeq)))).flat();
  }
}
