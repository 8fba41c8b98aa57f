// The search index (message_search, migration 0008) and the reads of a query. Writes come from the
// search step (new messages, off the send path) and from edits and deletes; each carries an
// explicit write time so that a late projection of a message never undoes its edit or delete.
// A query asks SAI for candidates one channel at a time (SAI in Cassandra 5.0 does not combine an
// index query with IN on the key): every query term as `terms CONTAINS ?` on the terms and
// channel indexes, optional sender and creation-time filters applied to those candidates. SAI filters; it does not rank (no BM25 in 5.0), so candidates come in
// token order, are read from `messages` (one query per bucket) and ranked by search.service.ts.
import { Injectable } from '@nestjs/common';
import { type Message } from '@chat/contracts';
import { CassandraClient, defineStatements } from '@chat/cassandra';
import { big, numberOf } from '../common/cql-values';
import { MESSAGE_COLUMNS, type MessagePartition, toMessage } from '../messages/messages.repository';

const KEY = 'channel_id = ? AND bucket = ? AND seq = ?';

const CQL = defineStatements({
  index: {
    cql: 'INSERT INTO message_search (channel_id, bucket, seq, sender_id, created_at, terms) VALUES (?, ?, ?, ?, ?, ?) USING TIMESTAMP ?',
    idempotent: true,
  },
  unindex: { cql: `DELETE FROM message_search USING TIMESTAMP ? WHERE ${KEY}`, idempotent: true },
  messagesAt: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE channel_id = ? AND bucket = ? AND seq IN ?`,
});

/** One message as the index holds it. */
export interface SearchEntry extends MessagePartition {
  seq: number;
  senderId: string;
  createdAt: Date;
  /** Analysed terms of the text (text-analyzer.ts). */
  terms: readonly string[];
}

export interface SearchFilter {
  channelId: string;
  /** Analysed query terms, 1 to SEARCH_LIMITS.termsMax; all must match. */
  terms: readonly string[];
  senderId?: string;
  before?: Date;
  after?: Date;
  limit: number;
}

@Injectable()
export class SearchRepository {
  constructor(private readonly db: CassandraClient) {}

  /** Writes the entry as of `writeTime` (µs): a newer write of the same row wins, whatever lands last. */
  async index(entry: SearchEntry, writeTime: bigint): Promise<void> {
    await this.db.write(CQL.index, [
      entry.channelId,
      big(entry.bucket),
      big(entry.seq),
      entry.senderId,
      entry.createdAt,
      [...entry.terms],
      writeTime,
    ]);
  }

  /** Removes the row as of `writeTime` (µs): an index write older than that cannot bring it back. */
  async unindex(row: MessagePartition & { seq: number }, writeTime: bigint): Promise<void> {
    await this.db.execute(CQL.unindex, [writeTime, row.channelId, big(row.bucket), big(row.seq)]);
  }

  /** Where the matching messages of one channel are: their partitions and seqs, at most `limit`. */
  async candidates(filter: SearchFilter): Promise<(MessagePartition & { seq: number })[]> {
    const clauses = ['channel_id = ?', ...filter.terms.map(() => 'terms CONTAINS ?')];
    const params: unknown[] = [filter.channelId, ...filter.terms];
    if (filter.senderId) {
      clauses.push('sender_id = ?');
      params.push(filter.senderId);
    }
    if (filter.before) {
      clauses.push('created_at < ?');
      params.push(filter.before);
    }
    if (filter.after) {
      clauses.push('created_at > ?');
      params.push(filter.after);
    }
    params.push(filter.limit);
    // Sender and time have no index (migration 0011): they filter what the terms and channel found.
    const filtering = clauses.length > filter.terms.length + 1 ? ' ALLOW FILTERING' : '';
    // The shapes are few (terms count x 3 optional filters), so prepared statements stay bounded.
    const { rows } = await this.db.execute(`SELECT bucket, seq FROM message_search WHERE ${clauses.join(' AND ')} LIMIT ?${filtering}`, params);
    return rows.map((row) => ({ channelId: filter.channelId, bucket: numberOf(row.bucket), seq: numberOf(row.seq) }));
  }

  /** The messages at these seqs of the partition (those that exist), in no particular order. */
  async messagesAt(partition: MessagePartition, seqs: readonly number[]): Promise<Message[]> {
    if (seqs.length === 0) return [];
    const { rows } = await this.db.execute(CQL.messagesAt, [partition.channelId, big(partition.bucket), seqs.map(big)]);
    return rows.map(toMessage);
  }
}
