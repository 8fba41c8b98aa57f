// channel_heads: a monotonic hint of each channel's newest bucket, the first seq of it (the store
// writes it with that message; see ChannelHeads). Each write carries USING TIMESTAMP <seq>, so
// Cassandra's last-write-wins keeps the highest seq whatever order writes land in: a late write of
// an older seq can never move it back.
import { Injectable } from '@nestjs/common';
import { CassandraClient, defineStatements } from '@chat/cassandra';
import { big, numberOf } from '../common/cql-values';

const CQL = defineStatements({
  hint: 'SELECT last_seq FROM channel_heads WHERE channel_id = ?',
  advance: { cql: 'UPDATE channel_heads USING TIMESTAMP ? SET last_seq = ? WHERE channel_id = ?', idempotent: true },
});

@Injectable()
export class ChannelHeadsRepository {
  constructor(private readonly db: CassandraClient) {}

  /** The hinted seq (0 when the channel has none): the channel's newest bucket is the one holding it. */
  async hint(channelId: string): Promise<number> {
    const row = await this.db.first(CQL.hint, [channelId]);
    return row && row.last_seq !== null ? numberOf(row.last_seq) : 0;
  }

  async advance(channelId: string, seq: number): Promise<void> {
    await this.db.execute(CQL.advance, [big(seq), big(seq), channelId]);
  }
}
