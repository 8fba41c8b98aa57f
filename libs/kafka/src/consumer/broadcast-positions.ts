// Where a broadcast consumer has read to, per partition, kept in memory. A broadcast group commits
// nothing, so a consumer that kafkajs restarts after a crash (or that ConsumerRestarts or the
// RejoinWatch replaces with a fresh client) would resolve its offsets again from the latest
// record and skip everything published while it was away: a gateway would never deliver those
// messages live, and a device learns of the hole only from a later message of the same channel
// (the failover tier caught 969 messages missing on devices after a broker kill: the delivery
// consumer came back after the load had ended). On every join the consumer seeks back to the
// record after the last one it handled; handlers of broadcast topics drop repeats (the gateways'
// SequencedReader by seq). A position the broker no longer holds (retention) falls back to the
// latest offset, as kafkajs does for an out-of-range fetch.

export interface SeekRequest {
  topic: string;
  partition: number;
  offset: string;
}

export class BroadcastPositions {
  /** Per topic and partition: the offset of the next record to read. */
  private readonly next = new Map<string, Map<number, bigint>>();

  /** A record was handled (or dead-lettered): reading resumes after it. */
  handled(topic: string, partition: number, offset: string): void {
    let partitions = this.next.get(topic);
    if (!partitions) {
      partitions = new Map();
      this.next.set(topic, partitions);
    }
    const after = BigInt(offset) + 1n;
    if (after > (partitions.get(partition) ?? -1n)) partitions.set(partition, after);
  }

  /** The seeks that resume a member's assignment where this process stopped reading (none at the first join). */
  seeks(assignment: Readonly<Record<string, readonly number[]>>): SeekRequest[] {
    const seeks: SeekRequest[] = [];
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const offset = this.next.get(topic)?.get(partition);
        if (offset !== undefined) seeks.push({ topic, partition, offset: offset.toString() });
      }
    }
    return seeks;
  }
}
