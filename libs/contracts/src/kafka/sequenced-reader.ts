// How a reader other than the store reads chat.message.sequenced.v1 with chat.message.stored.v1:
// which sends to deliver as message:new, and when a send is acknowledged. Gateways use it; so do
// tests that watch the system as a gateway would. Pure: no I/O, no clock.
//
// Delivery (docs/design/sequencer.md, "Readers of the log"):
//   - the epoch fence: an epoch marker raises the partition's epoch; a record of an older epoch is
//     dropped (its owner was deposed before writing it); a channel's send is taken only above the
//     last seq this reader delivered (a repeat is dropped). Unlike the store, which reads every
//     record from its committed offset and so never meets a gap, a gateway's broadcast consumer
//     may skip records (a position that left the log; a process restart starts at the latest
//     offset): a seq above last + 1 is delivered, and the device, seeing the gap, calls `sync`
//     (PROTOCOL.md);
//   - a reader starting mid-log does not know the epoch in force where it starts. Until a store
//     report covers the first record it read in a partition, it holds that partition's records; the
//     report (storedBelow, the epoch in force there, the refused offsets) decides the held ones
//     below storedBelow, and from storedBelow on the reader has seen every marker itself, so its
//     own fence decides exactly as the store's. A jump in a partition's offsets (records skipped)
//     makes the reader start over there: it holds again until a report covers the new start.
// Acknowledgement: a send (addressed to this reader, `mine`) is acknowledged once a report says its
// offset is below storedBelow and not refused; a duplicate (a retried clientMsgId) once a report
// answers it with the stored message.
import { type Message } from '../domain/message';
import { type PartitionStored, type ReplyTo, type SequencedRecord } from './messages';

export interface ReaderOptions {
  /** Channels whose last seq is remembered (least recently used are forgotten). */
  maxChannels: number;
  /** Whose acknowledgements this reader settles. */
  mine(replyTo: ReplyTo): boolean;
  /** Sends awaiting their acknowledgement per partition, at most (the oldest are forgotten). */
  maxAwaiting?: number;
}

/** What a record or a report released: messages to deliver (in log order) and acknowledgements. */
export interface ReaderOutput {
  deliver: Message[];
  acks: { replyTo: ReplyTo; message: Message }[];
}

interface Held {
  offset: bigint;
  record: SequencedRecord;
}

const REFUSED_REMEMBERED = 10_000;

class PartitionView {
  epoch = 0;
  /** From this offset on, this reader's own fence decides; undefined until a report covers `first`. */
  exactFrom: bigint | undefined;
  first: bigint | undefined;
  held: Held[] = [];
  /** The offset after the last record read: a record beyond it means records were skipped. */
  next: bigint | undefined;
  storedBelow = -1n;
  readonly refused = new Set<bigint>();
  /** Offset -> the send awaiting its acknowledgement, in offset order. */
  readonly awaiting = new Map<bigint, { replyTo: ReplyTo; message: Message }>();
}

export class SequencedReader {
  private readonly partitions = new Map<number, PartitionView>();
  private readonly last = new Map<string, number>();

  constructor(private readonly options: ReaderOptions) {
    if (options.maxChannels < 1) throw new Error('maxChannels must be at least 1');
  }

  /** A record of chat.message.sequenced.v1, in offset order within its partition. */
  sequenced(partition: number, offset: string, record: SequencedRecord): ReaderOutput {
    const view = this.view(partition);
    const at = BigInt(offset);
    if (view.next !== undefined && at > view.next) {
      // Skipped records may hold a marker this reader never saw: the epoch is not known from here.
      view.exactFrom = undefined;
      view.first = at;
    }
    if (view.next === undefined || at >= view.next) view.next = at + 1n;
    view.first ??= at;
    const out: ReaderOutput = { deliver: [], acks: [] };
    if (view.exactFrom === undefined) {
      view.held.push({ offset: at, record });
      this.await(view, at, record);
      return out;
    }
    this.decide(view, at, record, out);
    this.settle(view, out);
    return out;
  }

  /** A report of chat.message.stored.v1. */
  stored(progress: PartitionStored): ReaderOutput {
    const view = this.view(progress.partition);
    const out: ReaderOutput = { deliver: [], acks: [] };
    for (const offset of progress.refused ?? []) this.refuse(view, BigInt(offset));
    const below = BigInt(progress.storedBelow);
    if (below > view.storedBelow) view.storedBelow = below;
    if (view.exactFrom === undefined && view.first !== undefined && below > view.first) {
      view.exactFrom = below;
      view.epoch = Math.max(view.epoch, progress.epoch);
      const held = view.held;
      view.held = [];
      for (const { offset, record } of held) {
        if (offset < below) this.decideReported(view, offset, record, out);
        else this.decide(view, offset, record, out);
      }
    }
    for (const { replyTo, message } of progress.answers ?? []) if (this.options.mine(replyTo)) out.acks.push({ replyTo, message });
    this.settle(view, out);
    return out;
  }

  /** The fence of this reader (exact from `exactFrom` on). */
  private decide(view: PartitionView, offset: bigint, record: SequencedRecord, out: ReaderOutput): void {
    if (record.kind === 'epoch') {
      view.epoch = Math.max(view.epoch, record.epoch);
      return;
    }
    if (record.epoch < view.epoch) return;
    view.epoch = record.epoch;
    this.await(view, offset, record);
    if (record.kind === 'send') this.admit(record.message, out);
  }

  /** A held record below a report's storedBelow: the store decided it; refused ones are dropped. */
  private decideReported(view: PartitionView, offset: bigint, record: SequencedRecord, out: ReaderOutput): void {
    if (record.kind !== 'send' || view.refused.has(offset)) return;
    this.admit(record.message, out);
  }

  /** Delivers a channel's send unless it repeats a seq this reader delivered. */
  private admit(message: Message, out: ReaderOutput): void {
    const last = this.last.get(message.channelId);
    if (last !== undefined && message.seq <= last) {
      this.touch(message.channelId, last);
      return;
    }
    this.touch(message.channelId, message.seq);
    out.deliver.push(message);
  }

  private await(view: PartitionView, offset: bigint, record: SequencedRecord): void {
    if (record.kind !== 'send' || !record.replyTo || !this.options.mine(record.replyTo)) return;
    view.awaiting.set(offset, { replyTo: record.replyTo, message: record.message });
    const max = this.options.maxAwaiting ?? 100_000;
    if (view.awaiting.size > max) view.awaiting.delete(view.awaiting.keys().next().value as bigint);
  }

  /** Acknowledges what is below storedBelow and not refused (awaiting is in offset order). */
  private settle(view: PartitionView, out: ReaderOutput): void {
    for (const [offset, send] of view.awaiting) {
      if (offset >= view.storedBelow) break;
      view.awaiting.delete(offset);
      if (!view.refused.has(offset)) out.acks.push(send);
    }
  }

  private refuse(view: PartitionView, offset: bigint): void {
    view.refused.add(offset);
    if (view.refused.size > REFUSED_REMEMBERED) view.refused.delete(view.refused.values().next().value as bigint);
  }

  private view(partition: number): PartitionView {
    let view = this.partitions.get(partition);
    if (!view) {
      view = new PartitionView();
      this.partitions.set(partition, view);
    }
    return view;
  }

  private touch(channelId: string, seq: number): void {
    // A Map iterates in insertion order: re-inserting moves the channel to the young end.
    this.last.delete(channelId);
    this.last.set(channelId, seq);
    if (this.last.size > this.options.maxChannels) this.last.delete(this.last.keys().next().value as string);
  }
}
