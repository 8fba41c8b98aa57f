// Epochs of the partitions of chat.channel.command.v1 (see docs/design/sequencer.md): the
// sequencer's claims (a lightweight transaction per change of ownership) and the markers the store
// applied, with their offsets (a plain write per marker).
import { Injectable } from '@nestjs/common';
import { CassandraClient, defineStatements } from '@chat/cassandra';
import { big, numberOf } from '../common/cql-values';

const CQL = defineStatements({
  current: 'SELECT epoch FROM sequencer_epochs WHERE partition = ?',
  first: 'INSERT INTO sequencer_epochs (partition, epoch, owner, claimed_at) VALUES (?, 1, ?, ?) IF NOT EXISTS',
  next: 'UPDATE sequencer_epochs SET epoch = ?, owner = ?, claimed_at = ? WHERE partition = ? IF epoch = ?',
  applied: 'SELECT epoch, marker_offset FROM store_epochs WHERE partition = ?',
  setApplied: { cql: 'INSERT INTO store_epochs (partition, epoch, marker_offset) VALUES (?, ?, ?)', idempotent: true },
});

/** Claims lost to other claimants in a row before giving up (the caller retries later). */
const MAX_CLAIM_ATTEMPTS = 20;

@Injectable()
export class PartitionEpochsRepository {
  constructor(private readonly db: CassandraClient) {}

  /** A new epoch for the partition, higher than every epoch claimed before, by anyone. */
  async claim(partition: number, owner: string): Promise<number> {
    const row = await this.db.first(CQL.current, [partition]);
    let current = row ? numberOf(row.epoch) : 0;
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const result =
        current === 0
          ? await this.db.execute(CQL.first, [partition, owner, new Date()])
          : await this.db.execute(CQL.next, [big(current + 1), owner, new Date(), partition, big(current)]);
      if (result.applied) return current + 1;
      // Not applied: the row as Paxos saw it comes back; claim above it.
      const seen = result.rows[0]?.epoch;
      current = seen === null || seen === undefined ? current : numberOf(seen);
    }
    throw new Error(`could not claim an epoch for partition ${partition}: ${MAX_CLAIM_ATTEMPTS} claims lost in a row`);
  }

  /** The epoch in force in the partition's log just before `offset`: the highest applied below it (0: none). */
  async inForceBefore(partition: number, offset: number): Promise<number> {
    const { rows } = await this.db.execute(CQL.applied, [partition]);
    let epoch = 0;
    for (const row of rows) if (numberOf(row.marker_offset) < offset) epoch = Math.max(epoch, numberOf(row.epoch));
    return epoch;
  }

  /** The store applied the marker of `epoch`, found at `offset` of the partition's log. */
  async applied(partition: number, epoch: number, offset: number): Promise<void> {
    await this.db.execute(CQL.setApplied, [partition, big(epoch), big(offset)]);
  }
}
