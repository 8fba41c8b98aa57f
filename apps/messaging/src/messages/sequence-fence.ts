// The store consumer's acceptance rule for chat.message.sequenced.v1, one partition at a time, in
// offset order (docs/design/sequencer.md). Pure: the same log gives the same decisions in every
// process, which is why a zombie store can only ever repeat what the live one does.
//   - an epoch marker above the current epoch becomes the current epoch; an older one is ignored;
//   - a send or duplicate of an older epoch than the current one is dropped (its owner was
//     deposed before it wrote this record); one of a newer epoch means the marker was missed,
//     which cannot happen when reading from a committed offset, and is adopted;
//   - a send at the channel's last + 1 is stored; at or below last it repeats a stored message
//     (a replay after a crash) and is announced again once the stored row is checked to be this
//     very message; above last + 1 it would leave a gap and is dropped;
//   - a duplicate is answered with the stored message at its seq, which must already be stored.
// It keeps `last` for the channels decided most recently, up to its capacity: `trim` between
// flushes forgets the others, which are loaded again from Cassandra before they are next decided.
import { type Message, type SequencedRecord } from '@chat/contracts';
import { RecencyMap } from '../common/recency-map';

export type FenceDecision =
  | { kind: 'epoch'; epoch: number }
  | { kind: 'store'; message: Message }
  | { kind: 'announce-stored'; channelId: string; seq: number; clientMsgId: string; messageId?: string }
  | { kind: 'drop'; reason: 'stale-epoch' | 'old-marker' | 'gap' | 'not-stored' };

export class SequenceFence {
  private readonly last: RecencyMap<string, number>;

  constructor(
    private epochInForce: number,
    capacity = Number.POSITIVE_INFINITY,
  ) {
    this.last = new RecencyMap(capacity);
  }

  get epoch(): number {
    return this.epochInForce;
  }

  /** Whether the channel's last stored seq is known (else `load` it from storage first). */
  knows(channelId: string): boolean {
    return this.last.has(channelId);
  }

  load(channelId: string, lastSeq: number): void {
    if (!this.last.has(channelId)) this.last.set(channelId, lastSeq);
  }

  /** Channels whose last seq is in memory. */
  get channels(): number {
    return this.last.size;
  }

  /**
   * Forgets the least recently decided channels above capacity. Only between flushes, once the
   * flush's write round is complete: Cassandra then holds every `last` kept here, so a forgotten
   * channel loads (unknownChannels, then `load`) the value it had (or, if another store of the
   * partition wrote further meanwhile, a higher one, exactly as when a channel is first seen).
   */
  trim(): void {
    this.last.trim();
  }

  /** The channels of `records` whose last seq must be loaded before deciding them. */
  unknownChannels(records: readonly SequencedRecord[]): string[] {
    const unknown = new Set<string>();
    for (const record of records) {
      const channelId = channelOf(record);
      if (channelId !== undefined && !this.last.has(channelId)) unknown.add(channelId);
    }
    return [...unknown];
  }

  decide(record: SequencedRecord): FenceDecision {
    if (record.kind === 'epoch') {
      if (record.epoch <= this.epochInForce) return { kind: 'drop', reason: 'old-marker' };
      this.epochInForce = record.epoch;
      return { kind: 'epoch', epoch: record.epoch };
    }
    if (record.epoch < this.epochInForce) return { kind: 'drop', reason: 'stale-epoch' };
    this.epochInForce = record.epoch;
    const channelId = channelOf(record) as string;
    const last = this.last.get(channelId);
    if (last === undefined) throw new Error(`the last seq of channel ${channelId} was not loaded`);
    if (record.kind === 'duplicate') {
      if (record.seq > last) return { kind: 'drop', reason: 'not-stored' };
      return { kind: 'announce-stored', channelId, seq: record.seq, clientMsgId: record.clientMsgId };
    }
    const { message } = record;
    if (message.seq === last + 1) {
      this.last.set(channelId, message.seq);
      return { kind: 'store', message };
    }
    if (message.seq <= last) return { kind: 'announce-stored', channelId, seq: message.seq, clientMsgId: message.clientMsgId, messageId: message.id };
    return { kind: 'drop', reason: 'gap' };
  }
}

function channelOf(record: SequencedRecord): string | undefined {
  switch (record.kind) {
    case 'epoch':
      return undefined;
    case 'send':
      return record.message.channelId;
    case 'duplicate':
      return record.channelId;
  }
}
