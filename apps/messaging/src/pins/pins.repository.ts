// pins: one partition per channel, a row per pinned message.
import { Injectable } from '@nestjs/common';
import { CassandraClient, defineStatements } from '@chat/cassandra';
import { big, collect, isoOf, numberOf, uuidOf } from '../common/cql-values';

const CQL = defineStatements({
  pin: { cql: 'INSERT INTO pins (channel_id, message_id, seq, pinned_by, pinned_at) VALUES (?, ?, ?, ?, ?) IF NOT EXISTS' },
  get: 'SELECT message_id, seq, pinned_by, pinned_at FROM pins WHERE channel_id = ? AND message_id = ?',
  unpin: { cql: 'DELETE FROM pins WHERE channel_id = ? AND message_id = ?', idempotent: true },
  ofChannel: 'SELECT message_id, seq, pinned_by, pinned_at FROM pins WHERE channel_id = ?',
});

export interface PinRow {
  messageId: string;
  seq: number;
  pinnedBy: string;
  pinnedAt: string;
}

@Injectable()
export class PinsRepository {
  constructor(private readonly db: CassandraClient) {}

  /** Pins unless already pinned; returns the pin that holds (the first pinner's). */
  async pin(channelId: string, pin: PinRow): Promise<PinRow> {
    const result = await this.db.execute(CQL.pin, [channelId, pin.messageId, big(pin.seq), pin.pinnedBy, new Date(pin.pinnedAt)]);
    const existing = result.rows[0];
    return result.applied || !existing ? pin : toPin(existing);
  }

  async get(channelId: string, messageId: string): Promise<PinRow | undefined> {
    const row = await this.db.first(CQL.get, [channelId, messageId]);
    return row ? toPin(row) : undefined;
  }

  async unpin(channelId: string, messageId: string): Promise<void> {
    await this.db.execute(CQL.unpin, [channelId, messageId]);
  }

  async ofChannel(channelId: string): Promise<PinRow[]> {
    return (await collect(this.db.iterate(CQL.ofChannel, [channelId]))).map(toPin);
  }
}

function toPin(row: Readonly<Record<string, unknown>>): PinRow {
  return { messageId: uuidOf(row.message_id), seq: numberOf(row.seq), pinnedBy: uuidOf(row.pinned_by), pinnedAt: isoOf(row.pinned_at) };
}
