// thread_replies (a thread's replies by seq, one partition per thread) and thread_participants.
import { Injectable } from '@nestjs/common';
import { CassandraClient, defineStatements } from '@chat/cassandra';
import { big, collect, micros, numberOf } from '../common/cql-values';

const CQL = defineStatements({
  addReply: { cql: 'INSERT INTO thread_replies (channel_id, root_id, seq, sender_id, deleted) VALUES (?, ?, ?, ?, false) USING TIMESTAMP ?', idempotent: true },
  markDeleted: { cql: 'UPDATE thread_replies SET deleted = true WHERE channel_id = ? AND root_id = ? AND seq = ?', idempotent: true },
  all: 'SELECT seq, deleted FROM thread_replies WHERE channel_id = ? AND root_id = ?',
  after: 'SELECT seq FROM thread_replies WHERE channel_id = ? AND root_id = ? AND seq > ? LIMIT ?',
  addParticipant: { cql: 'INSERT INTO thread_participants (channel_id, root_id, user_id) VALUES (?, ?, ?)', idempotent: true },
  isParticipant: 'SELECT user_id FROM thread_participants WHERE channel_id = ? AND root_id = ? AND user_id = ?',
});

export interface ThreadKey {
  channelId: string;
  rootId: string;
}

@Injectable()
export class ThreadsRepository {
  constructor(private readonly db: CassandraClient) {}

  /** `asOf`: the reply's createdAt, so that a deletion (markDeleted, written later) always wins. */
  async addReply(thread: ThreadKey, seq: number, senderId: string, asOf: Date): Promise<void> {
    await this.db.execute(CQL.addReply, [thread.channelId, thread.rootId, big(seq), senderId, micros(asOf)]);
  }

  async markDeleted(thread: ThreadKey, seq: number): Promise<void> {
    await this.db.execute(CQL.markDeleted, [thread.channelId, thread.rootId, big(seq)]);
  }

  /** Seqs of live replies, ascending. */
  async liveReplySeqs(thread: ThreadKey): Promise<number[]> {
    const rows = await collect(this.db.iterate(CQL.all, [thread.channelId, thread.rootId]));
    return rows.filter((r) => r.deleted !== true).map((r) => numberOf(r.seq));
  }

  /** Up to `limit` reply seqs above `after`, ascending (tombstones included, like history). */
  async replySeqsAfter(thread: ThreadKey, after: number, limit: number): Promise<number[]> {
    const { rows } = await this.db.execute(CQL.after, [thread.channelId, thread.rootId, big(after), limit]);
    return rows.map((r) => numberOf(r.seq));
  }

  async addParticipants(thread: ThreadKey, userIds: readonly string[]): Promise<void> {
    await Promise.all(userIds.map((id) => this.db.execute(CQL.addParticipant, [thread.channelId, thread.rootId, id])));
  }

  async isParticipant(thread: ThreadKey, userId: string): Promise<boolean> {
    return (await this.db.first(CQL.isParticipant, [thread.channelId, thread.rootId, userId])) !== undefined;
  }
}
