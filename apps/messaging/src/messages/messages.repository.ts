// The messages table and its by-id index. Every method names the partition ({channelId, bucket})
// it reads or writes: a query can never forget the bucket and scan a channel's whole history.
// The row carries the analysed terms of its text (text-analyzer.ts), written by the store's one
// write, so search finds a message as soon as it is acknowledged (search/search.repository.ts).
import { Injectable } from '@nestjs/common';
import { type Message } from '@chat/contracts';
import { CassandraClient, type CqlRow, defineStatements } from '@chat/cassandra';
import { big, collect, isoOf, numberOf, optionalIso, optionalUuid, uuidOf } from '../common/cql-values';
import { fileCells, messageFilesOf } from '../files/message-files.cql';
import { decodeReactions } from '../reactions/reaction-cells';
import { terms } from './text-analyzer';

export const MESSAGE_COLUMNS =
  'channel_id, bucket, seq, id, sender_id, client_msg_id, text, created_at, thread_id, file_ids, edited_at, deleted, mentions, reactions, reply_count, last_reply_at, files';
const COLUMNS = MESSAGE_COLUMNS;

const CQL = defineStatements({
  // The store's write: plain and idempotent, stamped with the message's creation time so that an
  // edit, a reaction or a reply count (written later, at a later time) always wins over a late
  // repeat of this insert.
  store: {
    cql: `INSERT INTO messages (channel_id, bucket, seq, id, sender_id, client_msg_id, text, created_at, thread_id, file_ids, files, mentions, terms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`,
    idempotent: true,
  },
  recentIds: 'SELECT seq, client_msg_id FROM messages WHERE channel_id = ? AND bucket = ? LIMIT ?',
  get: `SELECT ${COLUMNS} FROM messages WHERE channel_id = ? AND bucket = ? AND seq = ?`,
  maxSeq: 'SELECT seq FROM messages WHERE channel_id = ? AND bucket = ? LIMIT 1',
  between: `SELECT ${COLUMNS} FROM messages WHERE channel_id = ? AND bucket = ? AND seq >= ? AND seq <= ? ORDER BY seq ASC`,
  newestUpTo: `SELECT ${COLUMNS} FROM messages WHERE channel_id = ? AND bucket = ? AND seq <= ? ORDER BY seq DESC LIMIT ?`,
  oldestFrom: `SELECT ${COLUMNS} FROM messages WHERE channel_id = ? AND bucket = ? AND seq >= ? ORDER BY seq ASC LIMIT ?`,
  locate: 'SELECT channel_id, seq FROM messages_by_id WHERE id = ?',
  // Through the sender index (migration 0012), within one partition.
  sentAfter: 'SELECT seq FROM messages WHERE channel_id = ? AND bucket = ? AND sender_id = ? AND seq > ?',
  // Through the channel and sender indexes, the seq filtered over what they found (many partitions).
  sentInChannelAfter: 'SELECT seq FROM messages WHERE channel_id = ? AND sender_id = ? AND seq > ? ALLOW FILTERING',
});

/** One Cassandra partition of a channel's messages. */
export interface MessagePartition {
  channelId: string;
  bucket: number;
}

@Injectable()
export class MessagesRepository {
  constructor(private readonly db: CassandraClient) {}

  /**
   * Stores messages of one partition. Each row is a plain write that the client coalesces with the
   * process's other writes into unlogged batches (CassandraClient.write). Optional columns left out
   * are unset, not null: no tombstones.
   */
  async storeAll(partition: MessagePartition, messages: readonly Message[]): Promise<void> {
    await Promise.all(
      messages.map((m) =>
        this.db.write(CQL.store, [
          partition.channelId,
          big(partition.bucket),
          big(m.seq),
          m.id,
          m.senderId,
          m.clientMsgId,
          m.text,
          new Date(m.createdAt),
          m.threadId,
          m.files?.length ? m.files.map((f) => f.id) : undefined,
          m.files?.length ? fileCells(m.files) : undefined,
          m.mentions?.length ? m.mentions : undefined,
          termsCell(m.text),
          BigInt(Date.parse(m.createdAt)) * 1000n,
        ]),
      ),
    );
  }

  /** The newest `limit` (seq, clientMsgId) pairs of the partition, newest first. */
  async recentIds(partition: MessagePartition, limit: number): Promise<{ seq: number; clientMsgId: string }[]> {
    const { rows } = await this.db.execute(CQL.recentIds, [partition.channelId, big(partition.bucket), limit]);
    return rows.map((row) => ({ seq: numberOf(row.seq), clientMsgId: uuidOf(row.client_msg_id) }));
  }

