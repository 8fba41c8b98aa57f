// The store consumer of one partition of chat.message.sequenced.v1 (docs/design/sequencer.md):
// the only writer of messages rows. It decides each record with the SequenceFence, in offset
// order, then per flush (everything fetched while the previous flush ran) makes one write round
// to Cassandra (an unlogged batch per (channel, bucket) partition, all side by side), and reports
// how far it got to the senders' gateways (StoreAcks: a sequenced send is acknowledged once it is
// below the reported offset and not refused). Gateways deliver from the log itself, behind the
// same fence; the store is what makes an acknowledgement mean "durable and in history". Then the
// after-store steps (search, ledgers, thread summaries, file shares) derive their state from the
// stored messages, one flush after another, off the acknowledgement's path. A record is finished
// (its offset committable) once it is reported and its steps are applied.
import { type Logger } from '@nestjs/common';
import { type Message, type MessageSequencedTopic, type ReplyTo } from '@chat/contracts';
import { type RecordOf } from '@chat/kafka';
import { type Clock } from '../common/clock';
import { type ChannelHeads } from './channel-heads';
import { type ChannelHeadsRepository } from './channel-heads.repository';
import { type MessageBuckets } from './message-buckets';
import { type MessagesRepository } from './messages.repository';
import { type PartitionEpochsRepository } from './partition-epochs.repository';
import { persistently } from './persistently';
import { type FenceDecision, SequenceFence } from './sequence-fence';
import { type StoreAcks } from './store-acks';
import { type StoreProgress } from './store-progress';

type SequencedRecord = RecordOf<typeof MessageSequencedTopic>;

export interface StoreDeps {
  epochs: PartitionEpochsRepository;
  messages: MessagesRepository;
  heads: ChannelHeads;
  headHints: ChannelHeadsRepository;
  buckets: MessageBuckets;
  acks: Pick<StoreAcks, 'report'>;
  /** The after-store steps, on stored messages (each channel's in seq order; repeats possible). */
  project(messages: readonly Message[]): Promise<void>;
  progress: StoreProgress;
  clock: Clock;
  logger: Logger;
  /** Channels whose last stored seq the fence keeps in memory (least recently decided forgotten between flushes). */
  maxChannels: number;
  /** Counts records dropped by the fence, by reason (a metric). */
  dropped?(reason: string): void;
}

interface Queued {
  record: SequencedRecord;
  finish: () => void;
}

/** Records decided and written together at most. */
const MAX_FLUSH = 1_000;

export class PartitionStore {
  private queue: Queued[] = [];
  private running = false;
  private revoked = false;
  private fence: Promise<SequenceFence> | undefined;
  /** The after-store steps of the flushes so far, applied one flush after another. */
  private projections: Promise<void> = Promise.resolve();
  private readonly persistence;

  constructor(
    readonly partition: number,
    private readonly deps: StoreDeps,
  ) {
    this.persistence = { owned: () => !this.revoked, sleep: (ms: number) => deps.clock.sleep(ms), logger: deps.logger };
  }

  revoke(): void {
    this.revoked = true;
    this.queue = [];
  }

