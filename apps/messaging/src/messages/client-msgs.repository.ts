// Claims of clientMsgIds: one row per (channel, clientMsgId), taken with a lightweight
// transaction before the message is stored (see send-message.service.ts).
import { Injectable } from '@nestjs/common';
import { CassandraClient, defineStatements } from '@chat/cassandra';
import { big, numberOf, optionalNumber, uuidOf } from '../common/cql-values';

const CQL = defineStatements({
  claim: 'INSERT INTO client_msgs (channel_id, client_msg_id, message_id, base_seq, command_id) VALUES (?, ?, ?, ?, ?) IF NOT EXISTS',
  setSeq: { cql: 'UPDATE client_msgs SET seq = ? WHERE channel_id = ? AND client_msg_id = ?', idempotent: true },
});

export interface ClientMsgClaim {
  messageId: string;
  /** The channel's last seq when the claim was taken: the message's seq is above it. */
  baseSeq: number;
  commandId: string;
  /** Set once the message is stored. */
  seq: number | null;
}

export type ClaimResult = { applied: true } | { applied: false; existing: ClientMsgClaim };

@Injectable()
export class ClientMsgsRepository {
  constructor(private readonly db: CassandraClient) {}

  async claim(channelId: string, clientMsgId: string, claim: Omit<ClientMsgClaim, 'seq'>): Promise<ClaimResult> {
    const result = await this.db.execute(CQL.claim, [channelId, clientMsgId, claim.messageId, big(claim.baseSeq), claim.commandId]);
    if (result.applied) return { applied: true };
    const row = result.rows[0];
    if (!row) throw new Error(`claim of ${channelId}/${clientMsgId} was not applied and returned no row`);
    return {
      applied: false,
      existing: {
        messageId: uuidOf(row.message_id),
        baseSeq: numberOf(row.base_seq),
        commandId: uuidOf(row.command_id),
        seq: optionalNumber(row.seq) ?? null,
      },
    };
  }

  /**
   * Records the stored message's seq. A plain write on a row created by an LWT: it comes after
   * the claim's Paxos round (same coordinator clock or later), and any later claim attempt reads
   * it through Paxos.
   */
  async setSeq(channelId: string, clientMsgId: string, seq: number): Promise<void> {
    await this.db.execute(CQL.setSeq, [big(seq), channelId, clientMsgId]);
  }
}
