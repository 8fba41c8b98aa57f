// The acknowledgements of this process's stores, in bulk, on chat.message.stored.v1: per partition
// of the sequenced log, the offset below which everything is decided and stored, the offsets the
// fence refused, and the sends answered with a message stored earlier. A gateway settles a sender's
// pending send once its sequenced record is below `storedBelow` (docs/design/sequencer.md).
//
// One record per round for every partition that moved since the previous one; a round starts as
// soon as the previous record is acknowledged by Kafka (no timer), so an idle system reports each
// flush at once and a busy one reports many flushes per record. A failed produce is retried with
// what has accumulated meanwhile: progress is merged, never lost or reordered.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Message, type MessageStored, MessageStoredTopic, type PartitionOwner, type PartitionStored, type ReplyTo } from '@chat/contracts';
import { BusProducer } from '@chat/kafka';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import { Clock } from '../common/clock';

export interface StoreReport {
  partition: number;
  /** Everything below this offset is decided and stored. */
  storedBelow: string;
  /** The epoch in force at storedBelow. */
  epoch: number;
  refused: readonly string[];
  answers: readonly { replyTo: ReplyTo; message: Message }[];
}

interface Pending {
  progress: PartitionStored;
  resolve: (() => void)[];
}

const BACKOFF_MS = { first: 50, max: 2_000 };
/** Answers (whole messages) per record, so a record stays far below Kafka's size limit. */
const ANSWERS_PER_RECORD = 100;

@Injectable()
export class StoreAcks {
  private readonly logger = new Logger('StoreAcks');
  private pending = new Map<number, Pending>();
  private sending = false;
  /** The partitions whose sequencer in this process has claimed its epoch: announced with their progress (the direct hop). */
  private readonly owned = new Map<number, PartitionOwner>();

  constructor(
    private readonly producer: BusProducer,
    private readonly clock: Clock,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  /** This process's sequencer of `partition` owns it under `owner.epoch`: later reports of the partition say so. */
  own(partition: number, owner: PartitionOwner): void {
    this.owned.set(partition, owner);
  }

  /** A rebalance revoked every sequencer of this process. */
  disownAll(): void {
    this.owned.clear();
  }

  /** Resolves once a report covering this one is acknowledged by Kafka. */
  report(report: StoreReport): Promise<void> {
    return new Promise<void>((resolve) => {
      merge(this.pending, {
        progress: {
          partition: report.partition,
          storedBelow: report.storedBelow,
          epoch: report.epoch,
          ...(report.refused.length > 0 ? { refused: [...report.refused] } : {}),
          ...(report.answers.length > 0 ? { answers: [...report.answers] } : {}),
        },
        resolve: [resolve],
      });
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    let backoff = BACKOFF_MS.first;
    try {
      while (this.pending.size > 0) {
        const round = this.pending;
        this.pending = new Map();
        const progress = [...round.values()].map((p) => {
          const owner = this.owned.get(p.progress.partition);
          return owner ? { ...p.progress, owner } : p.progress;
        });
        try {
          const key = this.identity.instanceId;
          await this.producer.publishBatch(
            MessageStoredTopic,
            recordsOf(progress).map((value) => ({ key, value })),
            { trusted: true },
          );
        } catch (error) {
          this.logger.warn({ err: error, partitions: progress.length, retryInMs: backoff }, 'publishing store progress failed; retrying');
          this.requeue(round);
          await this.clock.sleep(backoff);
          backoff = Math.min(backoff * 2, BACKOFF_MS.max);
          continue;
        }
        backoff = BACKOFF_MS.first;
        for (const entry of round.values()) for (const resolve of entry.resolve) resolve();
      }
    } finally {
      this.sending = false;
    }
  }

  /** Puts a failed round back in front of what arrived meanwhile (merged per partition, in order). */
  private requeue(round: Map<number, Pending>): void {
    const later = this.pending;
    this.pending = round;
    for (const entry of later.values()) merge(round, entry);
  }
}

/** Adds a partition's later progress to what is pending for it. */
function merge(pending: Map<number, Pending>, later: Pending): void {
  const earlier = pending.get(later.progress.partition);
  if (!earlier) {
    pending.set(later.progress.partition, later);
    return;
  }
  const { progress } = earlier;
  if (BigInt(later.progress.storedBelow) > BigInt(progress.storedBelow)) {
    progress.storedBelow = later.progress.storedBelow;
    progress.epoch = later.progress.epoch;
  }
  if (later.progress.refused) progress.refused = [...(progress.refused ?? []), ...later.progress.refused];
  if (later.progress.answers) progress.answers = [...(progress.answers ?? []), ...later.progress.answers];
  earlier.resolve.push(...later.resolve);
}

/**
 * The records of one round: every partition's offsets in the first (a refusal always travels with
 * the storedBelow that covers it), answers in slices after it (they settle only the sends they name).
 */
export function recordsOf(progress: readonly PartitionStored[]): MessageStored[] {
  const records: MessageStored[] = [{ progress: progress.map(({ answers: _answers, ...offsets }) => offsets) }];
  // (The answers' slices leave the owner out: the first record announces it.)
  for (const { partition, storedBelow, epoch, answers = [] } of progress) {
    for (let i = 0; i < answers.length; i += ANSWERS_PER_RECORD) {
      records.push({ progress: [{ partition, storedBelow, epoch, answers: answers.slice(i, i + ANSWERS_PER_RECORD) }] });
    }
  }
  return records;
}
