// Full-text candidates from the storage-attached indexes of `messages` (migration 0006): one
// channel at a time (SAI in Cassandra 5.0 does not combine an index query with IN on the key),
// every query term as `terms CONTAINS ?`, optional sender and creation-time filters. SAI filters;
// it does not rank (no BM25 in 5.0), so results come in token order and ranking happens in
// search.service.ts over at most `limit` candidates per channel.
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

  async candidates(filter: SearchFilter): Promise<Message[]> {
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
    // The shapes are few (terms count x 3 optional filters), so prepared statements stay bounded.
    const { rows } = await this.db.execute(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${clauses.join(' AND ')} LIMIT ?`, params);
    return rows.map(toMessage);
  }
}
