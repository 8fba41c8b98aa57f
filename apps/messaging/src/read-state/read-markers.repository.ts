// read_markers: per user and channel, the highest seq read, written USING TIMESTAMP <seq> so it
// only moves forward (last write wins by timestamp).
import { Injectable } from '@nestjs/common';
import { CassandraClient, defineStatements } from '@chat/cassandra';
import { big, collect, numberOf, uuidOf } from '../common/cql-values';

const CQL = defineStatements({
  get: 'SELECT seq FROM read_markers WHERE user_id = ? AND channel_id = ?',
  ofUser: 'SELECT channel_id, seq FROM read_markers WHERE user_id = ?',
  advance: { cql: 'UPDATE read_markers USING TIMESTAMP ? SET seq = ? WHERE user_id = ? AND channel_id = ?', idempotent: true },
});

@Injectable()
export class ReadMarkersRepository {
  constructor(private readonly db: CassandraClient) {}

  async get(userId: string, channelId: string): Promise<number> {
    const row = await this.db.first(CQL.get, [userId, channelId]);
    return row && row.seq !== null ? numberOf(row.seq) : 0;
  }

  /** Every read marker of the user, by channel id. */
  async ofUser(userId: string): Promise<Map<string, number>> {
    const rows = await collect(this.db.iterate(CQL.ofUser, [userId]));
    return new Map(rows.map((row) => [uuidOf(row.channel_id), numberOf(row.seq)]));
  }

  async advance(userId: string, channelId: string, seq: number): Promise<void> {
    await this.db.execute(CQL.advance, [big(seq), big(seq), userId, channelId]);
  }
}