  async get(partition: MessagePartition, seq: number): Promise<Message | undefined> {
    const row = await this.db.first(CQL.get, [partition.channelId, big(partition.bucket), big(seq)]);
    return row ? toMessage(row) : undefined;
  }

  /** The highest seq stored in the partition, or undefined when it is empty. */
  async maxSeq(partition: MessagePartition): Promise<number | undefined> {
    const row = await this.db.first(CQL.maxSeq, [partition.channelId, big(partition.bucket)]);
    return row ? numberOf(row.seq) : undefined;
  }

  /** Messages with from <= seq <= to in the partition, oldest first. */
  async between(partition: MessagePartition, from: number, to: number): Promise<Message[]> {
    const { rows } = await this.db.execute(CQL.between, [partition.channelId, big(partition.bucket), big(from), big(to)]);
    return rows.map(toMessage);
  }

  /** Up to `limit` messages with seq <= upTo in the partition, newest first. */
  async newestUpTo(partition: MessagePartition, upTo: number, limit: number): Promise<Message[]> {
    const { rows } = await this.db.execute(CQL.newestUpTo, [partition.channelId, big(partition.bucket), big(upTo), limit]);
    return rows.map(toMessage);
  }

  /** Up to `limit` messages with seq >= from in the partition, oldest first. */
  async oldestFrom(partition: MessagePartition, from: number, limit: number): Promise<Message[]> {
    const { rows } = await this.db.execute(CQL.oldestFrom, [partition.channelId, big(partition.bucket), big(from), limit]);
    return rows.map(toMessage);
  }

  /** Seqs above `after` of the messages `senderId` sent in the partition (tombstones included). */
  async sentAfter(partition: MessagePartition, senderId: string, after: number): Promise<number[]> {
    const rows = await collect(this.db.iterate(CQL.sentAfter, [partition.channelId, big(partition.bucket), senderId, big(after)]));
    return rows.map((row) => numberOf(row.seq));
  }

  /**
   * The same over every partition of the channel at once: cheaper than one query per partition
   * when `after` lies many buckets back, dearer when it is recent (it visits every message the
   * sender ever sent in the channel).
   */
  async sentInChannelAfter(channelId: string, senderId: string, after: number): Promise<number[]> {
    const rows = await collect(this.db.iterate(CQL.sentInChannelAfter, [channelId, senderId, big(after)]));
    return rows.map((row) => numberOf(row.seq));
  }

  async locate(messageId: string): Promise<{ channelId: string; seq: number } | undefined> {
    const row = await this.db.first(CQL.locate, [messageId]);
    return row ? { channelId: uuidOf(row.channel_id), seq: numberOf(row.seq) } : undefined;
  }
}

/** A row of `messages` (selected with MESSAGE_COLUMNS) as the protocol's Message. */
export function toMessage(row: CqlRow): Message {
  const threadId = optionalUuid(row.thread_id);
  const editedAt = optionalIso(row.edited_at);
  const lastReplyAt = optionalIso(row.last_reply_at);
  const replyCount = row.reply_count === null || row.reply_count === undefined ? undefined : Number(row.reply_count);
  const mentions = stringsOf(row.mentions);
  const reactions = decodeReactions(stringsOf(row.reactions));
  // A tombstone keeps no attachments, like it keeps no text.
  const files = row.deleted === true ? undefined : messageFilesOf(row.files);
  return {
    id: uuidOf(row.id),
    channelId: uuidOf(row.channel_id),
    seq: numberOf(row.seq),
    senderId: uuidOf(row.sender_id),
    clientMsgId: uuidOf(row.client_msg_id),
    text: String(row.text),
    createdAt: isoOf(row.created_at),
    ...(editedAt ? { editedAt } : {}),
    ...(row.deleted === true ? { deleted: true } : {}),
    ...(threadId ? { threadId } : {}),
    ...(replyCount !== undefined ? { replyCount } : {}),
    ...(lastReplyAt ? { lastReplyAt } : {}),
    ...(mentions.length > 0 ? { mentions } : {}),
    ...(reactions.length > 0 ? { reactions } : {}),
    ...(files ? { files } : {}),
  };
}

/** The `terms` cell of a text: unset (no cell, no tombstone) when it has no term. */
export function termsCell(text: string): string[] | undefined {
  const cell = terms(text);
  return cell.length > 0 ? cell : undefined;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
