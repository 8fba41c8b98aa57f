// An ordered, retrying producer for one partition: records leave in the order they were pushed,
// as many per request as have queued up while the previous request was in flight, and a failed
// request is retried (with backoff) before anything pushed after it is sent, so the partition's
// order survives broker outages. A retry after an ambiguous failure may append a record twice;
// consumers of such a topic must recognise repeats (the sequencer's logs do, by seq).
import { Logger } from '@nestjs/common';
import { type TopicDefinition } from '@chat/contracts';
import { realSleep } from '../consumer/retry.policy';
import { type BusProducer, type OutgoingRecord, type PublishOptions } from '../bus/bus';

interface Queued<T extends TopicDefinition> {
  record: OutgoingRecord<T>;
  resolve: () => void;
}

const MAX_RECORDS_PER_REQUEST = 500;
const BACKOFF_MS = { first: 50, max: 2_000 };

export class PartitionOutbox<T extends TopicDefinition> {
  private readonly logger = new Logger('PartitionOutbox');
  private queue: Queued<T>[] = [];
  private sending = false;
  private closed = false;

  constructor(
    private readonly producer: BusProducer,
    private readonly topic: T,
    readonly partition: number,
    private readonly options: PublishOptions = {},
    private readonly sleep: (ms: number) => Promise<void> = realSleep,
  ) {}

  /** Resolves once the record is acknowledged by all in-sync replicas; never if the outbox is closed first. */
  push(record: Omit<OutgoingRecord<T>, 'partition'>): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.closed) return;
      this.queue.push({ record: { ...record, partition: this.partition }, resolve });
      if (!this.sending) void this.drain();
    });
  }

  /** Stops sending (the partition moved on); what is queued is abandoned, its promises never settle. */
  close(): void {
    this.closed = true;
    this.queue = [];
  }

  get pending(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      let backoff = BACKOFF_MS.first;
      while (!this.closed && this.queue.length > 0) {
        const taken = this.queue.slice(0, MAX_RECORDS_PER_REQUEST);
        try {
          await this.producer.publishBatch(
            this.topic,
            taken.map((q) => q.record),
            this.options,
          );
        } catch (error) {
          this.logger.warn({ err: error, topic: this.topic.name, partition: this.partition, records: taken.length, retryInMs: backoff }, 'produce failed; retrying in order');
          await this.sleep(backoff);
          backoff = Math.min(backoff * 2, BACKOFF_MS.max);
          continue;
        }
        backoff = BACKOFF_MS.first;
        if (this.closed) return;
        this.queue.splice(0, taken.length);
        for (const q of taken) q.resolve();
      }
    } finally {
      this.sending = false;
    }
  }
}
