// The storage of the one-time search-terms backfill (search-terms-backfill.ts): the partitions
// and rows of message_search (migration 0008, no longer written), which seqs a `messages`
// partition holds, and the copy of a row's terms into its message row.
import { Injectable } from '@nestjs/common';
import { CassandraClient, defineStatements } from '@chat/cassandra';
import { big, collect, numberOf, uuidOf } from '../common/cql-values';
import { type MessagePartition } from '../messages/messages.repository';

const CQL = defineStatements({
  partitionsAfter: `SELECT DISTINCT channel_id, bucket, token(channel_id, bucket) AS position FROM message_search
    WHERE token(channel_id, bucket) > ? LIMIT ?`,
  // Every column of a search row was written by one INSERT, so created_at's write time is the row's.
  searchRows: 'SELECT seq, terms, writetime(created_at) AS written FROM message_search WHERE channel_id = ? AND bucket = ?',
  storedSeqs: 'SELECT seq FROM messages WHERE channel_id = ? AND bucket = ?',
  copyTerms: { cql: 'UPDATE messages USING TIMESTAMP ? SET terms = ? WHERE channel_id = ? AND bucket = ? AND seq = ?', idempotent: true },
});

/** A partition of message_search and its token (the backfill's position). */
export interface SearchPartition extends MessagePartition {
  token: bigint;
}

export interface SearchRow {
  seq: number;
  terms: string[];
  /** The row's write time (µs). */
  written: bigint;
}

@Injectable()
export class SearchTermsBackfillRepository {
  constructor(private readonly db: CassandraClient) {}

  /** Up to `limit` partitions of message_search with a token above `after`, in token order. */
  async partitionsAfter(after: bigint, limit: number): Promise<SearchPartition[]> {
    const { rows } = await this.db.execute(CQL.partitionsAfter, [after, limit]);
    return rows.map((row) => ({ channelId: uuidOf(row.channel_id), bucket: numberOf(row.bucket), token: BigInt(row.position as bigint) }));
  }

  async searchRows(partition: MessagePartition): Promise<SearchRow[]> {
    const rows = await collect(this.db.iterate(CQL.searchRows, [partition.channelId, big(partition.bucket)]));
    return rows.map((row) => ({ seq: numberOf(row.seq), terms: Array.isArray(row.terms) ? row.terms.map(String) : [], written: BigInt(row.written as bigint) }));
  }

  /** The seqs the `messages` partition holds. */
  async storedSeqs(partition: MessagePartition): Promise<Set<number>> {
    const rows = await collect(this.db.iterate(CQL.storedSeqs, [partition.channelId, big(partition.bucket)]));
    return new Set(rows.map((row) => numberOf(row.seq)));
  }

  /**
   * Writes the terms into the message row as of `written`: a later write of the row's terms (an
   * edit, a tombstone, the store of this version) keeps winning, whichever lands last.
   */
  async copyTerms(partition: MessagePartition, seq: number, terms: readonly string[], written: bigint): Promise<void> {
    await this.db.write(CQL.copyTerms, [written, [...terms], partition.channelId, big(partition.bucket), big(seq)]);
  }
}
