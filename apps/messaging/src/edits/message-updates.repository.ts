// Changes to stored message rows after the send: edits (text, its search terms and mentions),
// tombstones, reactions and a thread root's reply summary. Every method names the row's partition
// and seq; callers have read the row first (an UPDATE on a missing row would create one). Edits,
// tombstones and reactions carry the write time of their command (change-write-time.ts), so the
// channel's command order decides between them, not the clock of whoever wrote last.
import { Injectable } from '@nestjs/common';
import { CassandraClient, defineStatements } from '@chat/cassandra';
import { big } from '../common/cql-values';
import { type MessagePartition } from '../messages/messages.repository';
import { terms } from '../messages/text-analyzer';

const WHERE = 'WHERE channel_id = ? AND bucket = ? AND seq = ?';

const CQL = defineStatements({
  edit: { cql: `UPDATE messages USING TIMESTAMP ? SET text = ?, terms = ?, mentions = ?, edited_at = ? ${WHERE}`, idempotent: true },
  tombstone: {
    cql: `UPDATE messages USING TIMESTAMP ? SET deleted = true, text = '', terms = null, mentions = null, reactions = null, file_ids = null ${WHERE}`,
    idempotent: true,
  },
  addReaction: { cql: `UPDATE messages USING TIMESTAMP ? SET reactions = reactions + ? ${WHERE}`, idempotent: true },
  removeReaction: { cql: `UPDATE messages USING TIMESTAMP ? SET reactions = reactions - ? ${WHERE}`, idempotent: true },
  setReplies: { cql: `UPDATE messages SET reply_count = ?, last_reply_at = ? ${WHERE}`, idempotent: true },
});

export interface MessageRow extends MessagePartition {
  seq: number;
}

@Injectable()
export class MessageUpdatesRepository {
  constructor(private readonly db: CassandraClient) {}

  /** `writeTime`: changeWriteTime of the edit's command. The text's terms replace the old ones (search). */
  async edit(row: MessageRow, text: string, mentions: readonly string[], editedAt: Date, writeTime: bigint): Promise<void> {
    await this.db.execute(CQL.edit, [writeTime, text, terms(text), mentions, editedAt, ...key(row)]);
  }

  /** Keeps the row (seq stays gap-free) but removes everything the author wrote. */
  async tombstone(row: MessageRow, writeTime: bigint): Promise<void> {
    await this.db.execute(CQL.tombstone, [writeTime, ...key(row)]);
  }

  async addReaction(row: MessageRow, cell: string, writeTime: bigint): Promise<void> {
    await this.db.execute(CQL.addReaction, [writeTime, [cell], ...key(row)]);
  }

  async removeReaction(row: MessageRow, cell: string, writeTime: bigint): Promise<void> {
    await this.db.execute(CQL.removeReaction, [writeTime, [cell], ...key(row)]);
  }

  async setReplies(row: MessageRow, count: number, lastReplyAt: Date | null): Promise<void> {
    await this.db.execute(CQL.setReplies, [count, lastReplyAt, ...key(row)]);
  }
}

function key(row: MessageRow): unknown[] {
  return [row.channelId, big(row.bucket), big(row.seq)];
}
