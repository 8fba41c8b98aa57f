// Threads: a reply is an ordinary channel message (it has a channel seq, so history and sync stay
// gap-free) that carries `threadId`, the id of a top-level message of the same channel. Each
// reply is also listed in its thread's own partition (thread_replies, ordered by seq), which is
// what the thread route pages through. The root's `replyCount` (live replies) and `lastReplyAt`
// are recomputed from that partition after replies (the thread summary step, from
// a stored message) or a reply deletion (the delete command), written on the root row and
// pushed as message:updated. A recount reads the listing as it is, so it is idempotent and a
// late or replayed one converges on the same summary.
import { Injectable } from '@nestjs/common';
import { type Message, type ThreadQuery, type ThreadResponse } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { type AuthenticatedUser } from '@chat/auth-client';
import { MessageUpdatesRepository } from '../edits/message-updates.repository';
import { MessageLocator } from '../edits/message-locator';
import { MessageBuckets } from '../messages/message-buckets';
import { MessagesRepository } from '../messages/messages.repository';
import { fromStored } from '../mentions/mentions.service';
import { UnreadLedgerRepository } from '../read-state/unread-ledger.repository';
import { ThreadsRepository } from './threads.repository';

@Injectable()
export class ThreadsService {
  constructor(
    private readonly threads: ThreadsRepository,
    private readonly locator: MessageLocator,
    private readonly messages: MessagesRepository,
    private readonly updates: MessageUpdatesRepository,
    private readonly ledger: UnreadLedgerRepository,
    private readonly buckets: MessageBuckets,
  ) {}

  /** Before a reply is stored: the root exists in this channel, is live and is not itself a reply. */
  async requireRoot(channelId: string, rootId: string): Promise<Message> {
    const { message } = await this.locator.inChannel(channelId, rootId);
    if (message.deleted) throw new AppError('not_found', `message ${rootId} was deleted`);
    if (message.threadId) throw new AppError('invalid', 'threadId must name a top-level message, not a reply');
    return message;
  }

  /**
   * After replies are stored (the thread summary step, off the send path): thread listings,
   * participants, the unread ledger of replies, then each root's summary recounted once. `batch`:
   * the messages the replies came with, where a root sent a moment before its replies is found
   * without the by-id index. Returns the roots whose summary changed (a replay changes nothing).
   */
  async onReplies(replies: readonly Message[], batch: readonly Message[]): Promise<Message[]> {
    const threads = new Map<string, Message[]>();
    for (const reply of replies) {
      if (!reply.threadId || reply.deleted) continue;
      const key = `${reply.channelId}/${reply.threadId}`;
      threads.set(key, [...(threads.get(key) ?? []), reply]);
    }
    const inBatch = new Map(batch.map((m) => [m.id, m]));
    const roots = await Promise.all([...threads.values()].map((thread) => this.summarize(thread, inBatch)));
    return roots.filter((root): root is Message => root !== undefined);
  }

  private async summarize(replies: readonly Message[], inBatch: ReadonlyMap<string, Message>): Promise<Message | undefined> {
    const { channelId, threadId: rootId } = replies[0] as Message & { threadId: string };
    const thread = { channelId, rootId };
    // The root as stored now (its summary is compared below): read at its seq when it came in the
    // same batch (its by-id entry may be written by another step right now), else located by id.
    const batched = inBatch.get(rootId);
    const root =
      batched?.channelId === channelId
        ? await this.locator.reread({ channelId, bucket: this.buckets.of(batched.seq), seq: batched.seq })
        : (await this.locator.inChannel(channelId, rootId)).message;
    const participants = new Set([root.senderId, ...replies.flatMap((r) => [r.senderId, ...fromStored(r.mentions).userIds])]);
    await Promise.all([
      ...replies.map((r) => this.threads.addReply(thread, r.seq, r.senderId, new Date(r.createdAt))),
      ...replies.map((r) => this.ledger.addReply(channelId, { seq: r.seq, rootId, senderId: r.senderId }, new Date(r.createdAt))),
      this.threads.addParticipants(thread, [...participants]),
    ]);
    const updated = await this.recount(root);
    const changed = updated.replyCount !== root.replyCount || updated.lastReplyAt !== root.lastReplyAt;
    return changed ? updated : undefined;
  }

  /** After a reply was deleted: it no longer counts. Returns the updated root. */
  async onReplyDeleted(reply: Message): Promise<Message | undefined> {
    if (!reply.threadId) return undefined;
    const thread = { channelId: reply.channelId, rootId: reply.threadId };
    await Promise.all([this.threads.markDeleted(thread, reply.seq), this.ledger.removeReply(reply.channelId, reply.seq)]);
    const { message: root } = await this.locator.inChannel(reply.channelId, reply.threadId);
    return this.recount(root);
  }

  async addParticipants(channelId: string, rootId: string, userIds: readonly string[]): Promise<void> {
    await this.threads.addParticipants({ channelId, rootId }, userIds);
  }

  async isParticipant(channelId: string, rootId: string, userId: string): Promise<boolean> {
    return this.threads.isParticipant({ channelId, rootId }, userId);
  }

  /** `GET /api/channels/:id/messages/:messageId/thread?after=SEQ&limit=N`: replies oldest first. */
  async page(caller: AuthenticatedUser, channelId: string, rootId: string, query: ThreadQuery): Promise<ThreadResponse> {
    const { message: root } = await this.locator.forMember(channelId, rootId, caller.id);
    if (root.threadId) throw new AppError('not_found', `message ${rootId} is a reply, not a thread`);
    const seqs = await this.threads.replySeqsAfter({ channelId, rootId }, query.after ?? 0, query.limit + 1);
    const page = seqs.slice(0, query.limit);
    const replies = await Promise.all(page.map((seq) => this.messages.get({ channelId, bucket: this.buckets.of(seq) }, seq)));
    return { root, replies: replies.filter((m): m is Message => m !== undefined), hasMore: seqs.length > query.limit };
  }

  private async recount(root: Message): Promise<Message> {
    const live = await this.threads.liveReplySeqs({ channelId: root.channelId, rootId: root.id });
    const lastSeq = live.at(-1);
    const last = lastSeq === undefined ? undefined : await this.messages.get({ channelId: root.channelId, bucket: this.buckets.of(lastSeq) }, lastSeq);
    const row = { channelId: root.channelId, bucket: this.buckets.of(root.seq), seq: root.seq };
    await this.updates.setReplies(row, live.length, last ? new Date(last.createdAt) : null);
    return this.locator.reread(row);
  }
}
