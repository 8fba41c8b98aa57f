// The small per-channel ledgers unread and mention counts are computed from (migration 0006):
// which seqs were deleted, which seqs are live thread replies, and live mentions. (Who sent which
// seq is read from `messages` itself since migration 0012; sent_by_user is no longer written.)
// Readers only ever ask for seqs above a read marker, so a count costs what is unread, never the
// channel's history.
//
// The add* writes carry an explicit write time `asOf`: the message's createdAt when an after-store
// step derives them from a stored message, the change's time when an edit does. Removals
// (deletes, edits) are written at the time they happen, so a projection that lands after a delete
// or an edit of its message cannot bring back what was removed.
import { Injectable } from '@nestjs/common';
import { CassandraClient, defineStatements } from '@chat/cassandra';
import { big, collect, micros, numberOf, uuidOf } from '../common/cql-values';

const CQL = defineStatements({
  addDeleted: { cql: 'INSERT INTO deleted_messages (channel_id, seq, sender_id) VALUES (?, ?, ?)', idempotent: true },
  deletedAfter: 'SELECT seq, sender_id FROM deleted_messages WHERE channel_id = ? AND seq > ?',
  addReply: { cql: 'INSERT INTO channel_replies (channel_id, seq, root_id, sender_id) VALUES (?, ?, ?, ?) USING TIMESTAMP ?', idempotent: true },
  removeReply: { cql: 'DELETE FROM channel_replies WHERE channel_id = ? AND seq = ?', idempotent: true },
  repliesAfter: 'SELECT seq, root_id, sender_id FROM channel_replies WHERE channel_id = ? AND seq > ?',
  addUserMention: { cql: 'INSERT INTO user_mentions (user_id, channel_id, seq) VALUES (?, ?, ?) USING TIMESTAMP ?', idempotent: true },
  removeUserMention: { cql: 'DELETE FROM user_mentions WHERE user_id = ? AND channel_id = ? AND seq = ?', idempotent: true },
  userMentionsAfter: 'SELECT seq FROM user_mentions WHERE user_id = ? AND channel_id = ? AND seq > ?',
  addChannelMention: { cql: 'INSERT INTO channel_mentions (channel_id, seq, sender_id) VALUES (?, ?, ?) USING TIMESTAMP ?', idempotent: true },
  removeChannelMention: { cql: 'DELETE FROM channel_mentions WHERE channel_id = ? AND seq = ?', idempotent: true },
  channelMentionsAfter: 'SELECT seq, sender_id FROM channel_mentions WHERE channel_id = ? AND seq > ?',
});

export interface SeqBy {
  seq: number;
  senderId: string;
}

export interface ReplyEntry extends SeqBy {
  rootId: string;
}

@Injectable()
export class UnreadLedgerRepository {
  constructor(private readonly db: CassandraClient) {}

  async addDeleted(channelId: string, entry: SeqBy): Promise<void> {
    await this.db.execute(CQL.addDeleted, [channelId, big(entry.seq), entry.senderId]);
  }

  async deletedAfter(channelId: string, after: number): Promise<SeqBy[]> {
    const rows = await collect(this.db.iterate(CQL.deletedAfter, [channelId, big(after)]));
    return rows.map((r) => ({ seq: numberOf(r.seq), senderId: uuidOf(r.sender_id) }));
  }

  async addReply(channelId: string, entry: ReplyEntry, asOf: Date): Promise<void> {
    await this.db.write(CQL.addReply, [channelId, big(entry.seq), entry.rootId, entry.senderId, micros(asOf)]);
  }

  async removeReply(channelId: string, seq: number): Promise<void> {
    await this.db.execute(CQL.removeReply, [channelId, big(seq)]);
  }

  async repliesAfter(channelId: string, after: number): Promise<ReplyEntry[]> {
    const rows = await collect(this.db.iterate(CQL.repliesAfter, [channelId, big(after)]));
    return rows.map((r) => ({ seq: numberOf(r.seq), rootId: uuidOf(r.root_id), senderId: uuidOf(r.sender_id) }));
  }

  async addUserMention(userId: string, channelId: string, seq: number, asOf: Date): Promise<void> {
    await this.db.write(CQL.addUserMention, [userId, channelId, big(seq), micros(asOf)]);
  }

  async removeUserMention(userId: string, channelId: string, seq: number): Promise<void> {
    await this.db.execute(CQL.removeUserMention, [userId, channelId, big(seq)]);
  }

  async userMentionsAfter(userId: string, channelId: string, after: number): Promise<number[]> {
    const rows = await collect(this.db.iterate(CQL.userMentionsAfter, [userId, channelId, big(after)]));
    return rows.map((r) => numberOf(r.seq));
  }

  async addChannelMention(channelId: string, entry: SeqBy, asOf: Date): Promise<void> {
    await this.db.write(CQL.addChannelMention, [channelId, big(entry.seq), entry.senderId, micros(asOf)]);
  }

  async removeChannelMention(channelId: string, seq: number): Promise<void> {
    await this.db.execute(CQL.removeChannelMention, [channelId, big(seq)]);
  }

  async channelMentionsAfter(channelId: string, after: number): Promise<SeqBy[]> {
    const rows = await collect(this.db.iterate(CQL.channelMentionsAfter, [channelId, big(after)]));
    return rows.map((r) => ({ seq: numberOf(r.seq), senderId: uuidOf(r.sender_id) }));
  }
}
