// The reads of a search query, straight from `messages`: the store writes each message's analysed
// terms into its row (messages.repository.ts), edits rewrite them and deletes clear them with the
// rest of the row (edits/), so there is no index of our own to keep in step, and a message is
// searchable as soon as it is acknowledged. Migration 0012 indexes the row's terms, channel and
// sender (SAI).
// A query asks SAI for one channel at a time (SAI in Cassandra 5.0 does not combine an index query
// with IN on the key, and the bucket is unknown): every query term as `terms CONTAINS ?` with the
// channel, the optional sender through its index, the optional creation-time bounds filtered over
// what the indexes found. SAI filters; it does not rank (no BM25 in 5.0), so matches come in token
// order and are ranked by search.service.ts.
import { Injectable } from '@nestjs/common';
import { type Message } from '@chat/contracts';
import { CassandraClient } from '@chat/cassandra';
import { MESSAGE_COLUMNS, toMessage } from '../messages/messages.repository';

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

  /** The channel's messages holding every term (and passing the filters), at most `limit`, in no particular order. */
  async matching(filter: SearchFilter): Promise<Message[]> {
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
    // Time has no index (migrations 0011, 0012): it filters what the terms, channel and sender found.
    const filtering = filter.before || filter.after ? ' ALLOW FILTERING' : '';
    params.push(filter.limit);
    // The shapes are few (terms count x 3 optional filters), so prepared statements stay bounded.
    const { rows } = await this.db.execute(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${clauses.join(' AND ')} LIMIT ?${filtering}`, params);
    return rows.map(toMessage);
  }
}