  take(records: readonly SequencedRecord[]): Promise<void>[] {
    const finished = records.map((record) => new Promise<void>((finish) => this.queue.push({ record, finish })));
    if (!this.running) void this.run();
    return finished;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.revoked && this.queue.length > 0) await this.flush(this.queue.splice(0, MAX_FLUSH));
    } catch (error) {
      // Passing failures are retried inside a flush; this is a bug. The store stops here: nothing
      // after it is finished or committed, and the partition's next owner reads it again.
      this.revoked = true;
      this.deps.logger.error({ err: error, partition: this.partition }, 'the store stopped');
    } finally {
      this.running = false;
    }
  }

  private async flush(batch: Queued[]): Promise<void> {
    const { deps } = this;
    // The first record taken is where this store resumes: the fence starts with the epoch in force there.
    const resumeAt = Number(batch[0].record.offset);
    this.fence ??= persistently('reading the epoch in force', () => deps.epochs.inForceBefore(this.partition, resumeAt), this.persistence).then((e) => new SequenceFence(e, deps.maxChannels));
    const fence = await this.fence;
    const unknown = fence.unknownChannels(batch.map((q) => q.record.value));
    await persistently(
      'reading channels\u2019 last seqs',
      async () => {
        const lasts = await Promise.all(unknown.map((channelId) => deps.heads.refresh(channelId, 0)));
        unknown.forEach((channelId, i) => fence.load(channelId, lasts[i]));
      },
      this.persistence,
    );
    const decisions = batch.map((q) => fence.decide(q.record.value));
    const stored = await persistently('storing messages', () => this.write(batch, decisions), this.persistence);
    // Between flushes, and only once the write round is complete: Cassandra now holds every last
    // seq the fence would forget, and the next flush loads a forgotten channel before deciding it.
    fence.trim();
    if (this.revoked) return;

    for (const decision of decisions) {
      if (decision.kind === 'store') deps.progress.stored(decision.message.channelId, decision.message.seq);
      if (decision.kind === 'epoch') deps.progress.epochApplied(this.partition, decision.epoch);
    }
    const refused: string[] = [];
    const answers: { replyTo: ReplyTo; message: Message }[] = [];
    const applied: Message[] = [];
    batch.forEach((queued, i) => {
      const decision = decisions[i];
      const value = queued.record.value;
      const message = decision.kind === 'store' ? decision.message : decision.kind === 'announce-stored' ? stored.get(i) : undefined;
      if (decision.kind === 'drop' || (decision.kind === 'announce-stored' && !message)) {
        const reason = decision.kind === 'drop' ? decision.reason : 'not-the-stored-message';
        refused.push(queued.record.offset);
        deps.dropped?.(reason);
        deps.logger.warn({ partition: this.partition, offset: queued.record.offset, reason }, 'sequenced record dropped by the fence');
      }
      if (!message) return;
      applied.push(message);
      // A repeated send is settled by its own record (the same message); a duplicate names only the seq.
      if (value.kind === 'duplicate' && value.replyTo) answers.push({ replyTo: value.replyTo, message });
    });
    const storedBelow = String(BigInt(batch[batch.length - 1].record.offset) + 1n);
    const reported = deps.acks.report({ partition: this.partition, storedBelow, epoch: fence.epoch, refused, answers });
    const projected = this.projections.then(() => persistently('applying the after-store steps', () => deps.project(applied), this.persistence));
    this.projections = projected;
    void Promise.all([reported, projected]).then(() => {
      for (const queued of batch) queued.finish();
    });
  }

  /**
   * One write round: the accepted messages (a batch per Cassandra partition), the applied epoch,
   * and the last-seq hints of new buckets, side by side; plus the stored messages that repeats
   * announce again (by index in the batch), read in the same round.
   */
  private async write(batch: readonly Queued[], decisions: readonly FenceDecision[]): Promise<Map<number, Message>> {
    const { messages, buckets, epochs, headHints } = this.deps;
    const partitions = new Map<string, { channelId: string; bucket: number; rows: Message[] }>();
    const writes: Promise<unknown>[] = [];
    const repeats: Promise<[number, Message | undefined]>[] = [];
    const markers: { epoch: number; offset: number }[] = [];
    const inBatch = new Map<string, Message>();
    for (const decision of decisions) if (decision.kind === 'store') inBatch.set(`${decision.message.channelId}#${decision.message.seq}`, decision.message);
    decisions.forEach((decision, i) => {
      switch (decision.kind) {
        case 'store': {
          const { message } = decision;
          const bucket = buckets.of(message.seq);
          const key = `${message.channelId}/${bucket}`;
          const partition = partitions.get(key) ?? { channelId: message.channelId, bucket, rows: [] };
          partition.rows.push(message);
          partitions.set(key, partition);
          if (message.seq === buckets.firstSeqOf(bucket)) writes.push(headHints.advance(message.channelId, message.seq));
          break;
        }
        case 'epoch':
          markers.push({ epoch: decision.epoch, offset: Number(batch[i].record.offset) });
          break;
        case 'announce-stored': {
          // Stored by this very flush (a retry right behind its original), or earlier.
          const same = inBatch.get(`${decision.channelId}#${decision.seq}`);
          const row = same ? Promise.resolve(same) : messages.get({ channelId: decision.channelId, bucket: buckets.of(decision.seq) }, decision.seq);
          repeats.push(row.then((found): [number, Message | undefined] => [i, found && isTheMessage(found, decision) ? found : undefined]));
          break;
        }
        case 'drop':
          break;
      }
    });
    for (const p of partitions.values()) writes.push(messages.storeAll({ channelId: p.channelId, bucket: p.bucket }, p.rows));
    for (const marker of markers) writes.push(epochs.applied(this.partition, marker.epoch, marker.offset));
    const [, found] = await Promise.all([Promise.all(writes), Promise.all(repeats)]);
    for (const p of partitions.values()) this.deps.heads.observe(p.channelId, p.rows[p.rows.length - 1].seq);
    return new Map(found.filter((entry): entry is [number, Message] => entry[1] !== undefined));
  }
}

/** Whether a stored row is the message a repeat or duplicate names. */
function isTheMessage(row: Message, named: { clientMsgId: string; messageId?: string }): boolean {
  return row.clientMsgId === named.clientMsgId && (named.messageId === undefined || row.id === named.messageId);
}
